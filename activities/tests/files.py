"""Small real files of each accepted kind, and impostors, built in memory for upload tests."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def pdf_bytes(*, javascript: str | None = None) -> bytes:
    """A one-page PDF that pypdf wrote; with `javascript`, an OpenAction that runs it."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if javascript is not None:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(javascript)}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_launch_action() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = pdf_bytes()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


MAIN_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}


def ooxml_bytes(folder: str, *, main_type: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office Open XML package with its main part under `folder` (word/, xl/, ppt/)."""
    main_type = main_type or MAIN_TYPES[folder]
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{folder}document.xml" ContentType="{main_type}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb_docx(unpacked_mib: int = 1024) -> bytes:
    """A .docx of about 1 MB whose extra part inflates to `unpacked_mib` MiB of zeros (1 GiB).

    Deflating 1 GiB takes seconds, so the part's deflate stream is assembled instead: after the
    first MiB, each further MiB of zeros sync-flushes to the same bytes. The part is written
    stored, then its headers are patched to say what it is: deflated, its real CRC and size.
    """
    block = bytes(1024 * 1024)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(block) + deflate.flush(zlib.Z_SYNC_FLUSH)
    repeat = deflate.compress(block) + deflate.flush(zlib.Z_SYNC_FLUSH)
    stream = first + repeat * (unpacked_mib - 1) + deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(unpacked_mib):
        crc = zlib.crc32(block, crc)
    name = "word/media/padding.bin"
    buffer = io.BytesIO(ooxml_bytes("word/"))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr(name, stream)
    data = bytearray(buffer.getvalue())
    size = unpacked_mib * 1024 * 1024
    local = data.rindex(b"PK\x03\x04", 0, data.index(name.encode()) + 1)
    struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, size)
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name.encode()))
    struct.pack_into("<H", data, central + 10, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "just a zip")
    return buffer.getvalue()


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _ole2_entry(
    name: str, kind: int, start: int, size: int, child: int = NOSTREAM, right: int = NOSTREAM
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # name length, type, colour (black)
        + struct.pack("<III", NOSTREAM, right, child)  # left, right sibling, child
        + bytes(16 + 4 + 16)  # class id, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


def ole2_bytes(*streams: str) -> bytes:
    """A real legacy Office (OLE2 compound) file: a root storage holding the named streams,
    4096 bytes each (so no mini stream), in 512-byte sectors: FAT, directory, then data."""
    stream_sectors = 8
    sectors_needed = 2 + stream_sectors * len(streams)
    fat = [FATSECT, ENDOFCHAIN]
    for i in range(len(streams)):
        first = 2 + i * stream_sectors
        fat += [*range(first + 1, first + stream_sectors), ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    assert sectors_needed <= 128 and len(streams) <= 3
    entries = [_ole2_entry("Root Entry", 5, ENDOFCHAIN, 0, child=1 if streams else NOSTREAM)]
    for i, name in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else NOSTREAM
        entries.append(_ole2_entry(name, 2, 2 + i * stream_sectors, 4096, right=right))
    directory = b"".join(entries).ljust(512, b"\x00")
    header = (
        OLE2_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", FREESECT) * 108
    )
    assert len(header) == 512
    data = b"".join(bytes([65 + i]) * 4096 for i in range(len(streams)))
    return header + struct.pack("<128I", *fat) + directory + data


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return upload(name, PDF, "application/pdf")
