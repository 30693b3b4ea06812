"""A wrong evidence file is withdrawn with a reason: it stays on the record and in the history,
shown as withdrawn with the reason, and only admins can still download it."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import Evidence
from activities.tests import files
from activities.tests.factories import MeetingFactory, ProgressUpdateFactory

REASON = "Uploaded to the wrong update."


@pytest.fixture
def update(moa, doc, doc_staff):
    item = moa.commitments.get(code="DOC-A1")
    return ProgressUpdateFactory(
        commitment=item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on
    )


@pytest.fixture
def evidence(update, doc_staff) -> Evidence:
    return services.evidence_attach(
        files=[files.pdf("wrong.pdf")], acting_user=doc_staff, progress_update=update
    )[0]


def _withdraw(client, evidence, reason=REASON):
    return client.post(
        reverse("activities:evidence_withdraw", args=[evidence.pk]), {"withdrawal_reason": reason}
    )


def test_the_items_reporting_staff_withdraw_a_file_with_a_reason(client, doc_staff, evidence):
    client.force_login(doc_staff)
    assert _withdraw(client, evidence).status_code == 302
    evidence.refresh_from_db()
    assert (evidence.is_withdrawn, evidence.withdrawal_reason, evidence.withdrawn_by) == (
        True,
        REASON,
        doc_staff,
    )


def test_the_withdrawn_file_stays_on_record_and_in_the_history(client, doc_staff, evidence):
    client.force_login(doc_staff)
    _withdraw(client, evidence)
    assert Evidence.objects.filter(pk=evidence.pk).exists() and evidence.file.storage.exists(
        evidence.file.name
    )
    latest = evidence.history.order_by("-history_date").first()
    assert (latest.withdrawal_reason, latest.history_user) == (REASON, doc_staff)


def test_the_item_page_shows_it_withdrawn_with_the_reason_and_no_link(client, doc_staff, evidence, update):
    client.force_login(doc_staff)
    _withdraw(client, evidence)
    html = client.get(update.commitment.get_absolute_url()).content.decode()
    assert "data-withdrawn" in html and REASON in html
    assert reverse("activities:evidence_download", args=[evidence.pk]) not in html


def test_staff_can_no_longer_download_it(client, doc_staff, evidence):
    client.force_login(doc_staff)
    _withdraw(client, evidence)
    response = client.get(reverse("activities:evidence_download", args=[evidence.pk]))
    assert response.status_code == 403
    assert "was withdrawn" in response.content.decode()


def test_an_admin_can_still_download_it(client, doc_staff, doc_admin, evidence):
    client.force_login(doc_staff)
    _withdraw(client, evidence)
    client.force_login(doc_admin)
    assert client.get(reverse("activities:evidence_download", args=[evidence.pk])).status_code == 200


def test_staff_of_a_party_not_leading_the_item_cannot_withdraw_and_nothing_changes(
    client, dhs_staff, evidence
):
    client.force_login(dhs_staff)
    assert _withdraw(client, evidence).status_code == 403
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def test_a_user_of_a_party_not_on_the_agreement_cannot_find_it(client, outsider, evidence):
    client.force_login(outsider)
    assert _withdraw(client, evidence).status_code == 404
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def test_a_withdrawal_without_a_reason_is_refused(client, doc_staff, evidence):
    client.force_login(doc_staff)
    _withdraw(client, evidence, reason="  ")
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def test_a_file_is_withdrawn_once_the_first_reason_kept(client, doc_staff, evidence):
    client.force_login(doc_staff)
    _withdraw(client, evidence)
    _withdraw(client, evidence, reason="Another reason.")
    evidence.refresh_from_db()
    assert evidence.withdrawal_reason == REASON


def test_any_partys_staff_withdraw_a_meetings_file(client, dhs_staff, doc_staff, moa):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    file = services.evidence_attach(files=[files.pdf("m.pdf")], acting_user=doc_staff, meeting=meeting)[0]
    client.force_login(dhs_staff)
    assert _withdraw(client, file)["Location"] == meeting.get_absolute_url()
    file.refresh_from_db()
    assert file.is_withdrawn
