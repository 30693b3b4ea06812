"""Checks on an uploaded evidence file, before anything of it is stored.

A file is accepted only when its name is a plain name (no folders), its extension is one of
the office, image and data formats the parties exchange, its whole structure is that format
(read from the bytes, not taken from the name or the browser's word), it carries nothing
executable or active, and it is within the size cap (settings.EVIDENCE_MAX_BYTES):

- PDF: parses as a PDF (pypdf), and no object holds JavaScript, a launch action, an embedded
  file, rich media or XFA forms; no HTML (a PDF/HTML polyglot) in its bytes.
- Word, Excel, PowerPoint (docx/xlsx/pptx): a zip whose [Content_Types].xml names the main part
  of that kind (so not macro-enabled), at most EVIDENCE_ZIP_MAX_ENTRIES members, at most
  EVIDENCE_ZIP_MAX_UNCOMPRESSED bytes declared uncompressed (a zip bomb is refused from its
  directory, unpacked never), no macro project, no member named or shaped like a program,
  no member outside the package (“..”, absolute paths).
- Legacy Office (doc/xls/ppt): an OLE2 compound file that olefile parses, holding the stream
  its kind must have and no macro storage.
- CSV: text (UTF-8 or Windows-1252), no NUL, not another known format, no HTML.
- PNG/JPEG: Pillow opens and verifies the image, of the claimed kind, within
  EVIDENCE_IMAGE_MAX_PIXELS; no HTML in its bytes.

Then, when CLAMAV_URL is set, the bytes go to clamd (INSTREAM) and a file it flags is refused;
if clamd cannot be reached the upload is refused too (a scan that was asked for is not skipped).

The request body is bounded before any of this (moa_portal.middleware refuses a body over
REQUEST_MAX_BYTES unread; CappedUploadHandler stops keeping a file past EVIDENCE_MAX_BYTES).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlparse

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat

from core.uploads import EXECUTABLE_MAGIC, OOXML_LABEL, PackageRefused, check_ooxml_package

logger = logging.getLogger(__name__)

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

# The stream every legacy (OLE2) Office file of that kind holds, as named in its directory.
OLE2_STREAMS = {
    "doc": ("WordDocument",),
    "xls": ("Workbook", "Book"),
    "ppt": ("PowerPoint Document",),
}
# Storages that hold a legacy Office file's macros (VBA).
OLE2_MACRO_STORAGES = ("Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT", "VBA")

# HTML a browser would run, in a file that should hold none (a polyglot).
HTML_MARKERS = re.compile(
    rb"<\s*(script|html|body|iframe|object|embed|svg|meta|link|form|img[^>]+onerror)\b|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
# PDF dictionary keys that make a PDF run or carry something: scripts, launch and other actions
# on open, embedded files, rich media (Flash), XFA forms.
PDF_FORBIDDEN_KEYS = {
    "/JavaScript": "JavaScript",
    "/JS": "JavaScript",
    "/Launch": "a launch action",
    "/EmbeddedFile": "an embedded file",
    "/EmbeddedFiles": "an embedded file",
    "/RichMedia": "rich media",
    "/XFA": "an XFA form",
    "/AA": "actions run on open",
}
PDF_MAX_OBJECTS = 500_000


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


class Refused(Exception):
    """The content is not a sound file of its kind; the message says why, in plain words."""


def _no_html(data: bytes) -> None:
    if HTML_MARKERS.search(data):
        raise Refused("it contains HTML or script, which a file of this kind never holds")


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if not data.startswith(b"%PDF-"):
        raise Refused("it does not start as a PDF does")
    _no_html(data)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused("it is encrypted, so it cannot be checked")
        if len(reader.pages) < 1:
            raise Refused("it has no pages")
        # Every object reachable from the trailer, compressed object streams included.
        seen: set[tuple[int, int]] = set()
        stack: list = [reader.trailer]
        while stack:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                key = (obj.idnum, obj.generation)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > PDF_MAX_OBJECTS:
                    raise Refused("it has too many objects to check")
                obj = obj.get_object()
            if isinstance(obj, DictionaryObject):
                for name, value in obj.items():
                    if name in PDF_FORBIDDEN_KEYS:
                        raise Refused(f"it contains {PDF_FORBIDDEN_KEYS[name]}")
                    if name == "/S" and value in ("/JavaScript", "/Launch"):
                        raise Refused(f"it contains {PDF_FORBIDDEN_KEYS[value]}")
                    stack.append(value)
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
    except Refused:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
    ) as error:
        raise Refused("it does not parse as a PDF") from error
    except Exception as error:  # pypdf raises a wide range on hostile input; none may pass as sound
        logger.info("PDF refused: %r", error)
        raise Refused("it does not parse as a PDF") from error


def _check_ooxml(extension: str, data: bytes) -> None:
    try:
        check_ooxml_package(extension, data)
    except PackageRefused as error:
        raise Refused(str(error)) from error


def _check_ole2(extension: str, data: bytes) -> None:
    import olefile

    if not data.startswith(OLE2_MAGIC):
        raise Refused("it is not a legacy Office file")
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = {"/".join(path) for path in ole.listdir(streams=True, storages=True)}
            if not any(ole.exists(stream) for stream in OLE2_STREAMS[extension]):
                raise Refused(f"it has no {' or '.join(OLE2_STREAMS[extension])} stream")
            if any(
                part.split("/")[-1] in OLE2_MACRO_STORAGES or part.split("/")[0] in OLE2_MACRO_STORAGES
                for part in entries
            ):
                raise Refused("it holds macros")
    except Refused:
        raise
    except Exception as error:  # olefile raises OSError and others on a damaged directory
        raise Refused("its structure is not a sound legacy Office file") from error


def _check_csv(data: bytes) -> None:
    if b"\x00" in data or filetype.guess(data) is not None:
        raise Refused("it is not text")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise Refused("it is not text") from error
    _no_html(data)


def _check_image(extension: str, data: bytes) -> None:
    from PIL import Image

    guessed = filetype.guess(data)
    if guessed is None or guessed.mime != FORMATS[extension].mime:
        raise Refused("it is not an image of that kind")
    _no_html(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > settings.EVIDENCE_IMAGE_MAX_PIXELS:
                raise Refused("the image is too large to check")
            image.verify()
    except Refused:
        raise
    except Exception as error:  # Pillow's refusals: UnidentifiedImageError, SyntaxError, OSError…
        raise Refused("the image is damaged or not what it claims") from error


def _check_structure(extension: str, data: bytes) -> None:
    """Raise Refused unless the bytes are a sound file of the extension's kind."""
    if data.startswith(EXECUTABLE_MAGIC[:2]):
        raise Refused("it is a program")
    if extension == "pdf":
        _check_pdf(data)
    elif extension in OOXML_LABEL:
        _check_ooxml(extension, data)
    elif extension in OLE2_STREAMS:
        _check_ole2(extension, data)
    elif extension == "csv":
        _check_csv(data)
    else:
        _check_image(extension, data)


