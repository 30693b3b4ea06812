"""Each follow-up action is closed on its own, from the meeting page or from My work, by staff of
the agreement's parties or by its owner; the rest of the meeting's record is untouched."""

import datetime

import pytest
from django.urls import reverse

from activities.models import FollowUpAction
from activities.tests.factories import FollowUpActionFactory, MeetingFactory
from agreements.tests.factories import UserFactory
from core.time import today

DONE = datetime.date(2021, 5, 20)  # after the factory meeting (2021-05-12)


@pytest.fixture
def meeting(moa, doc_staff):
    return MeetingFactory(agreement=moa, organiser=doc_staff)


@pytest.fixture
def action(meeting, doc_staff):
    return FollowUpActionFactory(meeting=meeting, owner_user=doc_staff)


def _close(client, action, day=DONE, **extra):
    return client.post(
        reverse("activities:follow_up_complete", args=[action.pk]), {"completed_on": day, **extra}
    )


def test_the_owner_closes_their_action_from_my_work(client, doc_staff, action):
    client.force_login(doc_staff)
    response = _close(client, action, return_to="my_work")
    assert response["Location"] == reverse("my_work")
    action.refresh_from_db()
    assert action.completed_on == DONE


def test_my_work_offers_to_close_the_owners_open_actions(client, doc_staff, action):
    client.force_login(doc_staff)
    html = client.get(reverse("my_work")).content.decode()
    assert f'data-close-follow-up="{action.pk}"' in html


def test_staff_of_another_party_close_it_from_the_meeting_page(client, dhs_staff, action, meeting):
    client.force_login(dhs_staff)
    response = _close(client, action)
    assert response["Location"] == meeting.get_absolute_url()
    action.refresh_from_db()
    assert action.completed_on == DONE


def test_closing_one_action_leaves_the_others_open(client, doc_staff, action, meeting):
    other = FollowUpActionFactory(meeting=meeting, owner_user=doc_staff)
    client.force_login(doc_staff)
    _close(client, action)
    other.refresh_from_db()
    assert other.completed_on is None


def test_the_meeting_page_offers_to_close_each_open_action(client, dhs_staff, action, meeting):
    client.force_login(dhs_staff)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert f'data-close-follow-up="{action.pk}"' in html


def test_the_closing_is_in_the_audit_trail(client, dhs_staff, action):
    client.force_login(dhs_staff)
    _close(client, action)
    latest = action.history.order_by("-history_date").first()
    assert (latest.completed_on, latest.history_user) == (DONE, dhs_staff)


def test_a_user_of_a_party_not_on_the_agreement_cannot_find_it(client, outsider, action):
    client.force_login(outsider)
    assert _close(client, action).status_code == 404
    action.refresh_from_db()
    assert action.completed_on is None


def test_a_user_without_a_role_cannot_find_it(client, doc, action):
    no_role = UserFactory(username="doc.norole", party=doc, roles=[])
    client.force_login(no_role)
    assert _close(client, action).status_code == 404
    action.refresh_from_db()
    assert action.completed_on is None


def test_a_closed_action_cannot_be_closed_again(client, doc_staff, action):
    client.force_login(doc_staff)
    _close(client, action)
    response = _close(client, action, day=datetime.date(2021, 6, 1), return_to="my_work")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already closed on May 20, 2021" in m for m in messages)
    action.refresh_from_db()
    assert action.completed_on == DONE


def test_a_day_in_the_future_is_refused(client, doc_staff, action):
    client.force_login(doc_staff)
    _close(client, action, day=today() + datetime.timedelta(days=3))
    action.refresh_from_db()
    assert action.completed_on is None


def test_a_day_before_the_meeting_is_refused(client, doc_staff, action):
    client.force_login(doc_staff)
    response = _close(client, action, day=datetime.date(2021, 5, 11))
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("was on May 12, 2021" in m for m in messages)
    action.refresh_from_db()
    assert action.completed_on is None


def test_a_get_is_not_allowed(client, doc_staff, action):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:follow_up_complete", args=[action.pk]))
    assert response.status_code == 405
    assert FollowUpAction.objects.get(pk=action.pk).completed_on is None
