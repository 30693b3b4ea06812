"""Agreement.term_on(day): the one Term value every page, panel, job and feed reads."""

import datetime

import pytest

from agreements.models import AgreementStatus
from agreements.tests.factories import (
    AgreementFactory,
    ModificationExecutionFactory,
    ModificationFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db

EXECUTED = datetime.date(2020, 1, 15)
EXPIRES = datetime.date(2025, 1, 15)


def executed(agreement, parties, extends_to, on, number):
    mod = ModificationFactory(agreement=agreement, number=number, extends_term_to=extends_to)
    for party in parties:
        ModificationExecutionFactory(modification=mod, party=party, executed_on=on)
    return mod


@pytest.fixture
def agreement():
    return AgreementFactory(parties=[PartyFactory(), PartyFactory()], executed_on=EXECUTED, term_years=5)


def test_term_is_draft_the_day_before_execution(agreement):
    term = agreement.term_on(EXECUTED - datetime.timedelta(days=1))
    assert term.status == AgreementStatus.DRAFT
    assert term.days_left is None
    assert term.elapsed_percent is None


def test_term_is_in_force_on_the_execution_day_with_nothing_elapsed(agreement):
    term = agreement.term_on(EXECUTED)
    assert term.status == AgreementStatus.IN_FORCE
    assert term.starts_on == EXECUTED
    assert term.days_left == (EXPIRES - EXECUTED).days
    assert term.elapsed_percent == 0


def test_term_is_in_force_on_its_last_day_with_one_day_left(agreement):
    term = agreement.term_on(EXPIRES - datetime.timedelta(days=1))
    assert term.status == AgreementStatus.IN_FORCE
    assert term.days_left == 1
    assert term.days_since_end is None


def test_term_is_expired_on_its_end_day(agreement):
    term = agreement.term_on(EXPIRES)
    assert term.status == AgreementStatus.EXPIRED
    assert term.ends_on == EXPIRES
    assert term.days_left is None
    assert term.days_since_end == 0
    assert term.elapsed_percent == 100


def test_original_term_holds_without_an_executed_modification(agreement):
    term = agreement.term_on(datetime.date(2024, 1, 1))
    assert term.expires_on == term.original_expires_on == EXPIRES
    assert term.set_by is None
    assert term.changes == []


def test_executed_extension_sets_the_end_from_the_day_every_party_executed_it(agreement):
    a, b = agreement.parties.all()
    mod = ModificationFactory(agreement=agreement, number=1, extends_term_to=datetime.date(2027, 1, 15))
    ModificationExecutionFactory(modification=mod, party=a, executed_on=datetime.date(2024, 7, 1))
    ModificationExecutionFactory(modification=mod, party=b, executed_on=datetime.date(2024, 7, 9))
    assert agreement.term_on(datetime.date(2024, 7, 8)).expires_on == EXPIRES
    term = agreement.term_on(datetime.date(2024, 7, 9))
    assert term.expires_on == datetime.date(2027, 1, 15)
    assert term.set_by == mod
    assert term.changes[0].from_date == EXPIRES


def test_extension_executed_by_one_party_only_leaves_the_original_end(agreement):
    a, _ = agreement.parties.all()
    mod = ModificationFactory(agreement=agreement, number=1, extends_term_to=datetime.date(2027, 1, 15))
    ModificationExecutionFactory(modification=mod, party=a, executed_on=datetime.date(2024, 7, 1))
    term = agreement.term_on(datetime.date(2026, 1, 1))
    assert term.expires_on == EXPIRES
    assert term.status == AgreementStatus.EXPIRED


def test_the_latest_executed_extension_wins_even_when_it_ends_earlier(agreement):
    parties = list(agreement.parties.all())
    first = executed(agreement, parties, datetime.date(2029, 1, 15), datetime.date(2024, 6, 1), number=2)
    latest = executed(agreement, parties, datetime.date(2028, 1, 15), datetime.date(2024, 9, 1), number=1)
    assert agreement.term_on(datetime.date(2024, 7, 1)).set_by == first
    term = agreement.term_on(datetime.date(2024, 10, 1))
    assert term.set_by == latest
    assert term.expires_on == datetime.date(2028, 1, 15)
    assert [c.modification for c in term.changes] == [first, latest]


def test_the_stored_expiry_follows_the_latest_executed_extension_too(agreement):
    """Agreement.expires_on (what lists, plausibility bounds and jobs read) keeps the same rule
    as term_on: the extension executed last sets the end, even when it ends earlier."""
    parties = list(agreement.parties.all())
    executed(agreement, parties, datetime.date(2029, 1, 15), datetime.date(2024, 6, 1), number=2)
    executed(agreement, parties, datetime.date(2028, 1, 15), datetime.date(2024, 9, 1), number=1)
    agreement.refresh_from_db()
    assert agreement.expires_on == datetime.date(2028, 1, 15)


def test_termination_counts_only_from_its_day(agreement):
    agreement.terminated_on = datetime.date(2022, 3, 1)
    agreement.terminated_by = agreement.parties.first()
    agreement.save()
    before = agreement.term_on(datetime.date(2022, 2, 28))
    after = agreement.term_on(datetime.date(2022, 3, 11))
    assert (before.status, before.terminated_on) == (AgreementStatus.IN_FORCE, None)
    assert (after.status, after.ends_on, after.days_since_end) == (
        AgreementStatus.TERMINATED,
        datetime.date(2022, 3, 1),
        10,
    )
