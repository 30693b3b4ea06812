"""Deciding and sending notices, exactly once.

Jobs decide *what* is due (see agreements/countdown.py and activities/reminders.py) and call
`notice_claim` for each recipient: the row is inserted under the log's unique constraint, and
only the caller that inserted it goes on. `notice_deliver` then sends it and marks it sent; a
send that fails leaves the row failed, and `notices_deliver_pending` retries it from the row,
with the words decided the first time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from agreements.models import Agreement

from .models import UNMUTABLE_KINDS, Kind, Mute, Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who a notice goes to: a portal user (in the portal, and by e-mail if they have one) or an address."""

    user: Any | None
    email: str
    name: str = ""

    @property
    def key(self) -> str:
        """The log's recipient column: one notice per address, so a person listed twice gets one."""
        if self.email:
            return self.email.strip().lower()
        return f"user:{self.user.pk}"


def recipient_for_user(user) -> Recipient:
    return Recipient(user=user, email=user.email or "", name=user.get_full_name() or user.username)


def recipients_from(*, users: Iterable = (), contacts: Iterable = ()) -> list[Recipient]:
    """Users and points of contact as recipients, each address once.

    A contact whose address belongs to an active portal user is that user, so they also see
    the notice in the portal; a contact without an address cannot be reached and is left out.
    """
    found: dict[str, Recipient] = {}
    for user in users:
        if user is not None and user.is_active:
            r = recipient_for_user(user)
            found.setdefault(r.key, r)
    contacts = [c for c in contacts if c.email]
    by_email = {}
    if contacts:
        matches = reduce(or_, (Q(email__iexact=c.email) for c in contacts))
        for user in get_user_model().objects.filter(matches, is_active=True).order_by("pk"):
            by_email.setdefault(user.email.lower(), user)
    for contact in contacts:
        user = by_email.get(contact.email.lower())
        r = (
            recipient_for_user(user)
            if user
            else Recipient(user=None, email=contact.email, name=contact.person_name or contact.role_title)
        )
        found.setdefault(r.key, r)
    return list(found.values())


def is_muted(*, user, kind: str) -> bool:
    return kind not in UNMUTABLE_KINDS and Mute.objects.filter(user=user, kind=kind).exists()


def notice_claim(
    *,
    agreement: Agreement | None,
    kind: str,
    occasion: str,
    recipient: Recipient,
    context: dict[str, Any],
    link: str = "",
    muted: bool | None = None,
) -> Notification | None:
    """Claim the notice for this recipient; None if it was already claimed (by anyone, ever).

    The subject and bodies are rendered now and kept on the row, so a retry sends exactly
    what was decided. A user who muted the kind gets a muted row: decided, never sent
    (`muted` may be given by a caller that looked it up for many recipients at once).
    """
    context = {
        "agreement": agreement,
        "recipient": recipient,
        "link": link,
        "portal_url": settings.PORTAL_URL.rstrip("/"),
        **context,
    }
    base = f"notifications/email/{kind}"
    if muted is None:
        muted = recipient.user is not None and is_muted(user=recipient.user, kind=kind)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                agreement=agreement,
                kind=kind,
                occasion=occasion,
                recipient=recipient.key,
                user=recipient.user,
                email=recipient.email,
                subject=" ".join(render_to_string(f"{base}_subject.txt", context).split())[:250],
                body_text=render_to_string(f"{base}.txt", context),
                summary=render_to_string(f"{base}.txt", {**context, "in_app": True}).strip(),
                body_html=render_to_string(f"{base}.html", context),
                link=link,
                status=Notification.Status.MUTED if muted else Notification.Status.PENDING,
            )
    except IntegrityError:
        if Notification.objects.filter(
            agreement=agreement, kind=kind, occasion=occasion, recipient=recipient.key
        ).exists():
            return None
        raise


