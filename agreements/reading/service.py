"""One call from a file's bytes to its outline and proposals, shared by the command and the bench."""

from __future__ import annotations

from dataclasses import dataclass

from .files import ReadingRefused, SourceDocument, read_source
from .outline import Outline, build_outline
from .proposals import Proposal, propose


@dataclass(frozen=True)
class Reading:
    """A file read: its lines, its clause tree and what its clauses seem to say."""

    source: SourceDocument
    outline: Outline
    proposals: list[Proposal]


def read_agreement_text(name: str, data: bytes) -> Reading:
    """The reading of a file, or `ReadingRefused` (unreadable, or no structure found)."""
    source = read_source(name, data)
    outline = build_outline(source)
    if not outline.structure_found:
        raise ReadingRefused(
            f"“{name}”: no structure found: no numbered sections, articles, headings in capitals or "
            "annexes were recognised, so the text cannot be split into clauses. Number its sections "
            "(I., II. … or 1., 2. …) or give them headings in capitals."
        )
    return Reading(source=source, outline=outline, proposals=propose(outline))
