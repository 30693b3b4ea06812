"""Quarterly meetings (VI.5): each calendar quarter of the term is held, missed or upcoming."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from activities.quarters import Quarter, QuarterState, quarterly_meeting_record, term_quarters
from activities.tests.factories import MeetingFactory
from agreements.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def at(y, m, d, hour=10):
    return datetime.datetime(y, m, d, hour, tzinfo=NY)


def test_term_starting_mid_quarter_counts_that_quarter_and_the_one_it_ends_in():
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19), term_years=5)
    quarters = term_quarters(agreement)
    assert quarters[0] == Quarter(2017, 4)
    assert quarters[-1] == Quarter(2022, 4)
    assert len(quarters) == 21


def test_quarter_with_a_meeting_with_minutes_is_held():
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19))
    meeting = MeetingFactory(agreement=agreement, starts_at=at(2017, 11, 30))
    record = quarterly_meeting_record(agreement, as_of=datetime.date(2018, 1, 15))
    assert (record[0].state, record[0].meeting) == (QuarterState.HELD, meeting)


def test_quarter_with_a_meeting_but_no_minutes_is_missed_once_it_ends():
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19))
    MeetingFactory(agreement=agreement, starts_at=at(2017, 11, 30), minutes="")
    record = quarterly_meeting_record(agreement, as_of=datetime.date(2018, 1, 15))
    assert record[0].state == QuarterState.MISSED
    assert "no minutes" in record[0].reason


def test_meeting_late_in_the_evening_counts_in_the_local_quarter():
    """23:30 in New York on 31 December is already 1 January in UTC."""
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19))
    MeetingFactory(agreement=agreement, starts_at=at(2017, 12, 31, 23))
    record = quarterly_meeting_record(agreement, as_of=datetime.date(2018, 2, 1))
    assert record[0].state == QuarterState.HELD


def test_current_quarter_without_a_meeting_is_upcoming_not_missed():
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19))
    record = quarterly_meeting_record(agreement, as_of=datetime.date(2018, 2, 1))
    assert [r.state for r in record[:3]] == [
        QuarterState.MISSED,
        QuarterState.UPCOMING,
        QuarterState.UPCOMING,
    ]


def test_as_of_in_the_past_ignores_meetings_held_later():
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19))
    MeetingFactory(agreement=agreement, starts_at=at(2017, 12, 10))
    record = quarterly_meeting_record(agreement, as_of=datetime.date(2017, 12, 1))
    assert record[0].state == QuarterState.UPCOMING
    assert record[0].reason == "Scheduled for 2017-12-10."


def test_cancelled_meeting_does_not_count():
    agreement = AgreementFactory(executed_on=datetime.date(2017, 10, 19))
    MeetingFactory(agreement=agreement, starts_at=at(2017, 11, 30), is_cancelled=True)
    record = quarterly_meeting_record(agreement, as_of=datetime.date(2018, 1, 15))
    assert record[0].state == QuarterState.MISSED
