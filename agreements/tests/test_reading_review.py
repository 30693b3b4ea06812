"""The review screen: upload an agreement's text, confirm/edit/ignore each proposal, then draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import drafting, lifecycle
from agreements.models import Agreement, DraftUpload, ReadingProposal, TextReading

MOA_TEXT = Path(__file__).resolve().parent.parent / "data" / "sources" / "doc-dhs-ecommerce-moa-2017.txt"


@pytest.fixture
def reading(doc_admin) -> TextReading:
    return drafting.text_reading_create(
        acting_user=doc_admin, file_name="moa.txt", data=MOA_TEXT.read_bytes()
    )


def _decide(client, reading, proposal, decision, value=""):
    url = reverse("agreements:reading_decide", kwargs={"pk": reading.pk, "position": proposal.position})
    return client.post(url, {"decision": decision, "version": proposal.version, "value": value})


def test_uploading_a_text_opens_its_review_and_saves_nothing_of_the_agreement(client, doc_admin, moa):
    client.force_login(doc_admin)
    before = Agreement.objects.count()
    response = client.post(
        reverse("agreements:new"),
        {"form": "read", "text-file": SimpleUploadedFile("moa.txt", MOA_TEXT.read_bytes())},
    )
    reading = TextReading.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/new/read/{reading.pk}/")
    assert Agreement.objects.count() == before
    assert (
        reading.proposals.filter(status=ReadingProposal.Status.PROPOSED).count() == reading.proposals.count()
    )


def test_the_review_shows_the_text_beside_the_proposals_with_the_chosen_clause_highlighted(
    client, doc_admin, reading
):
    client.force_login(doc_admin)
    term = reading.proposals.get(kind="term")
    response = client.get(
        reverse("agreements:reading_review", kwargs={"pk": reading.pk}), {"proposal": term.position}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Clause VII"' in page and "reading-clause-highlight" in page
    highlighted = page.split("reading-clause-highlight", 1)[1][:400]
    assert "VII" in highlighted
    assert "Termination rules" in page and "Recurring obligation" in page


def test_an_empty_text_is_refused_on_the_form_and_nothing_is_kept(client, doc_admin, moa):
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:new"), {"form": "read", "text-file": SimpleUploadedFile("moa.txt", b"")}
    )
    assert response.status_code == 200
    assert not TextReading.objects.exists()


def test_a_text_without_structure_is_refused_with_that_reason(client, doc_admin, moa):
    client.force_login(doc_admin)
    data = b"We talked about data on Tuesday. It went well and we will talk again.\n"
    response = client.post(
        reverse("agreements:new"), {"form": "read", "text-file": SimpleUploadedFile("n.txt", data)}
    )
    assert "no structure found" in response.content.decode()
    assert not TextReading.objects.exists()


def test_confirming_a_proposal_records_who_and_raises_its_version(client, doc_admin, reading):
    client.force_login(doc_admin)
    party = reading.proposals.filter(kind="party").first()
    response = _decide(client, reading, party, "confirm")
    party.refresh_from_db()
    assert response.status_code == 302
    assert (party.status, party.version, party.decided_by) == (ReadingProposal.Status.CONFIRMED, 2, doc_admin)
    assert party.history.count() == 2


def test_a_decision_from_a_stale_page_is_refused_saying_what_it_is_now(client, doc_admin, reading):
    client.force_login(doc_admin)
    party = reading.proposals.filter(kind="party").first()
    _decide(client, reading, party, "ignore")
    response = _decide(client, reading, party, "confirm")  # the page still had version 1
    party.refresh_from_db()
    assert response.status_code == 200
    assert "changed since you opened the page" in response.content.decode()
    assert party.status == ReadingProposal.Status.IGNORED


def test_an_edit_with_a_field_the_proposal_does_not_have_is_refused(client, doc_admin, reading):
    client.force_login(doc_admin)
    term = reading.proposals.get(kind="term")
    response = _decide(client, reading, term, "edit", "section: VII\ncolour: blue\n")
    term.refresh_from_db()
    assert "unknown field(s) colour" in response.content.decode()
    assert (term.status, term.version) == (ReadingProposal.Status.PROPOSED, 1)


def test_only_confirmed_proposals_go_into_the_draft(doc_admin, reading):
    for proposal in reading.proposals.exclude(kind="commitment"):
        drafting.reading_proposal_decide(
            acting_user=doc_admin, proposal=proposal, decision="confirm", expected_version=proposal.version
        )
    kept = reading.proposals.filter(kind="commitment").first()
    drafting.reading_proposal_decide(
        acting_user=doc_admin, proposal=kept, decision="confirm", expected_version=kept.version
    )
    content = drafting.confirmed_file(reading)
    assert content.count("leads:") == 1


def test_an_edited_value_is_what_goes_into_the_draft(doc_admin, reading):
    term = reading.proposals.get(kind="term")
    drafting.reading_proposal_decide(
        acting_user=doc_admin,
        proposal=term,
        decision="edit",
        expected_version=1,
        value_text="section: VII\nstarts: execution\nends: after\nlength: {years: 4}\n",
    )
    assert "years: 4" in drafting.confirmed_file(reading)


def test_a_draft_without_confirmed_parties_is_refused(client, doc_admin, reading):
    client.force_login(doc_admin)
    response = client.post(reverse("agreements:reading_draft", kwargs={"pk": reading.pk}))
    assert response.status_code == 200
    assert "Confirm the parties first" in response.content.decode()
    assert not DraftUpload.objects.exists()


def test_the_confirmed_draft_goes_on_to_the_lifecycle_preview_and_confirmation(client, doc_admin, reading):
    client.force_login(doc_admin)
    for proposal in reading.proposals.all():
        drafting.reading_proposal_decide(
            acting_user=doc_admin, proposal=proposal, decision="confirm", expected_version=proposal.version
        )
    response = client.post(reverse("agreements:reading_draft", kwargs={"pk": reading.pk}))
    upload = DraftUpload.objects.get()
    assert response["Location"] == reverse("agreements:upload_preview", kwargs={"pk": upload.pk})
    result = lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=upload, sha256=upload.sha256)
    draft = result.agreement
    assert draft.executed_on is None
    assert draft.sections.count() == 57
    assert draft.commitments.count() == 30


def test_another_admins_review_is_not_found(client, reading, dhs):
    from agreements.permissions import ADMIN
    from agreements.tests.factories import UserFactory

    other = UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])
    client.force_login(other)
    assert client.get(reverse("agreements:reading_review", kwargs={"pk": reading.pk})).status_code == 404
