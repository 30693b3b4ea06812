"""Turning an uploaded agreement (plain text, PDF with a text layer, DOCX) into lines of text.

Every refusal is a `ReadingRefused` whose message says why in plain words, so the upload page
and the command can show it as it is. The limits are the evidence uploads' (settings
EVIDENCE_MAX_BYTES, EVIDENCE_ZIP_MAX_ENTRIES, EVIDENCE_ZIP_MAX_UNCOMPRESSED): one size rule for
every file a person gives the portal.

Bold in a DOCX is kept as ``**…**`` around the bold runs, the way the repository's plain-text
sources mark it, so the outline reads one notation whatever the file was.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.uploads import EXECUTABLE_MAGIC, PackageRefused, check_ooxml_package

#: A page whose text layer holds fewer characters than this is taken as a picture of text.
MIN_TEXT_PER_PAGE = 20
MAX_PDF_PAGES = 1000


class ReadingRefused(Exception):
    """A file the portal will not read; the message is the reason, for the person who gave it."""


@dataclass(frozen=True)
class SourceDocument:
    """An agreement's text as read: its pages, each a list of lines (a DOCX is one page)."""

    name: str
    kind: str  # "text", "pdf" or "docx"
    pages: tuple[tuple[str, ...], ...]

    @property
    def text(self) -> str:
        """The lines as read, pages separated by a form feed."""
        return "\f".join("\n".join(page) for page in self.pages)


def read_source(name: str, data: bytes, *, max_bytes: int | None = None) -> SourceDocument:
    """The file's lines, or `ReadingRefused` saying why it cannot be read."""
    limit = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    label = f"“{name}”"
    if not data:
        raise ReadingRefused(f"{label} is empty.")
    if len(data) > limit:
        raise ReadingRefused(
            f"{label} is {filesizeformat(len(data))}; files may be at most {filesizeformat(limit)}."
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(EXECUTABLE_MAGIC):
        raise ReadingRefused(f"{label} is a program, not an agreement's text.")
    if data.startswith(b"%PDF-"):
        return SourceDocument(name, "pdf", _pdf_pages(label, data))
    if data.startswith(b"PK\x03\x04"):
        return SourceDocument(name, "docx", (_docx_lines(label, data),))
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ReadingRefused(f"{label} is an older Word (.doc) or Office file; save it as .docx or PDF.")
    if extension in {"pdf", "docx", "doc"}:
        raise ReadingRefused(f"{label} is not a {extension.upper()} file: its content is something else.")
    return SourceDocument(name, "text", _text_pages(label, data))


def _text_pages(label: str, data: bytes) -> tuple[tuple[str, ...], ...]:
    if b"\x00" in data:
        raise ReadingRefused(f"{label} is not text: it holds binary data.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadingRefused(f"{label} is not UTF-8 text; save it as UTF-8, PDF or DOCX.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadingRefused(f"{label} holds no text.")
    return tuple(tuple(page.split("\n")) for page in text.split("\f"))


def _pdf_pages(label: str, data: bytes) -> tuple[tuple[str, ...], ...]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadingRefused(f"{label} is protected by a password; upload a copy without one.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ReadingRefused(f"{label} has {len(reader.pages)} pages, more than {MAX_PDF_PAGES}.")
        texts = [page.extract_text() or "" for page in reader.pages]
    except ReadingRefused:
        raise
    except Exception as error:  # pypdf raises a wide range on damaged or hostile input
        raise ReadingRefused(f"{label} does not read as a PDF ({type(error).__name__}).") from error
    if not texts:
        raise ReadingRefused(f"{label} has no pages.")
    if sum(len(t.strip()) for t in texts) < MIN_TEXT_PER_PAGE * len(texts):
        raise ReadingRefused(
            f"{label} has no text layer: it looks scanned (pictures of pages). "
            "Upload the PDF the text was made into, a DOCX, or a copy run through text recognition."
        )
    return tuple(tuple(t.replace("\r\n", "\n").split("\n")) for t in texts)


def _check_docx_package(label: str, data: bytes) -> None:
    """The evidence uploads' rule for a package (core.uploads), worded for an agreement's text."""
    try:
        check_ooxml_package("docx", data)
    except PackageRefused as error:
        raise ReadingRefused(f"{label} is refused: {error}.") from error


def _docx_lines(label: str, data: bytes) -> tuple[str, ...]:
    _check_docx_package(label, data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx and lxml raise widely on damaged XML
        raise ReadingRefused(f"{label} does not read as a Word document ({type(error).__name__}).") from error
    lines: list[str] = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        whole_bold = style.startswith(("Heading", "Title"))
        # A paragraph is a line; empty paragraphs are the blank lines between blocks.
        lines.append(_paragraph_text(paragraph, whole_bold=whole_bold))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(cell.text.split("\n"))
            lines.append("")
    if not any(line.strip() for line in lines):
        raise ReadingRefused(f"{label} holds no text.")
    return tuple(lines)


def _paragraph_text(paragraph: object, *, whole_bold: bool) -> str:
    """The paragraph's text with its bold runs marked ``**…**``."""
    text = "".join(run.text for run in paragraph.runs)  # type: ignore[attr-defined]
    if whole_bold and text.strip():
        return f"**{text.strip()}**"
    parts: list[str] = []
    bold_run: list[str] = []
    for run in paragraph.runs:  # type: ignore[attr-defined]
        if run.bold and run.text.strip():
            bold_run.append(run.text)
            continue
        if bold_run:
            parts.append(
                f"**{''.join(bold_run).strip()}**" + (" " if "".join(bold_run).endswith(" ") else "")
            )
            bold_run = []
        parts.append(run.text)
    if bold_run:
        parts.append(f"**{''.join(bold_run).strip()}**")
    return "".join(parts)
