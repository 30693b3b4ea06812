"""Making PDF and DOCX copies of a plain-text agreement, for the bench and the tests.

The PDF is written by hand (Helvetica text objects, no outside tool): lines wrapped at 90
characters, 40 lines a page, a running header and a "Page N of M" footer on every page, so the
reader's furniture dropping and wrap joining are exercised. The DOCX is one paragraph per line
with the ``**bold**`` marks turned into bold runs.
"""

from __future__ import annotations

import io
import re
import textwrap


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(
    text: str, *, header: str = "Interagency Agreement - Draft for Signature", width: int = 90
) -> bytes:
    """A PDF with a text layer holding `text`, wrapped, paginated, with header and footer."""
    lines: list[str] = []
    for raw in text.replace("*", "").split("\n"):
        lines.extend(textwrap.wrap(raw, width=width, break_on_hyphens=False) or [""])
    per_page = 40
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objects: list[bytes] = []
    kids = []
    font_id = 3 + 2 * len(pages)
    for n, page_lines in enumerate(pages, start=1):
        ops = ["BT /F1 10 Tf 12 TL 56 760 Td", f"({_pdf_escape(header)}) Tj T* T*"]
        ops += [
            f"({_pdf_escape(line.encode('cp1252', 'replace').decode('cp1252'))}) Tj T*" for line in page_lines
        ]
        ops += ["ET", f"BT /F1 9 Tf 280 40 Td (Page {n} of {len(pages)}) Tj ET"]
        stream = "\n".join(ops).encode("cp1252", "replace")
        page_id, content_id = 3 + 2 * (n - 1), 4 + 2 * (n - 1)
        kids.append(f"{page_id} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode(),
    ]
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    body = head + objects + [font]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(body) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(body) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(text: str) -> bytes:
    """A DOCX with one paragraph per line of `text`, ``**…**`` as bold runs."""
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        paragraph = document.add_paragraph()
        for n, part in enumerate(re.split(r"\*\*", line)):
            if part:
                paragraph.add_run(part).bold = n % 2 == 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
