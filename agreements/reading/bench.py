"""Measured, not claimed: precision and recall of the reading against hand-made agreement files.

The drafted file is written and read back with the portal's own agreement-file reader, so a
draft that would not import scores nothing. Both sides are then compared as sets of facts:

- clauses: (number, parent, text with whitespace and emphasis marks normalised);
- parties (acronym, name), authorities (citation, clause, party), the term (clause, start, end,
  length, renewal), the termination and modification rules, signatories (name, title, party),
  contacts (party, role, office, person);
- commitments: (kind, clause, leads); obligations: (clause, kind, cadence).

Precision is the share of proposed facts that are right, recall the share of true facts found.
"""

from __future__ import annotations

import datetime
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agreements.agreement_file import AgreementDocument, AgreementFileError, read_agreement

from .draft import draft_yaml
from .samples import make_docx, make_pdf
from .service import read_agreement_text

Fact = tuple[object, ...]


@dataclass(frozen=True)
class Score:
    """One kind of fact: how many were proposed, expected, and right."""

    kind: str
    proposed: int
    expected: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else (1.0 if not self.expected else 0.0)

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


@dataclass(frozen=True)
class BenchResult:
    """The scores for one document, with what was missed and what was extra, and the time taken."""

    name: str
    scores: list[Score]
    seconds: float
    missed: dict[str, list[Fact]]
    extra: dict[str, list[Fact]]
    refused: str = ""  # why the drafted file did not read, if it did not


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def facts(doc: AgreementDocument) -> dict[str, set[Fact]]:
    """What an agreement file says, as comparable facts per kind."""
    acronym = {p.key: p.acronym for p in doc.parties}

    def leads(keys: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(acronym.get(k, k) for k in keys))

    term = doc.term
    renewal = term.renewal
    rules = doc.termination_rules
    one = rules.by_one_party if rules else None
    return {
        "clauses": {(s.number, s.parent, _norm(s.text)) for s in doc.sections},
        "parties": {(p.acronym, p.name) for p in doc.parties},
        "authorities": {(a.citation, a.section, acronym.get(a.party, a.party)) for a in doc.authorities},
        "term": {
            (
                term.section,
                str(term.starts),
                str(term.ends),
                repr(term.length),
                term.end_event,
                (renewal.section, renewal.automatic, renewal.periods, renewal.notice_days)
                if renewal
                else None,
            )
        },
        "termination": {(rules.section, one.notice_days if one else None, rules.by_mutual_agreement)}
        if rules
        else set(),
        "modification": {(doc.modification_rule.section,)} if doc.modification_rule else set(),
        "commitments": {(str(c.kind), c.section, leads(c.leads)) for c in doc.commitments},
        "obligations": {(o.section, str(o.kind), str(o.cadence.kind)) for o in doc.obligations},
        "signatories": {(s.name, _norm(s.title), acronym.get(s.party, s.party)) for s in doc.signatories},
        "contacts": {
            (acronym.get(c.party, c.party), c.role_title, c.office or "", c.person_name or "")
            for c in doc.points_of_contact
        },
    }


def run(source: Path, expected: Path, *, as_format: str = "text") -> BenchResult:
    """Read `source` (as text, or turned into a PDF or DOCX first), draft its file, read that
    back and score it against `expected`."""
    data = source.read_bytes()
    name = source.name
    if as_format == "pdf":
        data, name = make_pdf(data.decode("utf-8")), source.with_suffix(".pdf").name
    elif as_format == "docx":
        data, name = make_docx(data.decode("utf-8")), source.with_suffix(".docx").name
    started = time.perf_counter()
    reading = read_agreement_text(name, data)
    text = draft_yaml(
        reading.outline, reading.proposals, drafted_on=datetime.date(2000, 1, 1), source_name=name
    )
    seconds = time.perf_counter() - started
    want = facts(read_agreement(expected))
    refused = ""
    with tempfile.TemporaryDirectory() as folder:
        drafted = Path(folder) / "draft.yaml"
        drafted.write_text(text, encoding="utf-8")
        try:
            got = facts(read_agreement(drafted))
        except AgreementFileError as exc:
            # A draft the agreement-file reader refuses scores nothing: say why.
            refused = f"{exc.field_path}: {exc.problem}"
            got = {kind: set() for kind in want}
    scores, missed, extra = [], {}, {}
    for kind, wanted in want.items():
        proposed = got[kind]
        scores.append(Score(kind, len(proposed), len(wanted), len(proposed & wanted)))
        missed[kind] = sorted(wanted - proposed, key=repr)
        extra[kind] = sorted(proposed - wanted, key=repr)
    return BenchResult(name, scores, seconds, missed, extra, refused)