# --- the virus scan (clamd) -------------------------------------------------------------------------


class ScanUnavailable(Exception):
    """clamd could not be reached or answered something else than a verdict."""


def clamd_scan(data: bytes, url: str, *, timeout: float = 30.0) -> str | None:
    """Send the bytes to clamd with INSTREAM; the signature name when it finds one, else None.

    `url` is tcp://host:port or unix:///path/to/clamd.ctl. The protocol: "zINSTREAM\\0", then
    chunks each preceded by its length (4 bytes, big-endian), a zero length to end, and one
    reply ending in NUL: "stream: OK", "stream: <signature> FOUND" or "... ERROR".
    """
    parsed = urlparse(url)
    try:
        if parsed.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parsed.path)
        elif parsed.scheme == "tcp":
            sock = socket.create_connection((parsed.hostname, parsed.port or 3310), timeout=timeout)
        else:
            raise ScanUnavailable(f"CLAMAV_URL must be tcp://host:port or unix:///path, not {url!r}")
        with sock:
            sock.sendall(b"zINSTREAM\0")
            chunk_size = 64 * 1024
            for start in range(0, len(data), chunk_size):
                chunk = data[start : start + chunk_size]
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                reply += received
    except OSError as error:
        raise ScanUnavailable(f"clamd at {url} could not be reached: {error}") from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("OK"):
        return None
    if answer.endswith("FOUND"):
        return answer.removeprefix("stream:").removesuffix("FOUND").strip()
    raise ScanUnavailable(f"clamd answered {answer!r}")


