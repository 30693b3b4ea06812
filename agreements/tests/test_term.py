"""The term (VII) and modifications (VIII): expiry and status follow from the dates."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError

from agreements.models import Agreement, AgreementStatus
from agreements.tests.factories import (
    AgreementFactory,
    ModificationExecutionFactory,
    ModificationFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db


def test_agreement_is_draft_before_execution():
    agreement = AgreementFactory(executed_on=datetime.date(2030, 1, 1))
    assert agreement.status_on(datetime.date(2029, 12, 31)) == AgreementStatus.DRAFT


def test_agreement_without_execution_date_is_draft_and_has_no_expiry():
    agreement = AgreementFactory(executed_on=None)
    assert agreement.expires_on is None
    assert agreement.status_on(datetime.date(2026, 1, 1)) == AgreementStatus.DRAFT


def test_agreement_is_in_force_from_execution_until_the_day_before_expiry():
    agreement = AgreementFactory(executed_on=datetime.date(2020, 1, 15), term_years=5)
    assert agreement.expires_on == datetime.date(2025, 1, 15)
    assert agreement.status_on(datetime.date(2020, 1, 15)) == AgreementStatus.IN_FORCE
    assert agreement.status_on(datetime.date(2025, 1, 14)) == AgreementStatus.IN_FORCE


def test_agreement_is_expired_on_its_expiry_date():
    agreement = AgreementFactory(executed_on=datetime.date(2020, 1, 15), term_years=5)
    assert agreement.status_on(datetime.date(2025, 1, 15)) == AgreementStatus.EXPIRED


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))
def test_moa_shows_expired_with_days_since_expiry(moa):
    assert moa.status == AgreementStatus.EXPIRED
    assert moa.days_since_end == (datetime.date(2026, 11, 23) - datetime.date(2022, 10, 19)).days


def test_terminated_early_agreement_is_terminated_from_that_day():
    parties = [PartyFactory(), PartyFactory()]
    agreement = AgreementFactory(
        parties=parties, terminated_on=datetime.date(2022, 3, 1), terminated_by=parties[0]
    )
    assert agreement.status_on(datetime.date(2022, 2, 28)) == AgreementStatus.IN_FORCE
    assert agreement.status_on(datetime.date(2022, 3, 1)) == AgreementStatus.TERMINATED
    assert agreement.ends_on == datetime.date(2022, 3, 1)


def test_termination_before_execution_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        AgreementFactory(
            executed_on=datetime.date(2020, 1, 15),
            terminated_on=datetime.date(2019, 1, 1),
            terminated_by=PartyFactory(),
        )


def test_termination_without_a_party_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        AgreementFactory(terminated_on=datetime.date(2022, 1, 1), terminated_by=None)


def test_zero_year_term_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        AgreementFactory(term_years=0)


def test_modification_executed_by_all_parties_extends_the_term():
    a, b = PartyFactory(), PartyFactory()
    agreement = AgreementFactory(parties=[a, b])
    mod = ModificationFactory(agreement=agreement, extends_term_to=datetime.date(2027, 1, 15))
    ModificationExecutionFactory(modification=mod, party=a, executed_on=datetime.date(2024, 7, 1))
    ModificationExecutionFactory(modification=mod, party=b, executed_on=datetime.date(2024, 7, 9))
    agreement.refresh_from_db()
    assert agreement.expires_on == datetime.date(2027, 1, 15)
    assert mod.effective_on == datetime.date(2024, 7, 9)
    assert agreement.status_on(datetime.date(2026, 1, 1)) == AgreementStatus.IN_FORCE


def test_modification_signed_by_only_one_party_has_no_effect():
    a, b = PartyFactory(), PartyFactory()
    agreement = AgreementFactory(parties=[a, b])
    mod = ModificationFactory(agreement=agreement, extends_term_to=datetime.date(2027, 1, 15))
    ModificationExecutionFactory(modification=mod, party=a)
    agreement.refresh_from_db()
    assert agreement.expires_on == datetime.date(2025, 1, 15)
    assert not mod.is_effective()
    assert agreement.status_on(datetime.date(2026, 1, 1)) == AgreementStatus.EXPIRED


def test_one_party_cannot_execute_the_same_modification_twice():
    a = PartyFactory()
    mod = ModificationFactory(agreement=AgreementFactory(parties=[a, PartyFactory()]))
    ModificationExecutionFactory(modification=mod, party=a)
    with pytest.raises(IntegrityError):
        ModificationExecutionFactory(modification=mod, party=a)


def test_leap_day_execution_expires_on_28_february():
    agreement = AgreementFactory(executed_on=datetime.date(2024, 2, 29), term_years=5)
    assert agreement.expires_on == datetime.date(2029, 2, 28)


def test_leap_day_execution_with_four_year_term_expires_on_29_february():
    agreement = AgreementFactory(executed_on=datetime.date(2024, 2, 29), term_years=4)
    assert agreement.expires_on == datetime.date(2028, 2, 29)


def test_in_force_queryset_matches_status_on_the_same_day():
    day = datetime.date(2023, 6, 1)
    in_force = AgreementFactory(executed_on=datetime.date(2020, 1, 1))
    AgreementFactory(executed_on=datetime.date(2010, 1, 1))
    AgreementFactory(executed_on=datetime.date(2024, 1, 1))
    assert list(Agreement.objects.in_force(day)) == [in_force]
