"""The agreement file's dates and text are bounded like typed input (issue 20): a far date or a
control character is refused with a plain message naming the field, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.agreement_file import AgreementFileError, read_agreement
from agreements.models import DraftUpload
from conftest import MOA_FILE

NEW_FILE = Path(__file__).parent / "data" / "new-two-party-mou.yaml"


def _moa_changed(tmp_path: Path, old: str, new: str) -> Path:
    text = MOA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "moa.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _refusal(path: Path) -> AgreementFileError:
    with pytest.raises(AgreementFileError) as refused:
        read_agreement(path)
    return refused.value


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_an_execution_date_outside_the_bounded_years_is_refused_naming_the_field(tmp_path, day):
    refused = _refusal(_moa_changed(tmp_path, "executed_on: 2017-10-19", f"executed_on: {day}"))
    assert refused.field_path == "agreement.executed_on"
    assert refused.problem == (
        f"{day} is not a day an agreement can concern: use a day between 1900-01-01 and 2200-12-31"
    )


def test_a_quoted_far_date_is_refused_as_well(tmp_path):
    refused = _refusal(_moa_changed(tmp_path, "executed_on: 2017-10-19", 'executed_on: "9999-12-31"'))
    assert refused.field_path == "agreement.executed_on"


def test_the_bounds_themselves_are_accepted(tmp_path):
    for day in ("1900-01-01", "2200-12-31"):
        assert str(read_agreement(_moa_changed(tmp_path, "2017-10-19", day)).executed_on) == day


def test_a_far_contact_date_is_refused_naming_the_contact(tmp_path):
    text = MOA_FILE.read_text(encoding="utf-8")
    first = text.index("active_from:", text.index("points_of_contact:"))
    line = text[first : text.index("\n", first)]
    refused = _refusal(_moa_changed(tmp_path, line, "active_from: 9999-12-31"))
    assert refused.field_path == "points_of_contact[0].active_from"


def test_an_escaped_nul_in_a_name_is_refused_naming_the_field(tmp_path):
    name = "name: U.S. Department of Commerce"
    path = _moa_changed(tmp_path, name, 'name: "U.S. Department\\0 of Commerce"')
    refused = _refusal(path)
    assert refused.field_path == "parties[0].name"
    assert refused.problem == "holds a control character (such as NUL) that cannot be stored; remove it"


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85"])
def test_a_raw_control_character_in_a_text_is_refused_naming_the_field(tmp_path, character):
    path = _moa_changed(tmp_path, "short_name: DOC–DHS E-Commerce MOA", f"short_name: DOC–DHS{character} MOA")
    refused = _refusal(path)
    assert refused.field_path == "agreement.short_name"
    assert "control character" in refused.problem


def test_a_raw_nul_outside_any_field_is_refused_naming_its_line(tmp_path):
    text = MOA_FILE.read_text(encoding="utf-8")
    path = tmp_path / "moa.yaml"
    path.write_text("# a comment\x00\n" + text, encoding="utf-8")
    refused = _refusal(path)
    assert refused.field_path == "(file) line 1"


def test_tabs_and_line_breaks_in_text_are_kept(tmp_path):
    name = "short_name: DOC–DHS E-Commerce MOA"
    path = _moa_changed(tmp_path, name, 'short_name: "DOC–DHS\\tE-Commerce\\r\\nMOA"')
    assert read_agreement(path).short_name == "DOC–DHS\tE-Commerce\r\nMOA"


@pytest.mark.django_db
def test_an_uploaded_file_with_a_nul_is_refused_on_the_file_field_and_nothing_is_kept(client, doc_admin):
    client.force_login(doc_admin)
    content = NEW_FILE.read_bytes().replace(b"kind: mou", b"kind: mou\n  funding_note: a\x00b")
    response = client.post(
        reverse("agreements:new"), {"form": "upload", "file": SimpleUploadedFile("mou.yaml", content)}
    )
    assert response.status_code == 200
    assert response.context["upload_form"].errors["file"] == [
        "mou.yaml: agreement.funding_note: holds a control character (such as NUL) that cannot be stored; "
        "remove it"
    ]
    assert not DraftUpload.objects.exists()


@pytest.mark.django_db
def test_an_uploaded_file_with_a_far_date_is_refused_on_the_file_field(client, doc_admin):
    client.force_login(doc_admin)
    content = NEW_FILE.read_bytes().replace(b"kind: mou", b"kind: mou\n  effective_on: 9999-12-31")
    response = client.post(
        reverse("agreements:new"), {"form": "upload", "file": SimpleUploadedFile("mou.yaml", content)}
    )
    assert (
        response.context["upload_form"]
        .errors["file"][0]
        .startswith("mou.yaml: agreement.effective_on: 9999-12-31 is not a day an agreement can concern")
    )
    assert not DraftUpload.objects.exists()
