"""A meeting obligation's periods: each held, missed or upcoming as of a day."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from activities.periods import PeriodState, meeting_record, meeting_records, obligation_periods
from activities.tests.factories import MeetingFactory
from agreements.tests.factories import AgreementFactory, ObligationFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
D = datetime.date


def at(y, m, d, hour=10):
    return datetime.datetime(y, m, d, hour, tzinfo=NY)


@pytest.fixture
def quarterly():
    """The quarterly meetings (with minutes) of an agreement executed mid-quarter, on 19 October 2017."""
    agreement = AgreementFactory(executed_on=D(2017, 10, 19), term_years=5)
    return agreement.obligations.get(code="quarterly-meetings")


@pytest.fixture
def semiannual():
    """A meeting each half-year by its 120th day, as in agreements/tests/data/semiannual-meetings-mou.yaml."""
    agreement = AgreementFactory(executed_on=D(2025, 3, 14), term_years=3, obligations=[])
    return ObligationFactory(
        agreement=agreement, cadence="semiannual", due_day=120, meeting_kinds=["semiannual"]
    )


def test_a_term_starting_mid_quarter_owes_that_quarter_but_not_the_few_days_of_its_last():
    periods = obligation_periods(AgreementFactory(executed_on=D(2017, 10, 19)).obligations.meetings().get())
    assert (periods[0].label, periods[-1].label, len(periods)) == ("2017 Q4", "2022 Q3", 20)


def test_quarter_with_a_meeting_with_minutes_is_held(quarterly):
    meeting = MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 11, 30))
    record = meeting_record(quarterly, as_of=D(2018, 1, 15))
    assert (record[0].state, record[0].meeting) == (PeriodState.HELD, meeting)


def test_quarter_with_a_meeting_but_no_minutes_is_missed_once_it_ends(quarterly):
    MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 11, 30), minutes="")
    record = meeting_record(quarterly, as_of=D(2018, 1, 15))
    assert record[0].state == PeriodState.MISSED
    assert "no minutes" in record[0].reason


def test_a_meeting_without_minutes_counts_when_the_obligation_asks_for_none(quarterly):
    quarterly.requires_minutes = False
    MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 11, 30), minutes="")
    assert meeting_record(quarterly, as_of=D(2018, 1, 15))[0].state == PeriodState.HELD


def test_a_meeting_of_a_kind_the_obligation_does_not_count_leaves_the_quarter_missed(quarterly):
    MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 11, 30), kind="wco")
    assert meeting_record(quarterly, as_of=D(2018, 1, 15))[0].state == PeriodState.MISSED


def test_meeting_late_in_the_evening_counts_in_the_local_quarter(quarterly):
    """23:30 in New York on 31 December is already 1 January in UTC."""
    MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 12, 31, 23))
    assert meeting_record(quarterly, as_of=D(2018, 2, 1))[0].state == PeriodState.HELD


def test_a_quarter_stays_upcoming_through_its_last_day(quarterly):
    assert meeting_record(quarterly, as_of=D(2017, 12, 31))[0].state == PeriodState.UPCOMING


def test_a_quarter_is_missed_the_day_after_its_last_day(quarterly):
    assert meeting_record(quarterly, as_of=D(2018, 1, 1))[0].state == PeriodState.MISSED


def test_as_of_in_the_past_ignores_meetings_held_later(quarterly):
    MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 12, 10))
    record = meeting_record(quarterly, as_of=D(2017, 12, 1))
    assert record[0].state == PeriodState.UPCOMING
    assert record[0].reason == "Scheduled for 2017-12-10."


def test_cancelled_meeting_does_not_count(quarterly):
    MeetingFactory(agreement=quarterly.agreement, starts_at=at(2017, 11, 30), is_cancelled=True)
    assert meeting_record(quarterly, as_of=D(2018, 1, 15))[0].state == PeriodState.MISSED


def test_a_semiannual_obligation_has_two_periods_a_year(semiannual):
    periods = obligation_periods(semiannual)
    assert [p.label for p in periods if p.starts_on.year == 2026] == ["2026 H1", "2026 H2"]


def test_a_meeting_on_the_due_day_holds_the_half_year(semiannual):
    MeetingFactory(agreement=semiannual.agreement, kind="semiannual", starts_at=at(2025, 4, 30))
    assert meeting_record(semiannual, as_of=D(2025, 5, 1))[0].state == PeriodState.HELD


def test_a_meeting_the_day_after_the_due_day_does_not_hold_the_half_year(semiannual):
    MeetingFactory(agreement=semiannual.agreement, kind="semiannual", starts_at=at(2025, 5, 1))
    assert meeting_record(semiannual, as_of=D(2025, 7, 1))[0].state == PeriodState.MISSED


def test_a_half_year_is_upcoming_on_its_due_day_and_missed_the_day_after(semiannual):
    assert meeting_record(semiannual, as_of=D(2025, 4, 30))[0].state == PeriodState.UPCOMING
    assert meeting_record(semiannual, as_of=D(2025, 5, 1))[0].state == PeriodState.MISSED


def test_an_agreement_without_a_meeting_obligation_has_no_meeting_record():
    assert meeting_records(AgreementFactory(obligations=[])) == []
