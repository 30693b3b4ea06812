"""What an Office Open XML package (docx, xlsx, pptx) must be to be let in: one rule for every
upload that takes one (evidence files in activities, an agreement's text in agreements).

The limits are the evidence settings (EVIDENCE_ZIP_MAX_ENTRIES, EVIDENCE_ZIP_MAX_UNCOMPRESSED),
so an administrator sets one size rule for the whole portal. Only the central directory is read
before the limits are checked, so a zip bomb is refused without unpacking anything.
"""

from __future__ import annotations

import io
import re
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat

#: The folder an Office Open XML package keeps its main part in.
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
#: The main part's content type a package of that kind declares; the macro-enabled kinds
#: (docm, xlsm, pptm) declare another and are refused.
OOXML_MAIN_TYPE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
OOXML_LABEL = {"docx": "Word document", "xlsx": "Excel workbook", "pptx": "PowerPoint presentation"}

#: Member names of a program or script, in an office package.
EXECUTABLE_NAME = re.compile(
    r"\.(exe|dll|com|scr|pif|bat|cmd|ps1|psm1|vbs|vbe|js|jse|wsf|wsh|hta|msi|msp|jar|sh|lnk|cpl|app|apk|elf)$",
    re.IGNORECASE,
)
#: The first bytes of programs: Windows PE, ELF, Mach-O (both byte orders, fat), Java classes, scripts.
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


class PackageRefused(Exception):
    """Why a package is refused, as the end of a sentence ("it holds a program (x.exe)")."""


def check_ooxml_package(kind: str, data: bytes) -> None:
    """Refuse `data` unless it is a sound package of `kind` ("docx", "xlsx" or "pptx"): within the
    part and size limits, no part outside the package, none encrypted, no program or macros,
    its main part of that kind. Raises PackageRefused with the reason."""
    label = OOXML_LABEL[kind]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise PackageRefused("it is not an Office Open XML package") from error
    with archive:
        members = archive.infolist()  # the central directory only: nothing is unpacked
        if len(members) > settings.EVIDENCE_ZIP_MAX_ENTRIES:
            raise PackageRefused(
                f"it holds {len(members)} parts, more than {settings.EVIDENCE_ZIP_MAX_ENTRIES}"
            )
        unpacked = sum(m.file_size for m in members)
        if unpacked > settings.EVIDENCE_ZIP_MAX_UNCOMPRESSED:
            raise PackageRefused(
                f"it unpacks to {filesizeformat(unpacked)}, more than "
                f"{filesizeformat(settings.EVIDENCE_ZIP_MAX_UNCOMPRESSED)} (a zip bomb)"
            )
        names = [m.filename for m in members]
        if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_FOLDER[kind]) for n in names):
            raise PackageRefused(f"it is not a {label} package")
        for member in members:
            name = member.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise PackageRefused(f"a part is named outside the package ({name})")
            if member.flag_bits & 0x1:
                raise PackageRefused("a part is encrypted (protected by a password)")
            if EXECUTABLE_NAME.search(name):
                raise PackageRefused(f"it holds a program ({name})")
            if name.lower().endswith("vbaproject.bin"):
                raise PackageRefused("it holds macros")
        try:
            types = archive.open("[Content_Types].xml").read(1024 * 1024)
            for member in members:
                if member.file_size and not member.is_dir():
                    with archive.open(member) as part:
                        if part.read(4).startswith(EXECUTABLE_MAGIC):
                            raise PackageRefused(f"it holds a program ({member.filename})")
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise PackageRefused("a part of the package is damaged") from error
        if OOXML_MAIN_TYPE[kind].encode() not in types:
            raise PackageRefused(f"its main part is not a {label}'s (macro-enabled or another kind)")