def _virus_scan(name: str, data: bytes) -> None:
    url = settings.CLAMAV_URL
    if not url:
        return
    try:
        found = clamd_scan(data, url, timeout=settings.CLAMAV_TIMEOUT)
    except ScanUnavailable as error:
        logger.error("Virus scan unavailable: %s", error)
        raise ValidationError(
            f"“{name}” could not be scanned for viruses just now, so it was not accepted. Try again later.",
            code="scan",
        ) from error
    if found:
        logger.warning("Upload %r refused by the virus scan: %s", name, found)
        raise ValidationError(f"“{name}” was refused by the virus scan ({found}).", code="virus")


# --- the request body's limits ------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """What is kept of a file that went past EVIDENCE_MAX_BYTES: its name and that it was too big."""

    over_cap = True

    def __init__(self, name: str, content_type: str | None, size: int) -> None:
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class CappedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops passing a file's bytes on once it is past the cap.

    The handlers after it (memory, then a temporary file) keep at most EVIDENCE_MAX_BYTES of
    any file; the rest of the body is read off the connection and dropped, and the form sees
    an OversizedUpload it refuses with a message, so the user keeps what they typed. A body
    over REQUEST_MAX_BYTES never gets here: the middleware refuses it unread.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_BYTES:
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > settings.EVIDENCE_MAX_BYTES:
            return OversizedUpload(self.file_name or "", self.content_type, self.received)
        return None


def _describe(data: bytes) -> str:
    """What the content looks like, for the refusal message."""
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        return "a program"
    if data.startswith(OLE2_MAGIC):
        return "a different Office file"
    guessed = filetype.guess(data)
    if guessed is not None:
        return f"a .{guessed.extension} file"
    return "something else"


def check_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Every check on one uploaded file; raises ValidationError saying what is wrong.

    The form and the service both call it; the second call returns the first's result
    (the file is not parsed or scanned twice).
    """
    max_bytes = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    already = getattr(upload, "_moa_checked", None)
    if already is not None and already[0] == max_bytes:
        return already[1]
    name = upload.name or ""
    extension = check_name(name)
    if getattr(upload, "over_cap", False):
        raise ValidationError(
            f"“{name}” is over the limit; files may be at most {filesizeformat(max_bytes)}.", code="size"
        )
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
    try:
        _check_structure(extension, data)
    except Refused as why:
        # Name the other format when the bytes are plainly one; otherwise say what is wrong.
        described = _describe(data)
        plain = {f"a .{extension} file", "something else", "a .zip file", "a different Office file"}
        detail = str(why) if described in plain else f"its content is {described}"
        raise ValidationError(
            f"“{name}” is not a real {FORMATS[extension].label}: {detail}. "
            "Upload the file in the format its name says, without macros, scripts or programs.",
            code="content",
        ) from why
    _virus_scan(name, data)
    checked = CheckedFile(
        upload=upload,
        name=name,
        extension=extension,
        content_type=FORMATS[extension].mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    # A mark on Django's upload object, read back within the same request.
    upload._moa_checked = (max_bytes, checked)  # type: ignore[attr-defined]
    return checked
