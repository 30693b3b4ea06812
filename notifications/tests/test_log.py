"""The notification log: claimed once, sent once, retried from its row, muted by choice."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone

from agreements.tests.factories import AgreementFactory, UserFactory
from notifications.models import Kind, Mute, Notification
from notifications.services import (
    Notice,
    Recipient,
    mutes_set,
    notices_claim,
    notices_deliver,
    notices_deliver_pending,
    notices_release_leases,
    notices_resend,
    recipient_for_user,
    recipients_from,
    retry_pause,
)
from notifications.tests.backends import REFUSED_ADDRESS
from notifications.tests.factories import PointOfContactFactory

pytestmark = pytest.mark.django_db
REFUSING = "notifications.tests.backends.RefusingEmailBackend"


def claim(agreement, recipient, kind=Kind.MINUTES_MISSING, occasion="meeting 1"):
    """Claim one notice: the claimed row, or None if it was already claimed."""
    notice = Notice(
        agreement=agreement,
        kind=kind,
        occasion=occasion,
        recipient=recipient,
        context={"meeting": {"title": "Quarterly call"}, "meeting_day": None},
    )
    won = notices_claim(notices=[notice])
    return won[0] if won else None


def deliver(notice):
    """Send one claimed notice; True if this call sent it."""
    return notices_deliver(notices=[notice]) == 1


def test_first_claim_inserts_a_pending_row():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    assert notice.status == Notification.Status.PENDING
    assert notice.subject.startswith("Minutes missing: Quarterly call")


def test_second_claim_of_the_same_occasion_and_recipient_loses():
    agreement, user = AgreementFactory(), UserFactory()
    claim(agreement, recipient_for_user(user=user))
    assert claim(agreement, recipient_for_user(user=user)) is None
    assert Notification.objects.count() == 1


def test_the_log_refuses_a_duplicate_even_without_an_agreement():
    user = UserFactory()
    claim(None, recipient_for_user(user=user), kind=Kind.STALE_DIGEST, occasion="week 2024-W51")
    with pytest.raises(IntegrityError):
        Notification.objects.create(
            agreement=None,
            kind=Kind.STALE_DIGEST,
            occasion="week 2024-W51",
            recipient=user.email.lower(),
            user=user,
            subject="x",
            body_text="x",
        )


def test_delivery_sends_plain_text_and_html_and_marks_sent():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory(email="pat@example.gov")))
    assert deliver(notice) is True
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT and notice.sent_at and notice.attempts == 1
    [message] = mail.outbox
    assert message.to == ["pat@example.gov"]
    assert "has no minutes yet" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert "<strong>Quarterly call</strong>" in message.alternatives[0].content


def test_a_sent_notice_is_never_sent_again():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    deliver(notice)
    assert deliver(notice) is False
    assert notices_deliver_pending() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_kept_pending_with_the_error_and_a_pause():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    with override_settings(EMAIL_BACKEND=REFUSING):
        assert deliver(notice) is False
    notice.refresh_from_db()
    assert notice.status == Notification.Status.PENDING
    assert notice.attempts == 1
    assert "SMTP server unreachable" in notice.last_error
    pause = notice.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < pause <= datetime.timedelta(seconds=60)
    assert notice.lease_until is None


def test_a_refused_message_is_not_tried_again_before_its_pause_ends():
    notice = claim(AgreementFactory(), Recipient(user=None, email=REFUSED_ADDRESS))
    with override_settings(EMAIL_BACKEND="notifications.tests.backends.RefusingOneAddressBackend"):
        deliver(notice)
        assert notices_deliver_pending() == 0
    notice.refresh_from_db()
    assert notice.attempts == 1 and notice.waiting_on_server is False


def test_while_the_server_is_down_each_sweep_tries_one_notice():
    agreement = AgreementFactory()
    first = claim(agreement, recipient_for_user(user=UserFactory()), occasion="a")
    second = claim(agreement, recipient_for_user(user=UserFactory()), occasion="b")
    attempts = []
    with override_settings(EMAIL_BACKEND=REFUSING):
        for _ in range(3):
            notices_deliver_pending()
            first.refresh_from_db(), second.refresh_from_db()
            attempts.append((first.attempts, second.attempts))
    # The first fails and stops the run; the next sweep tries the second (due); the third finds
    # nothing due and probes with the one that has waited longest.
    assert attempts == [(1, 0), (1, 1), (2, 1)]
    assert first.waiting_on_server and second.waiting_on_server


def test_once_the_server_answers_every_notice_waiting_on_it_goes_at_once():
    agreement = AgreementFactory()
    notices = [claim(agreement, recipient_for_user(user=UserFactory()), occasion=str(n)) for n in range(3)]
    with override_settings(EMAIL_BACKEND=REFUSING):
        for _ in notices:
            notices_deliver_pending()
    assert Notification.objects.filter(waiting_on_server=True).count() == 3
    assert notices_deliver_pending() == 3  # well before their pauses end
    assert len(mail.outbox) == 3


def test_a_failed_send_is_retried_from_its_row_with_the_words_decided_first():
    agreement = AgreementFactory(short_name="Old name")
    notice = claim(agreement, recipient_for_user(user=UserFactory()))
    with override_settings(EMAIL_BACKEND=REFUSING):
        deliver(notice)
    agreement.short_name = "New name"
    agreement.save()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert notices_deliver_pending() == 1
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT and notice.attempts == 2
    [message] = mail.outbox
    assert message.subject == notice.subject
    assert "Old name" in message.body


def test_the_pause_between_attempts_doubles_up_to_its_cap():
    assert [retry_pause(n).total_seconds() for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_notice_still_failing_after_its_retry_window_is_failed_and_left_alone():
    start = timezone.now()
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    with override_settings(EMAIL_BACKEND=REFUSING):
        hour = 0
        while hour <= 76:
            with time_machine.travel(start + datetime.timedelta(hours=hour)):
                notices_deliver_pending()
            hour += 1
    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert notice.next_attempt_at is None
    attempts = notice.attempts
    with time_machine.travel(start + datetime.timedelta(hours=90)):
        assert notices_deliver_pending() == 0
    notice.refresh_from_db()
    assert notice.attempts == attempts


def test_a_resent_failed_notice_is_sent_once():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    Notification.objects.filter(pk=notice.pk).update(status=Notification.Status.FAILED, attempts=40)
    assert notices_resend(ids=[notice.pk]) == 1
    assert notices_deliver_pending() == 1
    assert notices_resend(ids=[notice.pk]) == 0  # sent: never again
    assert notices_deliver_pending() == 0
    assert len(mail.outbox) == 1


def test_resend_all_puts_back_only_the_failed():
    agreement = AgreementFactory()
    failed = claim(agreement, recipient_for_user(user=UserFactory()), occasion="a")
    sent = claim(agreement, recipient_for_user(user=UserFactory()), occasion="b")
    Notification.objects.filter(pk=failed.pk).update(status=Notification.Status.FAILED)
    deliver(sent)
    assert notices_resend() == 1
    failed.refresh_from_db()
    assert failed.status == Notification.Status.PENDING and failed.retry_until > timezone.now()


def test_a_notice_taken_by_a_live_send_is_not_taken_again():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    Notification.objects.filter(pk=notice.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5), lease_owner="celery@elsewhere"
    )
    assert notices_deliver_pending() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert notices_deliver_pending() == 1


def test_a_restarted_worker_frees_its_own_leases_at_once():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    Notification.objects.filter(pk=notice.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5), lease_owner="celery@here"
    )
    assert notices_release_leases(owner="celery@elsewhere") == 0
    assert notices_release_leases(owner="celery@here") == 1
    assert notices_deliver_pending() == 1


def test_a_user_without_an_address_gets_the_notice_in_the_portal_only():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory(email="")))
    assert notice.recipient.startswith("user:")
    assert deliver(notice) is True
    assert mail.outbox == []


def test_a_muted_kind_is_logged_as_muted_and_not_sent():
    user = UserFactory()
    mutes_set(acting_user=user, kinds=[Kind.MINUTES_MISSING])
    notice = claim(AgreementFactory(), recipient_for_user(user=user))
    assert notice.status == Notification.Status.MUTED
    assert notices_deliver_pending() == 0
    assert mail.outbox == []


def test_term_notices_cannot_be_muted():
    user = UserFactory()
    mutes_set(acting_user=user, kinds=[Kind.TERM_NOTICE, Kind.STALE_DIGEST])
    assert list(Mute.objects.filter(user=user).values_list("kind", flat=True)) == [Kind.STALE_DIGEST]
    with pytest.raises(IntegrityError):
        Mute.objects.create(user=user, kind=Kind.TERM_NOTICE)


def test_a_contact_with_a_users_address_is_that_user():
    user = UserFactory(email="Lee@Example.gov")
    contact = PointOfContactFactory(email="lee@example.gov")
    assert recipients_from(users=[user], contacts=[contact]) == [recipient_for_user(user=user)]
    assert recipients_from(contacts=[contact])[0].user == user


def test_a_contact_without_an_address_is_left_out():
    other = PointOfContactFactory(email="")
    assert recipients_from(contacts=[other]) == []


def test_recipient_key_is_the_lower_case_address():
    assert Recipient(user=None, email=" Kim@Example.GOV ").key == "kim@example.gov"


def test_a_notice_being_sent_is_not_put_back_by_a_resend():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    Notification.objects.filter(pk=notice.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5), lease_owner="celery@elsewhere"
    )
    assert notices_resend(ids=[notice.pk]) == 0
    notice.refresh_from_db()
    assert notice.lease_owner == "celery@elsewhere"
