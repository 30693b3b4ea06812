"""Meeting reminders per meeting obligation, the notice to schedule one, and the nudge for minutes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from activities.tests.factories import MeetingFactory
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from notifications.models import Kind, Notification
from notifications.services import mutes_set
from notifications.tasks import send_meeting_reminders, send_minutes_nudges, send_unscheduled_quarter_notices
from notifications.tests.factories import PointOfContactFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
MEETING_DAY = datetime.date(2021, 5, 12)


def run_on(day: datetime.date, task) -> int:
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(7), NY)):
        return task()


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), NY)


def recipients(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def days_before(n: int, day: datetime.date = MEETING_DAY) -> datetime.date:
    return day - datetime.timedelta(days=n)


@pytest.fixture
def agreement():
    return AgreementFactory(parties=[PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")])


@pytest.fixture
def meeting(agreement):
    """A scheduled quarterly call with one user and one contact attending, no minutes yet."""
    m = MeetingFactory(
        agreement=agreement,
        starts_at=at(MEETING_DAY),
        minutes="",
        organiser=UserFactory(username="organiser"),
    )
    m.attendee_users.add(UserFactory(username="attendee"))
    m.attendee_contacts.add(
        PointOfContactFactory(
            agreement=agreement, email="guest@example.org", active_to=datetime.date(2021, 1, 1)
        )
    )
    return m


@pytest.fixture
def contacts(agreement):
    """Each party's active point of contact, and one who left."""
    a, b = agreement.parties.order_by("acronym")
    return [
        PointOfContactFactory(agreement=agreement, party=a, email="poc.a@example.gov"),
        PointOfContactFactory(agreement=agreement, party=b, email="poc.b@example.gov"),
        PointOfContactFactory(
            agreement=agreement, party=b, email="gone@example.gov", active_to=datetime.date(2021, 3, 1)
        ),
    ]


# --- reminders ---------------------------------------------------------------------------


def test_reminder_14_days_before_goes_to_attendees_and_both_parties_active_contacts(meeting, contacts):
    run_on(days_before(14), send_meeting_reminders)
    assert recipients(Kind.MEETING_REMINDER) == [
        "attendee@example.gov",
        "guest@example.org",
        "poc.a@example.gov",
        "poc.b@example.gov",
    ]
    assert {n.occasion for n in Notification.objects.all()} == {
        f"meeting {meeting.pk} on 2021-05-12, 14 days before"
    }
    assert len(mail.outbox) == 4


def test_reminder_1_day_before(meeting, contacts):
    run_on(days_before(14), send_meeting_reminders)
    run_on(days_before(1), send_meeting_reminders)
    assert Notification.objects.filter(occasion__endswith=", 1 days before").count() == 4
    assert "(tomorrow)" in mail.outbox[-1].subject


def test_no_reminder_before_the_first_offset(meeting, contacts):
    assert run_on(days_before(15), send_meeting_reminders) == 0


def test_running_reminders_twice_sends_each_once(meeting, contacts):
    assert run_on(days_before(14), send_meeting_reminders) == 4
    assert run_on(days_before(14), send_meeting_reminders) == 0
    assert run_on(days_before(10), send_meeting_reminders) == 0
    assert len(mail.outbox) == 4


def test_a_meeting_scheduled_five_days_ahead_gets_its_14_day_reminder_at_once(meeting, contacts):
    run_on(days_before(5), send_meeting_reminders)
    assert Notification.objects.filter(occasion__endswith=", 14 days before").count() == 4


def test_catch_up_after_downtime_sends_only_the_latest_reminder(meeting, contacts):
    run_on(days_before(0), send_meeting_reminders)
    assert {n.occasion.rsplit(", ", 1)[1] for n in Notification.objects.all()} == {"1 days before"}


@override_settings(MEETING_REMINDER_DAYS=[7])
def test_reminder_offsets_are_a_setting(meeting, contacts):
    assert run_on(days_before(14), send_meeting_reminders) == 0
    assert run_on(days_before(7), send_meeting_reminders) == 4


def test_a_rescheduled_meeting_is_reminded_of_again(meeting, contacts):
    run_on(days_before(14), send_meeting_reminders)
    meeting.starts_at = at(MEETING_DAY + datetime.timedelta(days=7))
    meeting.save()
    run_on(days_before(7), send_meeting_reminders)
    assert Notification.objects.filter(occasion__contains="on 2021-05-19, 14 days before").count() == 4


def test_a_cancelled_meeting_gets_no_reminder(meeting, contacts):
    meeting.is_cancelled = True
    meeting.save()
    assert run_on(days_before(1), send_meeting_reminders) == 0


def test_other_kinds_of_meeting_get_no_quarterly_reminder(meeting, contacts):
    meeting.kind = "wco"
    meeting.save()
    assert run_on(days_before(1), send_meeting_reminders) == 0


