"""Upload checks: the type comes from the content, the name must be plain, the size is capped."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from activities.evidence import check_name, check_upload
from activities.tests import files


def test_pdf_is_accepted_with_its_hash_and_type():
    checked = check_upload(files.pdf())
    assert checked.content_type == "application/pdf"
    assert checked.sha256 == hashlib.sha256(files.PDF).hexdigest()
    assert checked.size == len(files.PDF)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("minutes.docx", files.ooxml_bytes("word/")),
        ("budget.xlsx", files.ooxml_bytes("xl/")),
        ("briefing.pptx", files.ooxml_bytes("ppt/")),
        ("minutes.doc", files.ole2_bytes("WordDocument")),
        ("budget.xls", files.ole2_bytes("Workbook")),
        ("briefing.ppt", files.ole2_bytes("PowerPoint Document")),
        ("photo.png", files.png_bytes()),
        ("photo.jpg", files.jpeg_bytes()),
        ("data.csv", b"party,count\nDOC,3\nDHS,4\n"),
        ("données.csv", "ville,pays\nMontréal,Canada\n".encode("cp1252")),
    ],
)
def test_each_accepted_format_passes_when_its_content_matches(name, content):
    assert check_upload(files.upload(name, content)).extension == name.rsplit(".", 1)[1]


def test_renamed_executable_is_refused():
    with pytest.raises(ValidationError, match="content is a program"):
        check_upload(files.upload("quarterly-report.pdf", files.EXE))


def test_executable_renamed_to_csv_is_refused():
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload("data.csv", files.EXE))
    assert refusal.value.code == "content"


def test_plain_zip_named_docx_is_refused():
    with pytest.raises(ValidationError, match="not a real Word document"):
        check_upload(files.upload("minutes.docx", files.plain_zip_bytes()))


def test_spreadsheet_package_named_docx_is_refused():
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload("minutes.docx", files.ooxml_bytes("xl/")))
    assert refusal.value.code == "content"


def test_png_named_pdf_is_refused():
    with pytest.raises(ValidationError, match="a .png file"):
        check_upload(files.upload("report.pdf", files.png_bytes()))


def test_unlisted_extension_is_refused():
    with pytest.raises(ValidationError, match=r"\.exe are not accepted"):
        check_upload(files.upload("setup.exe", files.EXE))


def test_file_over_the_size_cap_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = len(files.PDF) - 1
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.pdf())
    assert refusal.value.code == "size"


def test_file_at_the_size_cap_is_accepted(settings):
    settings.EVIDENCE_MAX_BYTES = len(files.PDF)
    assert check_upload(files.pdf()).size == len(files.PDF)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\report.pdf", "C:\\Users\\x\\report.pdf", ".."]
)
def test_file_name_with_path_parts_is_refused(name):
    with pytest.raises(ValidationError) as refusal:
        check_name(name)
    assert refusal.value.code == "path"


def test_upload_whose_name_keeps_a_backslash_path_is_refused():
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload("reports\\q1.pdf", files.PDF))
    assert refusal.value.code == "path"
