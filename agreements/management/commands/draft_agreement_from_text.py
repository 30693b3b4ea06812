"""Draft an agreement file from an agreement's text (plain text, PDF with a text layer, DOCX)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.reading.draft import draft_yaml
from agreements.reading.files import ReadingRefused
from agreements.reading.service import read_agreement_text
from core.time import today


class Command(BaseCommand):
    help = (
        "Read an agreement's text and write a schema-2 agreement file whose proposed values are "
        "each marked # REVIEW, for a person to confirm before import_agreement."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The agreement's text: .txt, .pdf (with a text layer) or .docx")
        parser.add_argument("--out", required=True, help="Where to write the drafted agreement file (.yaml)")

    def handle(self, *args, path: str, out: str, **options) -> None:
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise CommandError(f"Refused: {path}: cannot be read ({exc.strerror})") from None
        try:
            reading = read_agreement_text(source.name, data)
        except ReadingRefused as exc:
            raise CommandError(f"Refused: {exc}") from None
        text = draft_yaml(reading.outline, reading.proposals, drafted_on=today(), source_name=source.name)
        Path(out).write_text(text, encoding="utf-8")
        counts: dict[str, int] = {}
        for proposal in reading.proposals:
            counts[proposal.kind] = counts.get(proposal.kind, 0) + 1
        found = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(f"Wrote {out}: {len(reading.outline.clauses)} clauses; to review: {found}.")
