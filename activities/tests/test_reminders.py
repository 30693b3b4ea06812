"""The meeting jobs decide per meeting obligation: its kinds, its cadence's periods, none without one.

The deciding functions are called day by day, as the daily jobs would run them.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from activities.reminders import meeting_reminders_due, unscheduled_periods_due
from activities.tests.factories import MeetingFactory
from agreements.tests.factories import AgreementFactory, ObligationFactory, PartyFactory, SectionFactory
from contacts.models import PointOfContact

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
D = datetime.date


def days(first: datetime.date, last: datetime.date):
    while first <= last:
        yield first
        first += datetime.timedelta(days=1)


def coordinators(agreement):
    for party in agreement.parties.all():
        PointOfContact.objects.create(
            agreement=agreement,
            party=party,
            role_title="Coordinator",
            email=f"{party.acronym.lower()}@example.gov",
            active_from=agreement.executed_on,
            is_coordinator=True,
        )


@pytest.fixture
def three_party_logistics():
    """Three parties, a monthly bill owed by one of them, no meeting or outreach clause: the shape
    of agreements/tests/data/logistics-moa-1978.yaml (whose open-ended term imports once the term
    kinds land; a whole-years term stands in for it here)."""
    navy, doe, doi = PartyFactory(acronym="NVY"), PartyFactory(acronym="DOE"), PartyFactory(acronym="DOI")
    agreement = AgreementFactory(
        executed_on=D(2024, 3, 31), term_years=10, parties=[navy, doe, doi], obligations=[]
    )
    ObligationFactory(
        agreement=agreement,
        code="monthly-billing",
        kind="report",
        title="Monthly bill",
        section=SectionFactory(agreement=agreement, number="8.a"),
        cadence="monthly",
        window_days=30,
        meeting_kinds=[],
        requires_minutes=False,
        parties=[navy],
    )
    coordinators(agreement)
    # A meeting the parties hold anyway: no obligation counts it, so nothing reminds of it.
    MeetingFactory(agreement=agreement, kind="other", starts_at=datetime.datetime(2024, 6, 3, 10, tzinfo=NY))
    return agreement


def test_an_agreement_without_a_meeting_obligation_gets_no_meeting_notice_over_a_year(three_party_logistics):
    for day in days(D(2024, 3, 31), D(2025, 3, 30)):
        assert meeting_reminders_due(day) == [], day
        assert unscheduled_periods_due(day) == [], day


@pytest.fixture
def signed_at_quarter_end():
    """Quarterly meetings; signed on 31 March 2021, the last day of a quarter."""
    agreement = AgreementFactory(executed_on=D(2021, 3, 31))
    coordinators(agreement)
    return agreement


def test_no_unscheduled_notice_for_the_quarter_that_ended_on_the_signing_day(signed_at_quarter_end):
    for day in days(D(2021, 3, 31), D(2021, 4, 29)):
        assert unscheduled_periods_due(day) == [], day


def test_the_first_owed_quarter_gets_its_unscheduled_notice_on_its_30th_day(signed_at_quarter_end):
    (due,) = unscheduled_periods_due(D(2021, 4, 30))
    assert (due.obligation.code, due.period.label) == ("quarterly-meetings", "2021 Q2")


def semiannual_agreement():
    agreement = AgreementFactory(executed_on=D(2025, 3, 14), term_years=3, obligations=[])
    ObligationFactory(agreement=agreement, cadence="semiannual", due_day=120, meeting_kinds=["semiannual"])
    coordinators(agreement)
    return agreement


def test_a_semiannual_obligation_asks_to_schedule_once_per_half_year(db):
    semiannual_agreement()
    asked = {
        d.period.label for day in days(D(2025, 3, 14), D(2026, 3, 13)) for d in unscheduled_periods_due(day)
    }
    assert asked == {"2025 H1", "2025 H2", "2026 H1"}


def test_a_meeting_of_the_counted_kind_in_the_half_year_stops_the_notice(db):
    agreement = semiannual_agreement()
    MeetingFactory(
        agreement=agreement, kind="semiannual", starts_at=datetime.datetime(2025, 9, 1, 10, tzinfo=NY)
    )
    assert unscheduled_periods_due(D(2025, 7, 30)) == []


def test_a_meeting_the_obligation_counts_is_reminded_of(db):
    agreement = semiannual_agreement()
    meeting = MeetingFactory(
        agreement=agreement, kind="semiannual", starts_at=datetime.datetime(2025, 9, 1, 10, tzinfo=NY)
    )
    (reminder,) = meeting_reminders_due(D(2025, 8, 31))
    assert (reminder.meeting, reminder.days_before) == (meeting, 1)
