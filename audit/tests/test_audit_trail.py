"""Every kind of change leaves an audit row with who, when and the fields; admins read it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords

from activities.tests.factories import MeetingFactory, OutreachEventFactory, ProgressUpdateFactory
from agreements import drafts, lifecycle
from agreements.permissions import ADMIN, MANAGER, STAFF
from agreements.tests.factories import PartyFactory, UserFactory
from audit.selectors import AuditFilters, audit_log, changes_of
from core.admin import ReadOnlyHistoryAdmin


def _opened_version(client, user) -> str:
    """The version the user's edit page is opened at (its edit-conflict check)."""
    return client.get(reverse("people:edit", args=[user.pk])).context["form"].initial["version"]


@contextmanager
def acting_as(user) -> Iterator[None]:
    """What HistoryRequestMiddleware does for a request: saves inside are attributed to `user`."""
    request = RequestFactory().get("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request


def _log_page(client, **params) -> str:
    return client.get(reverse("audit:log"), params).content.decode()


def test_agreement_change_is_recorded_with_user_and_fields(client, moa, doc_admin):
    with acting_as(doc_admin):
        moa.funding_note = "No funds are obligated."
        moa.save()
    record = moa.history.first()
    assert (record.history_user, record.history_type) == (doc_admin, "~")
    client.force_login(doc_admin)
    page = _log_page(client, model="agreement")
    assert "Funding note:</span>" in page and "→ No funds are obligated." in page


def test_contact_change_is_recorded_with_old_and_new_value(client, moa, doc, doc_admin):
    contact = moa.points_of_contact.filter(party=doc).first()
    with acting_as(doc_admin):
        contact.person_name = "Pat Doe"
        contact.save()
    client.force_login(doc_admin)
    assert "Person name:</span> — → Pat Doe" in _log_page(client, model="contact")


def test_signatory_change_is_recorded(client, moa, doc_admin):
    signatory = moa.signatories.first()
    old_title = signatory.title
    with acting_as(doc_admin):
        signatory.title = "Acting Assistant Secretary"
        signatory.save()
    client.force_login(doc_admin)
    assert f"Title:</span> {old_title} → Acting Assistant Secretary" in _log_page(client, model="signatory")


def test_progress_update_creation_is_recorded(client, moa, doc, doc_staff, doc_admin):
    item = (
        moa.commitments.filter(lead_parties=doc)
        .exclude(lead_parties__in=moa.parties.exclude(pk=doc.pk))
        .first()
    )
    with acting_as(doc_staff):
        update = ProgressUpdateFactory(
            commitment=item, reporting_party=doc, author=doc_staff, narrative="Drafted the guide."
        )
    record = update.history.get()
    assert (record.history_user, record.history_type) == (doc_staff, "+")
    client.force_login(doc_admin)
    assert "Narrative:</span> — → Drafted the guide." in _log_page(client, model="progress-update")


def test_meeting_change_is_recorded(client, moa, doc_staff, doc_admin):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    with acting_as(doc_staff):
        meeting.minutes = "Agreed the outreach calendar."
        meeting.save()
    assert meeting.history.first().history_user == doc_staff
    client.force_login(doc_admin)
    assert "Agreed the outreach calendar." in _log_page(client, model="meeting")


def test_outreach_event_change_is_recorded(client, moa, doc, doc_staff, doc_admin):
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    with acting_as(doc_staff):
        event.attendance = 150
        event.save()
    client.force_login(doc_admin)
    assert "Attendance:</span> 120 → 150" in _log_page(client, model="event")


def test_a_change_of_an_events_audiences_is_recorded_as_their_keys(client, moa, doc, doc_staff, doc_admin):
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    with acting_as(doc_staff):
        event.audiences = ["platforms", "enterprises"]
        event.save()
    client.force_login(doc_admin)
    assert "platforms → platforms, enterprises" in _log_page(client, model="event")


def test_user_creation_through_the_people_page_is_recorded_with_the_admin(client, doc, doc_admin):
    client.force_login(doc_admin)
    response = client.post(
        reverse("people:create"),
        {"username": "new.analyst", "email": "new.analyst@example.gov", "party": doc.pk, "roles": [STAFF]},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="new.analyst")
    assert user.history.last().history_user == doc_admin
    assert user.membership.party == doc
    assert list(user.groups.values_list("name", flat=True)) == [STAFF]


def test_role_change_is_recorded_as_a_change_of_groups(client, doc, doc_staff, doc_admin):
    client.force_login(doc_admin)
    client.post(
        reverse("people:edit", args=[doc_staff.pk]),
        {
            "email": doc_staff.email,
            "party": doc.pk,
            "roles": [STAFF, MANAGER],
            "is_active": "on",
            "version": _opened_version(client, doc_staff),
        },
    )
    latest = doc_staff.history.first()
    assert latest.history_user == doc_admin
    changes = {c.field: (c.old, c.new) for c in changes_of(latest)}
    assert changes["groups"] == ("Staff", "Manager, Staff")


def test_user_deactivation_is_recorded(client, doc, doc_staff, doc_admin):
    client.force_login(doc_admin)
    client.post(
        reverse("people:edit", args=[doc_staff.pk]),
        {
            "email": doc_staff.email,
            "party": doc.pk,
            "roles": [STAFF],
            "version": _opened_version(client, doc_staff),
        },
    )
    doc_staff.refresh_from_db()
    assert not doc_staff.is_active
    changes = {c.field: (c.old, c.new) for c in changes_of(doc_staff.history.first())}
    assert changes["active"] == ("Yes", "No")


def test_sign_in_adds_no_row_to_the_user_history(client, doc_staff):
    before = doc_staff.history.count()
    client.post(
        reverse("login"), {"username": doc_staff.username, "password": "correct-horse-battery-staple"}
    )
    assert doc_staff.history.count() == before


def test_log_filters_by_user(client, moa, doc, doc_admin, doc_staff):
    contact = moa.points_of_contact.filter(party=doc).first()
    with acting_as(doc_staff):
        contact.phone = "202-555-0101"
        contact.save()
    with acting_as(doc_admin):
        contact.phone = "202-555-0102"
        contact.save()
    entries, _ = audit_log(reader=doc_admin, filters=AuditFilters(user=doc_staff.username))
    assert [e.who for e in entries] == [doc_staff.get_full_name()]


def test_log_filters_by_date(moa, doc, doc_admin):
    entries, _ = audit_log(reader=doc_admin, filters=AuditFilters(date_to=datetime.date(2000, 1, 1)))
    assert entries == []


def test_log_filtered_by_agreement_shows_only_its_records(moa, doc_admin, doc):
    from agreements.tests.factories import AgreementFactory

    other = AgreementFactory(parties=[doc, PartyFactory(acronym="OTH")])
    entries, _ = audit_log(reader=doc_admin, filters=AuditFilters(model="agreement", agreement=other))
    assert {e.object_id for e in entries} == {other.pk}


def test_log_hides_records_of_agreements_the_admin_cannot_see(moa, doc_admin):
    from agreements.tests.factories import AgreementFactory

    hidden = AgreementFactory(parties=[PartyFactory(acronym="XA"), PartyFactory(acronym="XB")])
    entries, _ = audit_log(reader=doc_admin, filters=AuditFilters(model="agreement"))
    assert hidden.pk not in {e.object_id for e in entries}


def test_record_history_is_404_for_a_record_the_admin_cannot_see(client, doc_admin, moa):
    from agreements.tests.factories import AgreementFactory

    hidden = AgreementFactory(parties=[PartyFactory(acronym="XA"), PartyFactory(acronym="XB")])
    client.force_login(doc_admin)
    assert client.get(reverse("audit:object_history", args=["agreement", hidden.pk])).status_code == 404


def test_log_cannot_be_changed_through_the_portal(client, doc_admin, moa):
    client.force_login(doc_admin)
    assert client.post(reverse("audit:log")).status_code == 405
    assert client.post(reverse("audit:object_history", args=["agreement", moa.pk])).status_code == 405


@pytest.mark.django_db
def test_every_history_admin_in_the_admin_site_is_read_only():
    history_admins = [ma for ma in admin.site._registry.values() if isinstance(ma, SimpleHistoryAdmin)]
    assert history_admins
    assert all(isinstance(ma, ReadOnlyHistoryAdmin) for ma in history_admins)


def test_admin_site_refuses_to_revert_a_contact_to_an_old_version(client, moa, doc):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    contact = moa.points_of_contact.filter(party=doc).first()
    old = contact.history.first()
    contact.person_name = "Pat Doe"
    contact.save()
    client.force_login(superuser)
    url = reverse("admin:contacts_pointofcontact_simple_history", args=[contact.pk, old.history_id])
    response = client.post(url, {"role_title": contact.role_title, "active_from": "2017-10-19"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.person_name == "Pat Doe"


def test_staff_cannot_read_the_audit_log(client, doc_staff):
    client.force_login(doc_staff)
    assert client.get(reverse("audit:log")).status_code == 403


def test_admin_manages_only_users_of_their_own_party(client, doc_admin, dhs_staff):
    client.force_login(doc_admin)
    assert client.get(reverse("people:edit", args=[dhs_staff.pk])).status_code == 404
    assert dhs_staff.username not in client.get(reverse("people:list")).content.decode()


def test_admin_cannot_remove_their_own_admin_role(client, doc, doc_admin):
    client.force_login(doc_admin)
    response = client.post(
        reverse("people:edit", args=[doc_admin.pk]),
        {
            "email": doc_admin.email,
            "party": doc.pk,
            "roles": [STAFF],
            "is_active": "on",
            "version": _opened_version(client, doc_admin),
        },
    )
    assert response.status_code == 200
    assert doc_admin.groups.filter(name=ADMIN).exists()


def test_new_user_gets_an_email_to_choose_a_password(client, doc, doc_admin, mailoutbox):
    client.force_login(doc_admin)
    client.post(
        reverse("people:create"),
        {"username": "new.analyst", "email": "new.analyst@example.gov", "party": doc.pk, "roles": [STAFF]},
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.analyst@example.gov"]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_a_draft_edited_in_the_portal_is_in_the_log_with_the_admin(client, doc, dhs, doc_admin):
    draft = lifecycle.agreement_draft_create(
        acting_user=doc_admin,
        slug="audited-draft",
        short_name="Audited draft",
        title="An audited draft",
        kind="mou",
        parties=[doc, dhs],
        purpose="",
        term_years=2,
    )
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:draft_clause_new", args=[draft.slug]),
        {"number": "I", "heading": "Purpose", "text": "To test the trail."},
    )
    assert response.status_code == 302
    clause = draft.sections.get()
    with acting_as(doc_admin):
        drafts.obligation_create(
            acting_user=doc_admin,
            agreement=draft,
            values={
                "code": "REPORT-A",
                "kind": "report",
                "title": "Annual report",
                "section": clause,
                "parties": [doc, dhs],
                "cadence": "annual",
                "anchor": "calendar",
                "window_days": 60,
            },
        )
    assert clause.history.get().history_user == doc_admin
    page = _log_page(client, model="clause")
    assert "Purpose" in page and "To test the trail." in page
    assert "Annual report" in _log_page(client, model="obligation")


def test_a_webhook_subscription_change_is_in_the_log_of_its_partys_admins_only(client, doc, doc_admin):
    WebhookSubscription = apps.get_model("notifications", "WebhookSubscription")  # a sibling app's
    dhs_admin = UserFactory(username="dhs.admin.audit", party=PartyFactory(acronym="DHX"), roles=[ADMIN])
    with acting_as(doc_admin):
        subscription = WebhookSubscription.objects.create(
            party=doc,
            name="DOC dashboard",
            url="https://hooks.example.gov/moa",
            events=["update.logged"],
            secret="whsec_c2VjcmV0LW5vdC1pbi10aGUtbG9n",
        )
    client.force_login(doc_admin)
    page = _log_page(client, model="webhook")
    assert "DOC dashboard" in page and subscription.secret not in page
    entries, _ = audit_log(reader=dhs_admin, filters=AuditFilters(model="webhook"))
    assert entries == []
