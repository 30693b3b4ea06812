"""The term countdown (VII): notices at 365, 180, 90, 30, 7 days and on the day, exactly once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import AgreementStatus
from agreements.permissions import ADMIN, MANAGER, STAFF
from agreements.tests.factories import (
    AgreementFactory,
    ModificationExecutionFactory,
    ModificationFactory,
    PartyFactory,
    UserFactory,
)
from notifications.jobs import term_notices_claim
from notifications.models import Kind, Notification
from notifications.tasks import send_term_notices

pytestmark = pytest.mark.django_db
EXPIRES = datetime.date(2025, 1, 15)  # AgreementFactory: executed 2020-01-15 for five years


def run_on(day: datetime.date) -> int:
    """Run the scheduled job as the worker would on that day (noon in Washington)."""
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), ZoneInfo("America/New_York"))):
        return send_term_notices()


def before(days: int) -> datetime.date:
    return EXPIRES - datetime.timedelta(days=days)


def occasions(agreement=None) -> list[str]:
    notices = Notification.objects.filter(kind=Kind.TERM_NOTICE)
    if agreement is not None:
        notices = notices.filter(agreement=agreement)
    return sorted(set(notices.values_list("occasion", flat=True)))


@pytest.fixture
def parties():
    return [PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")]


@pytest.fixture
def agreement(parties):
    return AgreementFactory(parties=parties)


@pytest.fixture
def managers(parties):
    return [
        UserFactory(username="a.manager", party=parties[0], roles=[MANAGER]),
        UserFactory(username="b.admin", party=parties[1], roles=[ADMIN]),
    ]


def test_notice_goes_to_managers_and_admins_of_every_party(agreement, managers, parties):
    UserFactory(username="a.staff", party=parties[0], roles=[STAFF])
    UserFactory(username="other.manager", party=PartyFactory(acronym="ZZZ"), roles=[MANAGER])
    run_on(before(365))
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["a.manager", "b.admin"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a.manager@example.gov", "b.admin@example.gov"]


@pytest.mark.parametrize("days", [365, 180, 90, 30, 7])
def test_each_milestone_fires_on_its_day(agreement, managers, days):
    run_on(before(days))
    assert occasions() == [f"expires 2025-01-15, {days} days before"]
    assert f"expires in {days} days" in mail.outbox[0].subject


def test_notice_on_the_day_of_expiry_when_the_status_turns_to_expired(agreement, managers):
    run_on(EXPIRES)
    assert occasions() == ["expires 2025-01-15, 0 days before"]
    assert mail.outbox[0].subject == f"{agreement.short_name} expires today"
    assert agreement.status_on(EXPIRES) == AgreementStatus.EXPIRED


def test_nothing_is_due_more_than_a_year_before_expiry(agreement, managers):
    assert run_on(before(366)) == 0
    assert Notification.objects.count() == 0


def test_running_the_job_twice_on_a_day_sends_each_notice_once(agreement, managers):
    assert run_on(before(90)) == 2
    assert run_on(before(90)) == 0
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_days_between_milestones_send_nothing_new(agreement, managers):
    run_on(before(90))
    for days in (89, 60, 31):
        assert run_on(before(days)) == 0
    assert occasions() == ["expires 2025-01-15, 90 days before"]


def test_catch_up_sends_the_missed_milestone_on_the_next_run(agreement, managers):
    run_on(before(90))
    # The worker was down from 40 days before until 27 days before: the 30-day notice is late.
    run_on(before(27))
    assert occasions() == ["expires 2025-01-15, 30 days before", "expires 2025-01-15, 90 days before"]
    assert "expires in 27 days" in mail.outbox[-1].subject


def test_catch_up_does_not_send_the_notices_a_later_milestone_superseded(agreement, managers):
    # Down since before the 180-day notice; back 20 days before expiry: only the 30-day one.
    run_on(before(20))
    assert occasions() == ["expires 2025-01-15, 30 days before"]


def test_executed_extension_moves_the_countdown_and_the_new_terms_milestones_fire(
    agreement, managers, parties
):
    run_on(before(30))
    modification = ModificationFactory(
        agreement=agreement, proposed_on=before(60), extends_term_to=datetime.date(2027, 1, 15)
    )
    for party in parties:
        ModificationExecutionFactory(modification=modification, party=party, executed_on=before(20))
    agreement.refresh_from_db()
    assert agreement.expires_on == datetime.date(2027, 1, 15)

    assert run_on(before(7)) == 0  # the old term's 7-day notice is no longer due
    run_on(datetime.date(2027, 1, 15) - datetime.timedelta(days=30))
    assert occasions(agreement) == [
        "expires 2025-01-15, 30 days before",
        "expires 2027-01-15, 30 days before",
    ]


def test_an_extension_executed_by_one_party_only_does_not_move_the_countdown(agreement, managers, parties):
    modification = ModificationFactory(
        agreement=agreement, proposed_on=before(60), extends_term_to=datetime.date(2027, 1, 15)
    )
    ModificationExecutionFactory(modification=modification, party=parties[0], executed_on=before(40))
    run_on(before(7))
    assert occasions() == ["expires 2025-01-15, 7 days before"]


def test_an_expired_agreement_gets_no_more_notices(agreement, managers):
    run_on(EXPIRES)
    assert run_on(EXPIRES + datetime.timedelta(days=1)) == 0
    assert run_on(EXPIRES + datetime.timedelta(days=400)) == 0
    assert Notification.objects.count() == 2


def test_a_terminated_agreement_gets_no_notices(parties, managers):
    agreement = AgreementFactory(parties=parties, terminated_on=before(100), terminated_by=parties[0])
    assert run_on(before(30)) == 0
    assert not Notification.objects.filter(agreement=agreement).exists()


def test_a_draft_agreement_gets_no_notices(parties, managers):
    AgreementFactory(parties=parties, executed_on=None)
    assert run_on(before(30)) == 0


def test_the_notice_links_to_the_agreement(agreement, managers):
    run_on(before(7))
    notice = Notification.objects.first()
    assert notice.link == agreement.get_absolute_url()
    assert agreement.get_absolute_url() in mail.outbox[0].body


def test_a_manager_whose_party_is_on_two_due_agreements_gets_a_notice_for_each(parties, managers):
    first, second = AgreementFactory(parties=parties), AgreementFactory(parties=[parties[0]])
    run_on(before(30))
    assert sorted(Notification.objects.values_list("agreement", "user__username")) == sorted(
        [(first.pk, "a.manager"), (first.pk, "b.admin"), (second.pk, "a.manager")]
    )


def test_the_countdown_claims_with_the_same_queries_for_one_agreement_or_many():
    def first_run_queries(agreements: int) -> int:
        for _ in range(agreements):
            party = PartyFactory()
            AgreementFactory(parties=[party])
            UserFactory(party=party, roles=[MANAGER])
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            assert term_notices_claim(on=before(30))
        return len(ctx.captured_queries)

    assert first_run_queries(1) == first_run_queries(3)
