"""`make run`'s demo data: fictitious people on the contacts and a quarter of work, once."""

import io

import pytest
from django.core.management import call_command

from activities.models import FollowUpAction, Meeting, OutreachEvent, ProgressUpdate
from activities.quarters import Quarter
from contacts.models import PointOfContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(moa, settings):
    settings.DEBUG = True
    call_command("demo_users", stdout=io.StringIO())
    call_command("demo_data", stdout=io.StringIO())
    return moa


def test_every_contact_gets_a_fictitious_name_address_and_phone(demo):
    contacts = list(PointOfContact.objects.filter(agreement=demo))
    assert contacts
    for c in contacts:
        assert c.person_name
        assert c.email.endswith(".example")
        assert c.phone.startswith("202-555-01")
    assert PointOfContact.history.filter(agreement=demo, person_name__gt="").exists()  # recorded


def test_the_agreement_gets_a_quarter_of_updates_a_meeting_and_events(demo):
    updates = list(ProgressUpdate.objects.filter(commitment__agreement=demo))
    assert len(updates) == 6
    assert len({Quarter.containing(u.as_of) for u in updates}) == 1
    meeting = Meeting.objects.get(agreement=demo)
    assert meeting.has_minutes and meeting.attendee_contacts.exists()
    assert FollowUpAction.objects.filter(meeting=meeting).count() == 2
    assert OutreachEvent.objects.filter(agreement=demo).count() == 2


def test_running_it_again_changes_nothing(demo):
    counts = (ProgressUpdate.objects.count(), Meeting.objects.count(), OutreachEvent.objects.count())
    names = list(PointOfContact.objects.order_by("pk").values_list("person_name", "email"))
    call_command("demo_data", stdout=io.StringIO())
    assert (ProgressUpdate.objects.count(), Meeting.objects.count(), OutreachEvent.objects.count()) == counts
    assert list(PointOfContact.objects.order_by("pk").values_list("person_name", "email")) == names


def test_it_refuses_to_run_with_debug_off(moa, settings):
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG is off"):
        call_command("demo_data", stdout=io.StringIO())
