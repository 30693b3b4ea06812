"""Claiming a job's notices in one go, and delivering them over one connection, each once."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgreementFactory, UserFactory
from notifications.models import Kind, Notification
from notifications.services import (
    Notice,
    Recipient,
    mutes_set,
    notices_claim,
    notices_deliver,
    recipient_for_user,
)
from notifications.tests.backends import REFUSED_ADDRESS, CountingConnectionsBackend

CONTEXT = {"meeting": {"title": "Quarterly call"}, "meeting_day": None}


def nudges(agreement, recipients, occasion="meeting 1") -> list[Notice]:
    return [
        Notice(
            agreement=agreement, kind=Kind.MINUTES_MISSING, occasion=occasion, recipient=r, context=CONTEXT
        )
        for r in recipients
    ]


def users(n: int) -> list[Recipient]:
    return [recipient_for_user(user=UserFactory(username=f"u{i}")) for i in range(n)]


def addresses(notices) -> list[str]:
    return sorted(n.recipient for n in notices)


@pytest.mark.django_db
def test_a_bulk_claim_returns_one_pending_row_per_notice_with_its_words():
    agreement = AgreementFactory()
    users = [UserFactory(username=f"user{i}") for i in range(3)]
    won = notices_claim(notices=nudges(agreement, [recipient_for_user(user=u) for u in users]))
    assert addresses(won) == ["user0@example.gov", "user1@example.gov", "user2@example.gov"]
    assert {n.status for n in won} == {Notification.Status.PENDING}
    assert all(n.subject.startswith("Minutes missing: Quarterly call") for n in won)
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_a_bulk_claim_skips_the_notices_already_claimed():
    agreement = AgreementFactory()
    first, second = (recipient_for_user(user=UserFactory(username=name)) for name in ("first", "second"))
    notices_claim(notices=nudges(agreement, [first]))
    won = notices_claim(notices=nudges(agreement, [first, second]))
    assert addresses(won) == ["second@example.gov"]
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_a_rerun_claims_nothing_with_one_query():
    agreement = AgreementFactory()
    notices = nudges(agreement, users(4))
    notices_claim(notices=notices)
    with CaptureQueriesContext(connection) as queries:
        assert notices_claim(notices=notices) == []
    assert len(queries.captured_queries) == 1  # the keys already claimed; nothing rendered or inserted


@pytest.mark.django_db
def test_the_same_notice_twice_in_one_claim_is_claimed_once():
    agreement, user = AgreementFactory(), UserFactory()
    won = notices_claim(
        notices=nudges(agreement, [recipient_for_user(user=user), recipient_for_user(user=user)])
    )
    assert len(won) == 1
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_notices_about_no_agreement_are_claimed_once_too():
    user = UserFactory()
    digest = [
        Notice(
            agreement=None,
            kind=Kind.STALE_DIGEST,
            occasion="week 2021-W26",
            recipient=recipient_for_user(user=user),
            context={"stale_items": [], "overdue_milestones": [], "stale_days": 90},
        )
    ]
    assert len(notices_claim(notices=digest)) == 1
    assert notices_claim(notices=digest) == []
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_a_muted_users_notice_is_claimed_muted_and_only_the_others_are_sent():
    agreement = AgreementFactory()
    muting, other = UserFactory(username="muting"), UserFactory(username="other")
    mutes_set(acting_user=muting, kinds=[Kind.MINUTES_MISSING])
    won = notices_claim(
        notices=nudges(agreement, [recipient_for_user(user=muting), recipient_for_user(user=other)])
    )
    assert {n.recipient: n.status for n in won} == {
        "muting@example.gov": Notification.Status.MUTED,
        "other@example.gov": Notification.Status.PENDING,
    }
    assert notices_deliver(notices=won) == 1
    assert [m.to for m in mail.outbox] == [["other@example.gov"]]


@pytest.mark.django_db
def test_a_mute_of_another_kind_does_not_mute_this_one():
    agreement, user = AgreementFactory(), UserFactory()
    mutes_set(acting_user=user, kinds=[Kind.STALE_DIGEST])
    [notice] = notices_claim(notices=nudges(agreement, [recipient_for_user(user=user)]))
    assert notice.status == Notification.Status.PENDING


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="notifications.tests.backends.RefusingOneAddressBackend")
def test_a_refused_message_in_the_middle_of_a_run_leaves_only_that_row_to_retry():
    agreement = AgreementFactory()
    recipients = [
        recipient_for_user(user=UserFactory(username="before")),
        Recipient(user=None, email=REFUSED_ADDRESS),
        recipient_for_user(user=UserFactory(username="after")),
    ]
    won = notices_claim(notices=nudges(agreement, recipients))
    assert notices_deliver(notices=won) == 2
    rows = {n.recipient: n for n in Notification.objects.all()}
    assert {address: (n.status, n.attempts) for address, n in rows.items()} == {
        "before@example.gov": (Notification.Status.SENT, 1),
        REFUSED_ADDRESS: (Notification.Status.PENDING, 1),
        "after@example.gov": (Notification.Status.SENT, 1),
    }
    assert "SMTPRecipientsRefused" in rows[REFUSED_ADDRESS].last_error
    assert rows[REFUSED_ADDRESS].sent_at is None and rows[REFUSED_ADDRESS].next_attempt_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["after@example.gov", "before@example.gov"]


@pytest.fixture
def counting_backend(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.CountingConnectionsBackend"
    CountingConnectionsBackend.opened = 0
    return CountingConnectionsBackend


@pytest.mark.django_db
def test_a_run_sends_every_message_over_one_connection(counting_backend):
    agreement = AgreementFactory()
    won = notices_claim(notices=nudges(agreement, users(5)))
    assert notices_deliver(notices=won) == 5
    assert len(mail.outbox) == 5
    assert counting_backend.opened == 1


@pytest.mark.django_db
def test_a_run_without_an_address_to_write_to_opens_no_connection(counting_backend):
    won = notices_claim(notices=nudges(AgreementFactory(), [recipient_for_user(user=UserFactory(email=""))]))
    assert notices_deliver(notices=won) == 1
    assert counting_backend.opened == 0


@pytest.mark.django_db
def test_delivering_costs_two_queries_a_notice():
    agreement = AgreementFactory()
    won = notices_claim(notices=nudges(agreement, users(3)))
    with CaptureQueriesContext(connection) as queries:
        notices_deliver(notices=won)
    locks_and_marks = [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert locks_and_marks == ["UPDATE", "UPDATE"] * 3  # take (committed), then mark


def wait_for_a_blocked_insert(seconds: float = 30) -> None:
    """Until another session of this database waits on a row lock (this claim's INSERT)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "no claim waited on the contested row"
            time.sleep(0.02)


# Committed rows seen across two connections; serialized_rollback puts back the roles' groups
# (made by a data migration) that the flush at the end removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_claim_racing_another_claim_returns_only_the_rows_it_won():
    """Another run has inserted one of the notices, not yet committed, when this claim reads
    the claimed keys; it commits only once this claim's INSERT waits on that row. The unique
    constraint gives the row to the other run (ON CONFLICT DO NOTHING), and this claim
    returns the rest."""
    agreement = AgreementFactory()
    contested, *others = users(3)
    inserted = threading.Event()
    errors: list[BaseException] = []

    def other_run() -> None:
        try:
            with transaction.atomic():
                notices_claim(notices=nudges(agreement, [contested]))
                inserted.set()
                wait_for_a_blocked_insert()
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
            inserted.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert inserted.wait(timeout=30)
    won = notices_claim(notices=nudges(agreement, [contested, *others]))
    thread.join(timeout=60)

    assert errors == []
    assert addresses(won) == sorted(r.key for r in others)
    assert Notification.objects.count() == 3
    [row] = Notification.objects.filter(recipient=contested.key)
    assert row.claim_batch not in {n.claim_batch for n in won}
