"""The lifecycle pages: refusals shown on the fields they name, each party's admin acting for it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import lifecycle
from agreements.models import Agreement, DraftUpload, Section
from agreements.permissions import ADMIN
from agreements.tests.factories import UserFactory
from core.time import today

NEW_FILE = Path(__file__).parent / "data" / "new-two-party-mou.yaml"


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])


def post_file(client, content: bytes, name: str = "new.yaml"):
    return client.post(
        reverse("agreements:new"), {"form": "upload", "file": SimpleUploadedFile(name, content)}
    )


@pytest.fixture
def in_force(doc_admin, dhs_admin) -> Agreement:
    up = lifecycle.draft_upload_create(acting_user=doc_admin, file_name="f.yaml", data=NEW_FILE.read_bytes())
    agreement = lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement
    for user in (doc_admin, dhs_admin):
        lifecycle.signature_record(
            acting_user=user,
            agreement=agreement,
            name="A",
            title="B",
            signed_on=today() - datetime.timedelta(days=1),
        )
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def proposal(in_force, doc_admin):
    return lifecycle.modification_propose(
        acting_user=doc_admin,
        agreement=in_force,
        title="Less",
        text="Retire it.",
        effects={"retire_commitments": ["II.1"]},
    )


def test_a_refused_file_is_shown_on_the_file_field_naming_the_field_in_the_file(client, doc_admin):
    client.force_login(doc_admin)
    response = post_file(client, NEW_FILE.read_bytes().replace(b"kind: mou", b"kind: treaty"), "my-mou.yaml")
    assert response.status_code == 200
    assert response.context["upload_form"].errors["file"][0].startswith("my-mou.yaml: agreement.kind:")
    assert not DraftUpload.objects.exists()


def test_upload_preview_confirm_saves_the_draft_and_shows_it(client, doc_admin):
    client.force_login(doc_admin)
    response = post_file(client, NEW_FILE.read_bytes())
    upload = DraftUpload.objects.get()
    assert response.url == reverse("agreements:upload_preview", args=[upload.pk])
    preview = client.get(response.url)
    assert upload.sha256 in preview.content.decode()
    assert not Agreement.objects.filter(slug="trade-data-mou").exists()
    confirmed = client.post(response.url, {"sha256": upload.sha256})
    assert confirmed.url == "/agreements/trade-data-mou/"
    assert Agreement.objects.get(slug="trade-data-mou").executed_on is None


def test_the_clauses_of_a_confirmed_upload_are_in_the_audit_trail_under_its_admin(client, doc_admin):
    client.force_login(doc_admin)
    response = post_file(client, NEW_FILE.read_bytes())
    client.post(response.url, {"sha256": DraftUpload.objects.get().sha256})
    agreement = Agreement.objects.get(slug="trade-data-mou")
    rows = Section.history.filter(agreement_id=agreement.pk)
    assert rows.count() == agreement.sections.count() > 0
    assert {(row.history_type, row.history_user) for row in rows} == {("+", doc_admin)}


def test_another_admins_upload_is_not_found(client, doc_admin, dhs_admin):
    up = lifecycle.draft_upload_create(acting_user=doc_admin, file_name="f.yaml", data=NEW_FILE.read_bytes())
    client.force_login(dhs_admin)
    assert client.get(reverse("agreements:upload_preview", args=[up.pk])).status_code == 404
    assert (
        client.post(reverse("agreements:upload_preview", args=[up.pk]), {"sha256": up.sha256}).status_code
        == 404
    )


def test_the_short_form_starts_a_draft(client, doc_admin, doc, dhs):
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:new"),
        {
            "form": "draft",
            "short_name": "Short",
            "slug": "short",
            "title": "Short MOU",
            "kind": "mou",
            "parties": [doc.pk, dhs.pk],
            "purpose": "",
            "term_years": 2,
        },
    )
    assert response.url == "/agreements/short/"


def test_a_second_signature_of_a_party_is_refused_on_the_form(client, in_force, doc_admin):
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:sign", args=[in_force.slug]), {"name": "X", "title": "Y", "signed_on": today()}
    )
    assert response.status_code == 200
    assert "already recorded" in response.context["form"].errors["name"][0]


def test_the_page_offers_each_unsigned_partys_admin_its_signature_only(
    client, doc_admin, dhs_admin, doc_staff
):
    up = lifecycle.draft_upload_create(acting_user=doc_admin, file_name="f.yaml", data=NEW_FILE.read_bytes())
    agreement = lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement
    lifecycle.signature_record(
        acting_user=doc_admin, agreement=agreement, name="A", title="B", signed_on=today()
    )
    client.force_login(doc_admin)
    assert "Record DOC" not in client.get(agreement.get_absolute_url()).content.decode()
    client.force_login(dhs_admin)
    assert "Record DHS's signature" in client.get(agreement.get_absolute_url()).content.decode()
    client.force_login(doc_staff)
    assert client.get(agreement.get_absolute_url()).status_code == 404


def test_each_partys_admin_executes_and_the_second_execution_by_a_party_is_refused(
    client, proposal, doc_admin, dhs_admin
):
    url = reverse("agreements:modification_execute", args=[proposal.agreement.slug, proposal.number])
    sha = lifecycle.content_sha256(proposal)
    client.force_login(dhs_admin)
    client.post(url, {"sha256": sha})
    again = client.post(url, {"sha256": sha}, follow=True)
    assert "DHS has already executed this modification" in again.content.decode()
    client.force_login(doc_admin)
    done = client.post(url, {"sha256": sha}, follow=True)
    assert "In effect since" in done.content.decode()
    assert proposal.executions.count() == 2


def test_the_second_of_two_edits_opened_together_is_shown_what_changed(
    client, proposal, doc_admin, dhs_admin
):
    url = reverse("agreements:modification_edit", args=[proposal.agreement.slug, proposal.number])
    form = {"title": "Less", "text": "First.", "retire_codes": ["II.1"], "version": proposal.version}
    client.force_login(doc_admin)
    assert client.post(url, form).status_code == 302
    client.force_login(dhs_admin)
    response = client.post(url, {**form, "text": "Second."})
    assert response.status_code == 200
    assert "changed this proposal after you opened it" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.text == "First."