def test_a_meeting_of_an_expired_agreement_gets_no_reminder(contacts):
    agreement = AgreementFactory(executed_on=datetime.date(2014, 1, 1))
    MeetingFactory(agreement=agreement, starts_at=at(MEETING_DAY))
    assert run_on(days_before(1), send_meeting_reminders) == 0


# --- no quarterly meeting scheduled by day 30 of the quarter ------------------------------

Q2_DAY_30 = datetime.date(2021, 4, 30)


@pytest.fixture
def coordinators(agreement):
    a, b = agreement.parties.order_by("acronym")
    PointOfContactFactory(agreement=agreement, party=a, email="staff.a@example.gov")
    return [
        PointOfContactFactory(agreement=agreement, party=a, email="coord.a@example.gov", is_coordinator=True),
        PointOfContactFactory(agreement=agreement, party=b, email="coord.b@example.gov", is_coordinator=True),
    ]


def test_day_30_with_no_meeting_scheduled_notifies_the_coordinators(agreement, coordinators):
    run_on(Q2_DAY_30, send_unscheduled_quarter_notices)
    assert recipients(Kind.MEETING_UNSCHEDULED) == ["coord.a@example.gov", "coord.b@example.gov"]
    assert Notification.objects.first().occasion == "quarterly-meetings 2021-Q2 unscheduled"
    assert "2021 Q2" in mail.outbox[0].subject


def test_no_notice_before_day_30(agreement, coordinators):
    assert run_on(Q2_DAY_30 - datetime.timedelta(days=1), send_unscheduled_quarter_notices) == 0


def test_no_notice_when_a_quarterly_meeting_is_scheduled_in_the_quarter(agreement, coordinators):
    MeetingFactory(agreement=agreement, starts_at=at(datetime.date(2021, 6, 28)))
    assert run_on(Q2_DAY_30, send_unscheduled_quarter_notices) == 0


def test_a_meeting_in_another_quarter_does_not_count(agreement, coordinators):
    MeetingFactory(agreement=agreement, starts_at=at(datetime.date(2021, 7, 2)))
    assert run_on(Q2_DAY_30, send_unscheduled_quarter_notices) == 2


def test_unscheduled_notice_catches_up_later_in_the_quarter_and_only_once(agreement, coordinators):
    assert run_on(datetime.date(2021, 5, 20), send_unscheduled_quarter_notices) == 2
    assert run_on(datetime.date(2021, 6, 1), send_unscheduled_quarter_notices) == 0


def test_the_next_quarter_gets_its_own_notice(agreement, coordinators):
    run_on(Q2_DAY_30, send_unscheduled_quarter_notices)
    run_on(datetime.date(2021, 7, 30), send_unscheduled_quarter_notices)
    assert sorted(set(Notification.objects.values_list("occasion", flat=True))) == [
        "quarterly-meetings 2021-Q2 unscheduled",
        "quarterly-meetings 2021-Q3 unscheduled",
    ]


@override_settings(QUARTERLY_MEETING_SCHEDULED_BY_DAY=15)
def test_the_day_of_the_quarter_is_a_setting(agreement, coordinators):
    assert run_on(datetime.date(2021, 4, 15), send_unscheduled_quarter_notices) == 2


# --- minutes missing a week after the meeting ---------------------------------------------


def test_a_held_meeting_without_minutes_7_days_later_nudges_its_organiser(meeting):
    run_on(MEETING_DAY + datetime.timedelta(days=7), send_minutes_nudges)
    assert recipients(Kind.MINUTES_MISSING) == ["organiser@example.gov"]
    assert mail.outbox[0].subject == "Minutes missing: Quarterly call of May 12, 2021"


def test_no_nudge_6_days_after(meeting):
    assert run_on(MEETING_DAY + datetime.timedelta(days=6), send_minutes_nudges) == 0


def test_no_nudge_when_the_minutes_are_in(meeting):
    meeting.minutes = "We met."
    meeting.save()
    assert run_on(MEETING_DAY + datetime.timedelta(days=7), send_minutes_nudges) == 0


def test_blank_minutes_count_as_missing(meeting):
    meeting.minutes = "  \n "
    meeting.save()
    assert run_on(MEETING_DAY + datetime.timedelta(days=7), send_minutes_nudges) == 1


def test_the_nudge_is_sent_once_however_often_the_job_runs(meeting):
    for days in (7, 7, 8, 30):
        run_on(MEETING_DAY + datetime.timedelta(days=days), send_minutes_nudges)
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_organiser_who_muted_the_nudge_does_not_get_it(meeting):
    mutes_set(acting_user=meeting.organiser, kinds=[Kind.MINUTES_MISSING])
    run_on(MEETING_DAY + datetime.timedelta(days=7), send_minutes_nudges)
    assert mail.outbox == []
    assert Notification.objects.get().status == Notification.Status.MUTED
