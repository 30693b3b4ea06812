"""The periods of a recurring obligation, and which of them a term makes owed."""

import datetime

import pytest

from agreements.agreement_file import read_agreement
from agreements.periods import Rule, owed_periods, period_containing, periods_between

D = datetime.date
QUARTERLY = Rule(cadence="quarterly")
DATA = "agreements/tests/data"


def test_calendar_quarters_are_labelled_and_end_on_the_quarters_last_day():
    periods = periods_between(QUARTERLY, D(2020, 1, 15), D(2020, 12, 31))
    assert [(p.label, p.code, p.starts_on, p.ends_on) for p in periods[:2]] == [
        ("2020 Q1", "2020-Q1", D(2020, 1, 1), D(2020, 3, 31)),
        ("2020 Q2", "2020-Q2", D(2020, 4, 1), D(2020, 6, 30)),
    ]
    assert len(periods) == 4


def test_a_first_quarter_the_term_mostly_covers_is_owed():
    # 19 October to 31 December: 74 of the quarter's 92 days.
    periods = owed_periods(QUARTERLY, D(2017, 10, 19), D(2022, 10, 19))
    assert periods[0].label == "2017 Q4"


def test_a_last_quarter_the_term_barely_touches_is_not_owed():
    # The term's last day is 18 October: 18 of the quarter's 92 days.
    periods = owed_periods(QUARTERLY, D(2017, 10, 19), D(2022, 10, 19))
    assert periods[-1].label == "2022 Q3"
    assert len(periods) == 20


def test_a_quarter_that_ends_on_the_signing_day_is_not_owed():
    periods = owed_periods(QUARTERLY, D(2020, 3, 31), D(2021, 3, 31))
    assert periods[0].label == "2020 Q2"


def test_a_period_is_owed_from_half_its_days_and_not_below():
    # A 2021 half-year of 181 days: from 1 April the term covers 91 of them (more than half);
    # from 2 April 90 (less).
    semiannual = Rule(cadence="semiannual")
    assert owed_periods(semiannual, D(2021, 4, 1), D(2023, 1, 1))[0].label == "2021 H1"
    assert owed_periods(semiannual, D(2021, 4, 2), D(2023, 1, 1))[0].label == "2021 H2"


def test_monthly_periods_anchored_to_the_term_stay_at_month_ends():
    monthly = Rule(cadence="monthly", anchor="term")
    periods = periods_between(monthly, D(2021, 1, 31), D(2021, 4, 30))
    assert [p.starts_on for p in periods] == [D(2021, 1, 31), D(2021, 2, 28), D(2021, 3, 31), D(2021, 4, 30)]
    assert periods[0].ends_on == D(2021, 2, 27)


def test_due_day_and_window_move_the_due_date():
    by_day = periods_between(Rule(cadence="semiannual", due_day=120), D(2025, 1, 1), D(2025, 1, 1))[0]
    within = periods_between(Rule(cadence="monthly", window_days=30), D(2025, 1, 1), D(2025, 1, 1))[0]
    assert by_day.due_on == D(2025, 4, 30)
    assert within.due_on == D(2025, 3, 2)


def test_an_rrule_starts_a_period_at_each_occurrence():
    first_working_day = Rule(cadence="rrule", rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1")
    periods = periods_between(first_working_day, D(2025, 1, 1), D(2025, 12, 31))
    assert [p.starts_on for p in periods] == [D(2025, 1, 1), D(2025, 4, 1), D(2025, 7, 1), D(2025, 10, 1)]
    assert periods[-1].ends_on == D(2025, 12, 31)  # the next occurrence is Thursday 1 January 2026


def test_a_continuous_obligation_has_no_periods():
    assert periods_between(Rule(cadence="continuous"), D(2020, 1, 1), D(2025, 1, 1)) == []


def test_an_open_ended_term_lists_periods_up_to_the_day_asked():
    periods = owed_periods(QUARTERLY, D(2020, 1, 1), None, until=D(2020, 5, 1))
    assert [p.label for p in periods] == ["2020 Q1", "2020 Q2"]


def test_an_open_ended_term_without_a_day_is_refused():
    with pytest.raises(ValueError, match="open-ended"):
        owed_periods(QUARTERLY, D(2020, 1, 1), None)


def test_the_period_containing_a_day_after_the_term_is_none():
    assert period_containing(QUARTERLY, D(2020, 1, 15), D(2021, 1, 15), D(2021, 2, 1)) is None


def test_a_semiannual_agreement_owes_two_periods_a_year():
    doc = read_agreement(f"{DATA}/semiannual-meetings-mou.yaml")
    o = doc.obligations[0]
    rule = Rule(cadence=o.cadence.kind.value, anchor=o.cadence.anchor.value, due_day=o.due_day)
    periods = owed_periods(rule, doc.executed_on, doc.term.end_for(doc.executed_on))
    in_2026 = [p for p in periods if p.starts_on.year == 2026]
    assert [(p.label, p.due_on) for p in in_2026] == [
        ("2026 H1", D(2026, 4, 30)),
        ("2026 H2", D(2026, 10, 28)),
    ]
