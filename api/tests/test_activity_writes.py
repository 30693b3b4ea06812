"""Meetings and outreach events written through the API: the pages' rules, forms and services."""

from __future__ import annotations

import pytest

from activities.models import FollowUpAction, Meeting, OutreachEvent
from activities.tests.factories import MeetingFactory, OutreachEventFactory
from api.models import AccessToken

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"
EVENTS = "/api/v1/outreach-events/"


def _meeting(moa, **extra):
    return {
        "agreement": moa.slug,
        "kind": "quarterly",
        "title": "Quarterly call, spring",
        "starts_at": "2021-05-12T10:00:00-04:00",
        "format": "call",
        **extra,
    }


def _event(moa, **extra):
    return {
        "agreement": moa.slug,
        "title": "Exporters forum",
        "held_on": "2021-04-20",
        "city": "Chicago",
        "country": "United States",
        "place": "us",
        "audiences": ["platforms"],
        "attendance": 80,
        **extra,
    }


def test_staff_of_a_party_record_a_meeting_with_attendees_items_and_follow_ups(moa, doc_staff, dhs_staff):
    item = moa.commitments.order_by("position").first()
    body = _meeting(
        moa,
        attendee_users=[doc_staff.pk, dhs_staff.pk],
        commitments=[item.pk],
        follow_ups=[
            {"description": "Circulate the notes.", "owner_user": dhs_staff.pk, "due_on": "2021-06-01"}
        ],
    )
    response = client_with(make_token(doc_staff)).post(MEETINGS, body, format="json")
    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get()
    assert response["ETag"] == f'"{meeting.version}"'
    assert meeting.organiser == doc_staff
    assert set(meeting.attendee_users.all()) == {doc_staff, dhs_staff}
    assert list(meeting.items.all()) == [item]
    assert FollowUpAction.objects.get().owner_user == dhs_staff
    assert response.json()["commitments"] == [item.pk]
    assert meeting.history.first().history_user == doc_staff


