"""Reading an agreement's signed text and proposing its record, for people to confirm.

Deterministic code only (the portal runs on closed networks): no outside service, no model.

- `files.read_source(name, data)`: plain text, PDF with a text layer or DOCX into lines, or
  `ReadingRefused` with the reason (empty, too big, scanned, password, zip bomb, a program).
- `outline.build_outline(source)`: the clause tree in the document's own numbering; every
  word of the source lands in exactly one clause.
- `proposals.propose(outline)`: parties, authorities, purpose, term, termination and
  modification rules, commitments with their leads, recurring obligations, contacts and
  signatories, each pointing at its clause.
- `draft.draft_document(outline, proposals)`: a schema-2 agreement file (docs/agreement-file.md)
  with every proposal marked for review.
- `bench`: precision and recall against a hand-made agreement file (`make extraction-bench`).
"""
