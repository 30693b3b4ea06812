"""Follow-up action rules live on FollowUpAction: a service caller gets them without a form."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from activities import services
from activities.models import FollowUpAction
from activities.tests.factories import MeetingFactory
from agreements.models import today

pytestmark = pytest.mark.django_db


def follow_up(**fields):
    return {"description": "Circulate the draft.", "due_on": datetime.date(2021, 6, 1), **fields}


def test_a_follow_up_without_an_owner_is_refused_by_the_service():
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as refused:
        services.meeting_update(
            meeting=meeting,
            acting_user=meeting.organiser,
            expected_version=meeting.version,
            follow_ups=[follow_up()],
        )
    assert "owner_user" in refused.value.message_dict
    assert not FollowUpAction.objects.filter(meeting=meeting).exists()


def test_a_follow_up_completed_in_the_future_is_refused_by_the_service():
    meeting = MeetingFactory()
    later = today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.meeting_update(
            meeting=meeting,
            acting_user=meeting.organiser,
            expected_version=meeting.version,
            follow_ups=[follow_up(owner_user=meeting.organiser, completed_on=later)],
        )
    assert "completed_on" in refused.value.message_dict


def test_a_follow_up_with_one_owner_is_kept_by_the_service():
    meeting = MeetingFactory()
    services.meeting_update(
        meeting=meeting,
        acting_user=meeting.organiser,
        expected_version=meeting.version,
        follow_ups=[follow_up(owner_user=meeting.organiser)],
    )
    assert FollowUpAction.objects.get(meeting=meeting).owner_user == meeting.organiser
