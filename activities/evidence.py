"""Checks on an uploaded evidence file, before anything of it is stored.

A file is accepted only when its name is a plain name (no folders), its extension is one of
the office, image and data formats the parties exchange, its content really is that format
(read from the bytes, not taken from the name or the browser's word), and it is within the
size cap (settings.EVIDENCE_MAX_BYTES). A renamed program, a zip posing as a Word document or
a spreadsheet saved as .pdf is refused with a message that says why.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Format:
    label: str
    mime: str


FORMATS: dict[str, Format] = {
    "pdf": Format("PDF", "application/pdf"),
    "doc": Format("Word document", "application/msword"),
    "docx": Format(
        "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xls": Format("Excel workbook", "application/vnd.ms-excel"),
    "xlsx": Format("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt": Format("PowerPoint presentation", "application/vnd.ms-powerpoint"),
    "pptx": Format(
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "csv": Format("CSV file", "text/csv"),
    "png": Format("PNG image", "image/png"),
    "jpg": Format("JPEG image", "image/jpeg"),
    "jpeg": Format("JPEG image", "image/jpeg"),
}
ALLOWED_EXTENSIONS = tuple(FORMATS)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)

# The folder an Office Open XML package keeps its main part in.
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
# The stream every legacy (OLE2) Office file of that kind holds, as named in its directory.
OLE2_STREAMS = {
    "doc": ("WordDocument",),
    "xls": ("Workbook", "Book"),
    "ppt": ("PowerPoint Document",),
}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with what the record needs to know about it."""

    upload: UploadedFile
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def check_name(name: str) -> str:
    """The extension of a plain file name; refuses folders, hidden names and unknown kinds."""
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\x00" in name:
        raise ValidationError(
            "The file name must be a plain name without folders (no “/”, “\\” or “..”).",
            code="path",
        )
    if "." not in name.strip(".") or name.startswith("."):
        raise ValidationError(
            f"“{name}” has no file extension. Allowed: {', '.join(ALLOWED_EXTENSIONS)}.", code="extension"
        )
    extension = name.rsplit(".", 1)[1].lower()
    if extension not in FORMATS:
        raise ValidationError(
            f"Files of type .{extension} are not accepted. Allowed: {', '.join(ALLOWED_EXTENSIONS)}.",
            code="extension",
        )
    return extension


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    return data


def _content_is(extension: str, data: bytes) -> bool:
    """Whether the bytes are what the extension claims."""
    if extension in OOXML_FOLDER:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_FOLDER[extension]) for n in names)
    if extension in OLE2_STREAMS:
        return data.startswith(OLE2_MAGIC) and any(
            stream.encode("utf-16-le") in data for stream in OLE2_STREAMS[extension]
        )
    if extension == "csv":
        if b"\x00" in data or filetype.guess(data) is not None:
            return False
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                return False
        return True
    guessed = filetype.guess(data)
    return guessed is not None and guessed.mime == FORMATS[extension].mime


def _describe(data: bytes) -> str:
    """What the content looks like, for the refusal message."""
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        return "a program"
    guessed = filetype.guess(data)
    if guessed is not None:
        return f"a .{guessed.extension} file"
    if data.startswith(OLE2_MAGIC):
        return "a different Office file"
    return "something else"


def check_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Every check on one uploaded file; raises ValidationError saying what is wrong."""
    max_bytes = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    name = upload.name or ""
    extension = check_name(name)
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; files may be at most {filesizeformat(max_bytes)}.",
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(f"“{name}” is empty.", code="empty")
    data = _read_all(upload)
    if len(data) > max_bytes:
        raise ValidationError(
            f"“{name}” is {filesizeformat(len(data))}; files may be at most {filesizeformat(max_bytes)}.",
            code="size",
        )
    if not _content_is(extension, data):
        raise ValidationError(
            f"“{name}” is not a real {FORMATS[extension].label}: its content is {_describe(data)}. "
            "Upload the file in the format its name says.",
            code="content",
        )
    return CheckedFile(
        upload=upload,
        name=name,
        extension=extension,
        content_type=FORMATS[extension].mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
