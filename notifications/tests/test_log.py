"""The notification log: claimed once, sent once, retried from its row, muted by choice."""

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import override_settings

from agreements.tests.factories import AgreementFactory, UserFactory
from notifications.models import Kind, Mute, Notification
from notifications.services import (
    Notice,
    Recipient,
    mutes_set,
    notices_claim,
    notices_deliver,
    notices_deliver_pending,
    recipient_for_user,
    recipients_from,
)
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


def test_a_failed_send_is_kept_as_failed_with_the_error():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    with override_settings(EMAIL_BACKEND=REFUSING):
        assert deliver(notice) is False
    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert notice.attempts == 1
    assert "SMTP server unreachable" in notice.last_error


def test_a_failed_send_is_retried_from_its_row_with_the_words_decided_first():
    agreement = AgreementFactory(short_name="Old name")
    notice = claim(agreement, recipient_for_user(user=UserFactory()))
    with override_settings(EMAIL_BACKEND=REFUSING):
        deliver(notice)
    agreement.short_name = "New name"
    agreement.save()
    assert notices_deliver_pending() == 1
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT and notice.attempts == 2
    [message] = mail.outbox
    assert message.subject == notice.subject
    assert "Old name" in message.body


@override_settings(NOTIFICATION_MAX_ATTEMPTS=2)
def test_a_notice_that_failed_every_attempt_is_left_alone():
    notice = claim(AgreementFactory(), recipient_for_user(user=UserFactory()))
    with override_settings(EMAIL_BACKEND=REFUSING):
        notices_deliver_pending()
        notices_deliver_pending()
        notices_deliver_pending()
    notice.refresh_from_db()
    assert notice.attempts == 2
    assert notices_deliver_pending() == 0


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