def notices_claim(
    *,
    agreement: Agreement | None,
    kind: str,
    occasion: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any] | Callable[[Recipient], dict[str, Any]],
    link: str = "",
) -> list[Notification]:
    """Claim one notice per recipient; returns the ones this call won.

    Two queries up front instead of two per recipient: the recipients already claimed for
    this occasion are skipped before anything is rendered (a daily job re-decides the same
    notices every day, so this is most of a re-run's work), and the mutes of the kind are
    read once. The log's unique constraint still decides any race (notice_claim).
    """
    recipients = list(recipients)
    claimed = set(
        Notification.objects.filter(
            agreement=agreement, kind=kind, occasion=occasion, recipient__in=[r.key for r in recipients]
        ).values_list("recipient", flat=True)
    )
    muting = set()
    users = [r.user.pk for r in recipients if r.user is not None and r.key not in claimed]
    if users and kind not in UNMUTABLE_KINDS:
        muting = set(Mute.objects.filter(kind=kind, user__in=users).values_list("user", flat=True))
    won = []
    for recipient in recipients:
        if recipient.key in claimed:
            continue
        ctx = context(recipient) if callable(context) else context
        notice = notice_claim(
            agreement=agreement,
            kind=kind,
            occasion=occasion,
            recipient=recipient,
            context=ctx,
            link=link,
            muted=recipient.user is not None and recipient.user.pk in muting,
        )
        if notice is not None:
            won.append(notice)
    return won


def notice_deliver(*, notification_id: int) -> bool:
    """Send one claimed notice by e-mail and mark it sent; True if this call sent it.

    The row is locked while sending (SKIP LOCKED), so two workers never send the same row;
    a notice for a user without an address is delivered by being in the portal.
    """
    with transaction.atomic():
        notice = (
            Notification.objects.deliverable()
            .select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
        if notice is None:
            return False
        notice.attempts += 1
        if notice.email:
            message = EmailMultiAlternatives(
                subject=notice.subject,
                body=notice.body_text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notice.email],
            )
            if notice.body_html:
                message.attach_alternative(notice.body_html, "text/html")
            try:
                message.send()
            except Exception as exc:  # any transport failure: keep the row for a retry
                logger.warning("Notice %s to %s failed: %s", notice.pk, notice.recipient, exc)
                notice.status = Notification.Status.FAILED
                notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                notice.save(update_fields=["attempts", "status", "last_error"])
                return False
        notice.status = Notification.Status.SENT
        notice.sent_at = timezone.now()
        notice.last_error = ""
        notice.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def notices_deliver(notices: Iterable[Notification]) -> int:
    return sum(notice_deliver(notification_id=n.pk) for n in notices)


def notices_deliver_pending() -> int:
    """Send every claimed notice that has not gone yet (pending, or failed with attempts left)."""
    ids = list(Notification.objects.deliverable().order_by("pk").values_list("pk", flat=True))
    return sum(notice_deliver(notification_id=pk) for pk in ids)


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them, or the given ones)."""
    notices = Notification.objects.for_user(user).unread()
    if ids is not None:
        notices = notices.filter(pk__in=list(ids))
    return notices.update(read_at=timezone.now())


@transaction.atomic
def mutes_set(*, user, kinds: Iterable[str]) -> None:
    """Set exactly which kinds the user mutes; the term notices cannot be muted."""
    wanted = {k for k in kinds if k in Kind.values and k not in UNMUTABLE_KINDS}
    Mute.objects.filter(user=user).exclude(kind__in=wanted).delete()
    for kind in wanted:
        Mute.objects.get_or_create(user=user, kind=kind)


def enqueue_on_commit(task, *args: Any, **kwargs: Any) -> None:
    """Queue a Celery task once the current transaction commits, never failing the request.

    The web never waits on the broker: publishing gives up after a short timeout, and a
    broker error is logged and swallowed (the scheduled jobs compute what is due anyway).
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:
            logger.exception("Could not queue %s; the broker is unreachable.", getattr(task, "name", task))

    transaction.on_commit(publish)
