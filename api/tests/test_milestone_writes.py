"""Milestones edited, completed and cancelled through the API: the milestone pages' permission
function (`can_manage_milestones`), services and version check."""

from __future__ import annotations

import datetime

import pytest

from activities.models import Milestone
from activities.tests.factories import MilestoneFactory
from core.time import today

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db

DUE = datetime.date(2018, 3, 31)


@pytest.fixture
def milestone(moa, doc_staff):
    return MilestoneFactory(commitment=moa.commitments.get(code="DOC-A1"), owner_user=doc_staff, due_on=DUE)


def _url(milestone, action=""):
    return f"/api/v1/milestones/{milestone.pk}/" + (f"{action}/" if action else "")


def _unchanged(milestone) -> bool:
    """The milestone as the fixture made it: version 1, open, with its title and due date."""
    current = Milestone.objects.get(pk=milestone.pk)
    return (current.version, current.title, current.due_on, current.completed_on, current.cancelled_on) == (
        1,
        milestone.title,
        DUE,
        None,
        None,
    )


def test_a_milestone_is_read_with_its_version_as_etag(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).get(_url(milestone))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_lead_party_staff_edit_only_the_fields_sent_with_the_etag(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).patch(
        _url(milestone), {"due_on": "2018-05-31"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.title, current.due_on, current.owner_user) == (
        milestone.title,
        datetime.date(2018, 5, 31),
        doc_staff,
    )
    assert response["ETag"] == '"2"' and response.json()["version"] == 2
    assert current.history.first().history_user == doc_staff


def test_the_version_may_be_sent_in_the_body_instead_of_if_match(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).patch(
        _url(milestone), {"title": "Draft the plan", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Milestone.objects.get(pk=milestone.pk).title == "Draft the plan"


def test_an_edit_without_the_version_is_a_428_and_nothing_changes(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).patch(_url(milestone), {"title": "New"}, format="json")
    assert response.status_code == 428
    assert _unchanged(milestone)


def test_an_edit_at_a_stale_version_is_a_409_and_nothing_changes(doc_staff, doc_manager, milestone):
    api = client_with(make_token(doc_staff))
    read = api.get(_url(milestone))["ETag"]
    client_with(make_token(doc_manager)).post(
        _url(milestone, "complete"), {"completed_on": "2018-03-30"}, format="json", HTTP_IF_MATCH=read
    )
    response = api.patch(_url(milestone), {"title": "Too late"}, format="json", HTTP_IF_MATCH=read)
    assert response.status_code == 409
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.title, current.version) == (milestone.title, 2)


def test_naming_a_point_of_contact_as_owner_replaces_the_user(doc_staff, milestone, moa, doc):
    contact = moa.points_of_contact.active().filter(party=doc).first()
    response = client_with(make_token(doc_staff)).patch(
        _url(milestone), {"owner_contact": contact.pk}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.owner_user, current.owner_contact) == (None, contact)


def test_an_owner_from_outside_the_agreement_is_refused_and_nothing_changes(doc_staff, outsider, milestone):
    response = client_with(make_token(doc_staff)).patch(
        _url(milestone), {"owner_user": outsider.pk}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "owner_user" in response.json()
    assert _unchanged(milestone)


def test_a_due_date_before_the_agreements_execution_is_refused(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).patch(
        _url(milestone), {"due_on": "2017-01-01"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "due_on" in response.json()
    assert _unchanged(milestone)


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("patch", "", {"title": "Not theirs"}),
        ("post", "complete", {"completed_on": "2018-03-30"}),
        ("post", "cancel", {"cancel_reason": "Not theirs to cancel."}),
    ],
)
def test_staff_of_another_party_are_refused_with_403_and_nothing_changes(
    method, action, body, dhs_staff, milestone
):
    api = client_with(make_token(dhs_staff))
    response = getattr(api, method)(_url(milestone, action), body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert "DOC-A1 is led by DOC" in response.json()["detail"]
    assert _unchanged(milestone)


@pytest.mark.parametrize("action", ["", "complete", "cancel"])
def test_a_milestone_of_an_agreement_not_seen_is_a_404(action, outsider, milestone):
    api = client_with(make_token(outsider))
    method = api.patch if not action else api.post
    response = method(_url(milestone, action), {"cancel_reason": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 404
    assert _unchanged(milestone)


def test_a_manager_of_the_lead_party_completes_a_milestone_on_a_day(doc_manager, milestone):
    response = client_with(make_token(doc_manager)).post(
        _url(milestone, "complete"), {"completed_on": "2018-03-30"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    assert response.json()["completed_on"] == "2018-03-30"
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.completed_on, current.version) == (datetime.date(2018, 3, 30), 2)
    assert current.history.first().history_user == doc_manager


def test_a_completion_without_a_day_is_today(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).post(
        _url(milestone, "complete"), {}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    assert Milestone.objects.get(pk=milestone.pk).completed_on == today()


def test_a_completion_in_the_future_is_refused(doc_staff, milestone):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = client_with(make_token(doc_staff)).post(
        _url(milestone, "complete"), {"completed_on": tomorrow}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "completed_on" in response.json()
    assert _unchanged(milestone)


def test_a_second_completion_is_refused_and_the_first_stays(doc_staff, milestone):
    api = client_with(make_token(doc_staff))
    api.post(_url(milestone, "complete"), {"completed_on": "2018-03-30"}, format="json", HTTP_IF_MATCH='"1"')
    response = api.post(
        _url(milestone, "complete"), {"completed_on": "2018-04-30"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 400
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.completed_on, current.version) == (datetime.date(2018, 3, 30), 2)


def test_a_completion_at_a_stale_version_is_a_409(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).post(
        _url(milestone, "complete"), {"completed_on": "2018-03-30", "version": 7}, format="json"
    )
    assert response.status_code == 409
    assert _unchanged(milestone)


def test_lead_party_staff_cancel_a_milestone_with_a_reason_that_is_kept(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).post(
        _url(milestone, "cancel"), {"cancel_reason": "Planned twice."}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.cancelled_on, current.cancel_reason, current.cancelled_by) == (
        today(),
        "Planned twice.",
        doc_staff,
    )
    assert response.json()["cancel_reason"] == "Planned twice."


def test_a_cancel_without_a_reason_is_refused(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).post(
        _url(milestone, "cancel"), {"cancel_reason": "   "}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "cancel_reason" in response.json()
    assert _unchanged(milestone)


def test_a_cancel_without_the_version_is_a_428(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).post(
        _url(milestone, "cancel"), {"cancel_reason": "Planned twice."}, format="json"
    )
    assert response.status_code == 428
    assert _unchanged(milestone)


def test_a_cancelled_milestone_is_not_edited(doc_staff, milestone):
    api = client_with(make_token(doc_staff))
    api.post(
        _url(milestone, "cancel"), {"cancel_reason": "Planned twice."}, format="json", HTTP_IF_MATCH='"1"'
    )
    response = api.patch(_url(milestone), {"title": "Back again"}, format="json", HTTP_IF_MATCH='"2"')
    assert response.status_code == 400
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.title, current.version) == (milestone.title, 2)


def test_a_put_is_not_allowed(doc_staff, milestone):
    response = client_with(make_token(doc_staff)).put(
        _url(milestone), {"title": "Whole"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 405
    assert _unchanged(milestone)