def test_a_meeting_kind_the_agreement_does_not_name_is_refused_beside_the_field(moa, doc_staff):
    response = client_with(make_token(doc_staff)).post(
        MEETINGS, _meeting(moa, kind="tea-party"), format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()
    assert not Meeting.objects.exists()


def test_an_attendee_from_outside_the_agreement_is_refused_and_nothing_is_saved(moa, doc_staff, outsider):
    response = client_with(make_token(doc_staff)).post(
        MEETINGS, _meeting(moa, attendee_users=[outsider.pk]), format="json"
    )
    assert response.status_code == 400 and "attendee_users" in response.json()
    assert not Meeting.objects.exists()


def test_a_follow_up_due_before_its_meeting_is_refused_and_nothing_is_saved(moa, doc_staff):
    body = _meeting(
        moa, follow_ups=[{"description": "Too early.", "owner_user": doc_staff.pk, "due_on": "2021-05-01"}]
    )
    response = client_with(make_token(doc_staff)).post(MEETINGS, body, format="json")
    assert response.status_code == 400
    assert response.json()["follow_ups"][0].startswith("Follow-up 1: due_on:")
    assert not Meeting.objects.exists() and not FollowUpAction.objects.exists()


def test_a_second_meeting_of_the_kind_on_the_day_needs_confirming(moa, doc_staff):
    api = client_with(make_token(doc_staff))
    assert api.post(MEETINGS, _meeting(moa), format="json").status_code == 201
    again = api.post(MEETINGS, _meeting(moa, title="The same call"), format="json")
    assert again.status_code == 400 and "confirm_duplicate" in again.json()
    confirmed = api.post(
        MEETINGS, _meeting(moa, title="The same call", confirm_duplicate=True), format="json"
    )
    assert confirmed.status_code == 201
    assert Meeting.objects.count() == 2


def test_a_user_of_a_party_not_on_the_agreement_cannot_record_a_meeting(moa, outsider):
    response = client_with(make_token(outsider)).post(MEETINGS, _meeting(moa), format="json")
    assert response.status_code == 400 and response.json()["agreement"]
    assert not Meeting.objects.exists()


def test_a_read_only_token_cannot_record_a_meeting(moa, doc_staff):
    api = client_with(make_token(doc_staff, AccessToken.Scope.READ))
    assert api.post(MEETINGS, _meeting(moa), format="json").status_code == 403
    assert not Meeting.objects.exists()


def test_a_meeting_edit_changes_only_what_is_sent_and_needs_the_version(moa, doc_staff):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff, location="Room 1")
    api = client_with(make_token(doc_staff))
    assert api.patch(f"{MEETINGS}{meeting.pk}/", {"minutes": "Agreed."}, format="json").status_code == 428
    read = api.get(f"{MEETINGS}{meeting.pk}/")
    response = api.patch(
        f"{MEETINGS}{meeting.pk}/", {"minutes": "Agreed."}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.location, meeting.title) == ("Agreed.", "Room 1", "Quarterly call")
    stale = api.patch(
        f"{MEETINGS}{meeting.pk}/", {"minutes": "Overwritten."}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert stale.status_code == 409
    meeting.refresh_from_db()
    assert meeting.minutes == "Agreed."


def test_staff_of_the_other_party_cannot_change_a_meeting_on_its_own_items(moa, doc, doc_staff, dhs_staff):
    own_item = moa.commitments.filter(lead_parties=doc).exclude(lead_parties__acronym="DHS").first()
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    meeting.items.set([own_item])
    response = client_with(make_token(dhs_staff)).patch(
        f"{MEETINGS}{meeting.pk}/", {"title": "Renamed", "version": meeting.version}, format="json"
    )
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.title == "Quarterly call" and meeting.version == 1


def test_staff_record_an_outreach_event_for_their_own_party(moa, doc_staff):
    response = client_with(make_token(doc_staff)).post(EVENTS, _event(moa), format="json")
    assert response.status_code == 201, response.json()
    event = OutreachEvent.objects.get()
    assert response.json()["organising_party"] == "DOC"
    assert event.created_by == doc_staff and event.audiences == ["platforms"]
    # As on the page, an event with no commitments named serves those its obligations carry out.
    assert set(event.items.all()) == set(moa.commitments.filter(obligations__kind="event").distinct())


def test_an_event_for_another_party_is_refused(moa, doc_staff):
    response = client_with(make_token(doc_staff)).post(
        EVENTS, _event(moa, organising_party="DHS"), format="json"
    )
    assert response.status_code == 400 and "organising_party" in response.json()
    assert not OutreachEvent.objects.exists()


def test_an_audience_the_agreement_does_not_name_is_refused(moa, doc_staff):
    response = client_with(make_token(doc_staff)).post(
        EVENTS, _event(moa, audiences=["pirates"]), format="json"
    )
    assert response.status_code == 400 and "audiences" in response.json()
    assert not OutreachEvent.objects.exists()


def test_an_outsider_cannot_record_or_change_an_event(moa, doc, doc_staff, outsider):
    api = client_with(make_token(outsider))
    assert api.post(EVENTS, _event(moa), format="json").status_code == 400
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    assert api.patch(f"{EVENTS}{event.pk}/", {"title": "X", "version": 1}, format="json").status_code == 404
    assert OutreachEvent.objects.get().title == "E-commerce exporters forum"


def test_an_event_edit_needs_the_version_and_a_stale_one_is_a_409(moa, doc, doc_staff):
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    api = client_with(make_token(doc_staff))
    ok = api.patch(f"{EVENTS}{event.pk}/", {"attendance": 95}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200, ok.json()
    assert ok["ETag"] == '"2"'
    stale = api.patch(f"{EVENTS}{event.pk}/", {"attendance": 5}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    event.refresh_from_db()
    assert (event.attendance, event.city) == (95, "Chicago")


def test_staff_of_the_other_party_cannot_change_its_event(moa, doc, doc_staff, dhs_staff):
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    event.items.set(moa.commitments.filter(lead_parties=doc).exclude(lead_parties__acronym="DHS")[:1])
    response = client_with(make_token(dhs_staff)).patch(
        f"{EVENTS}{event.pk}/", {"attendance": 1}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.attendance == 120 and event.version == 1
