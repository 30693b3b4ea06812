"""Deciding and sending notices, exactly once.

Jobs decide *what* is due (see agreements/countdown.py and activities/reminders.py) as a list
of `Notice`s and claim them all at once with `notices_claim`: the rows are inserted under the
log's unique constraint, and only the rows this call inserted are its to send (a row another
run inserted first is skipped, whoever wins a race). `notices_deliver` then takes each (a
committed UPDATE with a lease), sends it outside any transaction and marks it sent; a send that
fails leaves the row pending with a growing pause, and the sweep (`notices_deliver_pending`,
every minute) retries it from the row, with the words decided the first time, until the retry
window closes and the row is failed (see the operations page and `manage.py notices_resend`).
"""

from __future__ import annotations

import datetime
import logging
import os
import smtplib
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar

from agreements.models import Agreement
from core.notices import Attachment

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from contacts.models import PointOfContact

from . import runs, webhooks
from .models import (
    UNMUTABLE_KINDS,
    WEBHOOK_ONLY_KINDS,
    Kind,
    Mute,
    Notification,
    Resend,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

#: Rows per INSERT of a bulk claim.
CLAIM_BATCH_SIZE = 500


@dataclass(frozen=True)
class Recipient:
    """Who a notice goes to: a portal user (in the portal, and by e-mail if they have one), an
    address, or a party's webhook subscription (a delivery by HTTP POST)."""

    user: User | None
    email: str
    name: str = ""
    webhook: WebhookSubscription | None = None

    @property
    def key(self) -> str:
        """The log's recipient column: one notice per address, so a person listed twice gets one."""
        if self.webhook is not None:
            return f"webhook:{self.webhook.pk}"
        if self.email:
            return self.email.strip().lower()
        if self.user is None:
            raise ValueError("A recipient is a user or an e-mail address.")
        return f"user:{self.user.pk}"


def recipient_for_user(*, user: User) -> Recipient:
    return Recipient(user=user, email=user.email or "", name=user.get_full_name() or user.username)


def users_by_email(*, contacts: Iterable[PointOfContact]) -> dict[str, User]:
    """The active portal user behind each contact's address (lower case), in one query.

    A job that resolves the contacts of many notices asks this once and hands the answer to
    `recipients_from`, instead of one lookup per notice.
    """
    emails = {c.email.lower() for c in contacts if c.email}
    found: dict[str, User] = {}
    if emails:
        users = (
            get_user_model()
            .objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails, is_active=True)
            .order_by("pk")
        )
        for user in users:
            found.setdefault(user.email_lower, user)
    return found


def recipients_from(
    *, users: Iterable = (), contacts: Iterable = (), by_email: dict[str, Any] | None = None
) -> list[Recipient]:
    """Users and points of contact as recipients, each address once.

    A contact whose address belongs to an active portal user is that user, so they also see
    the notice in the portal; a contact without an address cannot be reached and is left out.
    `by_email` is `users_by_email` of (at least) these contacts, when the caller looked it up.
    """
    found: dict[str, Recipient] = {}
    for user in users:
        if user is not None and user.is_active:
            r = recipient_for_user(user=user)
            found.setdefault(r.key, r)
    contacts = [c for c in contacts if c.email]
    if by_email is None:
        by_email = users_by_email(contacts=contacts)
    for contact in contacts:
        user = by_email.get(contact.email.lower())
        r = (
            recipient_for_user(user=user)
            if user
            else Recipient(user=None, email=contact.email, name=contact.person_name or contact.role_title)
        )
        found.setdefault(r.key, r)
    return list(found.values())


@dataclass(frozen=True)
class Notice:
    """A notice a job decided is due, not yet claimed: about what, to whom, and its template's context."""

    agreement: Agreement | None
    kind: str
    occasion: str
    recipient: Recipient
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    calendar: str = ""
    #: Draws the e-mail's attachment; called only if this notice is claimed (core.notices.DueNotice).
    attachment: Callable[[], Attachment] | None = None

    @property
    def key(self) -> tuple[int | None, str, str, str]:
        """The log's unique key: one notice per agreement, kind, occasion and recipient."""
        return (self.agreement.pk if self.agreement else None, self.kind, self.occasion, self.recipient.key)


def notices_for(
    *,
    agreement: Agreement | None,
    kind: str,
    occasion: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any],
    link: str = "",
    calendar: str = "",
    attachment: Callable[[], Attachment] | None = None,
) -> list[Notice]:
    """The same notice to each recipient (with the same calendar invitation or attachment, if any)."""
    return [
        Notice(
            agreement=agreement,
            kind=kind,
            occasion=occasion,
            recipient=r,
            context=context,
            link=link,
            calendar=calendar,
            attachment=attachment,
        )
        for r in recipients
    ]


#: Stands for the recipient's name while a text shared by several recipients is rendered; each
#: recipient's own name (escaped in the HTML body) replaces it afterwards.
_NAME_MARK = "MOARECIPIENTNAME7f3c9a"


@dataclass(frozen=True)
class _NamedOnly:
    """The recipient in a shared rendering: only the name, which is put in after (see `_Words`)."""

    name: str = _NAME_MARK


class _Words:
    """The subject, bodies and in-portal summary of notices, from each kind's templates.

    The templates are looked up once per kind and claim, not four times per notice. The words
    are rendered once per text that recipients share (issue 19: the term countdown at scale 10
    is 35,000 notices, a few thousand texts, and rendering each notice was most of the claim):
    notices of one kind, agreement, occasion, context and link read the same to every recipient
    but for the name in the greeting, and whether they are a portal user (someone who is not
    gets no links). So those are rendered once with a mark for the name, and each recipient's
    name replaces the mark. A template may use the recipient only through `recipient.name`;
    a recipient without a name is rendered on their own (the template decides what stands
    in for no name). notifications/tests/test_shared_words.py checks, kind by kind, that the
    shared rendering gives each recipient exactly the words rendering for them alone gives.
    """

    def __init__(self) -> None:
        self.templates: dict[str, tuple[Any, Any, Any]] = {}
        self.portal_url = settings.PORTAL_URL.rstrip("/")
        self.now = timezone.now().isoformat()
        self.shared: dict[tuple, dict[str, str]] = {}

    def __call__(self, notice: Notice) -> dict[str, str]:
        if notice.recipient.webhook is not None:
            # A webhook delivery: the JSON to post, decided once like an e-mail's words.
            event = notice.context["event"]
            return {
                "subject": event["title"][:250],
                "body_text": webhooks.payload(
                    format=notice.recipient.webhook.format, event=event, timestamp=self.now
                ),
                "summary": event["summary"],
                "body_html": "",
            }
        name = notice.recipient.name
        if not name:
            return _finished(self.render(notice, notice.recipient))
        portal_links = notice.recipient.user is not None
        # The context dict is the same object for every recipient of a notice (`notices_for`), and
        # `notice` keeps it alive while this claim runs, so its id names it.
        key = (
            notice.kind,
            notice.agreement.pk if notice.agreement is not None else None,
            notice.occasion,
            id(notice.context),
            notice.link,
            portal_links,
        )
        shared = self.shared.get(key)
        if shared is None:
            shared = self.shared[key] = self.render(notice, _NamedOnly())
        return _finished(
            {
                "subject": shared["subject"].replace(_NAME_MARK, name),
                "body_text": shared["body_text"].replace(_NAME_MARK, name),
                "summary": shared["summary"].replace(_NAME_MARK, name),
                "body_html": shared["body_html"].replace(_NAME_MARK, escape(name)),
            }
        )

    def render(self, notice: Notice, recipient: Recipient | _NamedOnly) -> dict[str, str]:
        """The words of `notice` with `recipient` as the template's recipient, not yet `_finished`."""
        kind = notice.kind
        if kind not in self.templates:
            base = f"notifications/email/{kind}"
            self.templates[kind] = (
                get_template(f"{base}_subject.txt"),
                get_template(f"{base}.txt"),
                get_template(f"{base}.html"),
            )
        subject, text, html = self.templates[kind]
        # Someone who is not a portal user (a point of contact) cannot open the portal's pages:
        # their message carries no links to them.
        portal_links = notice.recipient.user is not None
        context = {
            "agreement": notice.agreement,
            "recipient": recipient,
            "link": notice.link if portal_links else "",
            "portal_links": portal_links,
            "portal_url": self.portal_url,
            **notice.context,
        }
        return {
            "subject": subject.render(context),
            "body_text": text.render(context),
            "summary": text.render({**context, "in_app": True}),
            "body_html": html.render(context),
        }


def _finished(words: dict[str, str]) -> dict[str, str]:
    """The subject on one line within its column, the summary without the blank lines around it."""
    return {
        **words,
        "subject": " ".join(words["subject"].split())[:250],
        "summary": words["summary"].strip(),
    }


def _claimed_keys(notices: list[Notice]) -> set[tuple[int | None, str, str, str]]:
    """The keys of these notices already in the log, in one query (by agreement, kind and occasion)."""
    kinds = {n.kind for n in notices}
    occasions = {n.occasion for n in notices}
    agreements = {n.agreement.pk for n in notices if n.agreement is not None}
    where = Q()
    if agreements:
        where |= Q(agreement__in=agreements)
    if any(n.agreement is None for n in notices):
        where |= Q(agreement__isnull=True)
    rows = Notification.objects.filter(where, kind__in=kinds, occasion__in=occasions).values_list(
        "agreement_id", "kind", "occasion", "recipient"
    )
    return set(rows)


def _muting(notices: list[Notice]) -> set[tuple[int, str]]:
    """(user, kind) of the mutes that apply to these notices, in one query."""
    users = {n.recipient.user.pk for n in notices if n.recipient.user is not None}
    kinds = {n.kind for n in notices} - UNMUTABLE_KINDS
    if not users or not kinds:
        return set()
    return set(Mute.objects.filter(user__in=users, kind__in=kinds).values_list("user_id", "kind"))


def notices_claim(*, notices: Iterable[Notice]) -> list[Notification]:
    """Claim these notices in the log; returns the rows this call won (muted ones included).

    A fixed number of queries however many notices: the keys already claimed are read first
    (a daily job re-decides the same notices every day, so this is most of a re-run's work)
    and only the others are rendered; the mutes are read once; the rows go in with
    INSERT ... ON CONFLICT DO NOTHING in batches, each tagged with this call's claim batch, and
    the rows so tagged are the ones this call won. The log's unique constraint decides any race
    with another run, as for a single insert: a notice is never claimed twice. Rows are
    inserted in key order, so two runs racing over the same notices wait on each other rather
    than deadlock. A user who muted the kind gets a muted row: decided, never sent.
    """
    wanted: dict[tuple, Notice] = {}
    for notice in notices:
        wanted.setdefault(notice.key, notice)  # the same notice twice in one call: the first counts
    if not wanted:
        return []
    claimed = _claimed_keys(list(wanted.values()))
    todo = [n for key, n in wanted.items() if key not in claimed]
    if not todo:
        return []
    muting = _muting(todo)
    words = _Words()
    drawn: dict[int, Attachment] = {}  # one drawing per attachment, however many recipients

    def attachment_of(n: Notice) -> dict[str, Any]:
        if n.attachment is None:
            return {}
        if id(n.attachment) not in drawn:
            drawn[id(n.attachment)] = n.attachment()
        a = drawn[id(n.attachment)]
        return {"attachment_name": a.filename, "attachment_type": a.mimetype, "attachment": a.content}

    batch = uuid.uuid4()
    retry_until = timezone.now() + retry_window()
    rows = [
        {
            "agreement_id": n.agreement.pk if n.agreement is not None else None,
            "kind": n.kind,
            "occasion": n.occasion,
            "recipient": n.recipient.key,
            "user_id": n.recipient.user.pk if n.recipient.user is not None else None,
            "email": n.recipient.email,
            "webhook_id": n.recipient.webhook.pk if n.recipient.webhook is not None else None,
            "link": n.link,
            "calendar": n.calendar,
            "status": (
                Notification.Status.MUTED.value
                if n.recipient.user is not None and (n.recipient.user.pk, n.kind) in muting
                else Notification.Status.PENDING.value
            ),
            "claim_batch": batch,
            "retry_until": retry_until,
            **words(n),
            **attachment_of(n),
        }
        for n in sorted(todo, key=lambda n: (n.key[0] or 0, *n.key[1:]))
    ]
    _claim_insert(rows)
    # The words just written are not read back (at scale 10 the term countdown's are 35,000 rows
    # of text): a caller that wants them reads them from the row.
    won = list(
        Notification.objects.filter(claim_batch=batch)
        .defer("subject", "summary", "body_text", "body_html", "calendar", "attachment")
        .order_by("pk")
    )
    runs.count(claimed=len(won))
    return won


def _claim_insert(rows: list[dict[str, Any]]) -> None:
    """INSERT the claimed rows (field: value, by attname) unless their key is in the log already.

    On PostgreSQL one statement per CLAIM_BATCH_SIZE rows takes each column as one array
    (`INSERT ... SELECT * FROM unnest(...) ON CONFLICT DO NOTHING`): the ORM's bulk_create
    prepares every value of every row field by field, which was most of the claim's CPU once
    the words were rendered once per text (issue 19: 35,000 rows of 29 columns at scale 10).
    The fields left out take their model defaults, decided once per claim. Elsewhere (SQLite)
    bulk_create does the same.
    """
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [Notification(**row) for row in rows], batch_size=CLAIM_BATCH_SIZE, ignore_conflicts=True
        )
        return
    defaults = {f.attname: f.get_default() for f in fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields if f.column)
    arrays = ", ".join(f"%s::{f.cast_db_type(connection) or 'text'}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} ({columns})"  # noqa: S608  (names from the model)
        f" SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CLAIM_BATCH_SIZE):
            batch = rows[start : start + CLAIM_BATCH_SIZE]
            cursor.execute(sql, [[row.get(f.attname, defaults[f.attname]) for row in batch] for f in fields])


class _Outbox:
    """One connection to the mail server for a run of sends (with SMTP: one handshake, not one per message).

    Opened at the first message that has an address, with EMAIL_TIMEOUT on every wait; closed
    after a failed send, so the next message opens a fresh one rather than writing into a
    broken connection.
    """

    def __init__(self) -> None:
        self.backend = get_connection(timeout=settings.EMAIL_TIMEOUT)
        self.is_open = False

    def send(self, message: EmailMultiAlternatives) -> None:
        if not self.is_open:
            self.backend.open()
            self.is_open = True
        try:
            self.backend.send_messages([message])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            try:
                self.backend.close()
            except Exception as exc:  # the messages are out and marked; a failing goodbye changes nothing
                logger.warning("Closing the mail connection failed: %s", exc)


#: Failures of one message (the server answered and refused it): the run goes on with the next.
#: Anything else (refused connection, timeout, dropped connection) means the server is not
#: there: the run stops sending and leaves the rest to the sweep, so a dead or hung server
#: costs a run one EMAIL_TIMEOUT, not one per notice.
MESSAGE_FAILURES = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def calendar_part(calendar: str) -> MIMEText:
    """An iCalendar invitation as the e-mail part calendar programs act on: text/calendar with
    its iTIP method (REQUEST or CANCEL) in the content type, attached as invitation.ics."""
    method = str(Calendar.from_ical(calendar).get("method", "REQUEST"))
    part = MIMEText(calendar, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part


def retry_pause(attempts: int) -> datetime.timedelta:
    """The pause after the attempts-th failed send: the first pause, doubled each time, capped."""
    first = settings.NOTIFICATION_RETRY_FIRST_SECONDS
    seconds = min(first * 2 ** max(attempts - 1, 0), settings.NOTIFICATION_RETRY_MAX_SECONDS)
    return datetime.timedelta(seconds=seconds)


def retry_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.NOTIFICATION_RETRY_HOURS)


def lease_owner() -> str:
    """Who takes a notice to send: the worker's node name in a task, else host and process."""
    from celery import current_task

    hostname = getattr(getattr(current_task, "request", None), "hostname", None)
    return hostname or f"{socket.gethostname()}:{os.getpid()}"


class _Delivery:
    """A run of sends: claim → commit → send → mark, the send outside any database transaction.

    Each notice is first *taken* by one UPDATE (pending, due, not taken by a live send) that
    counts the attempt and sets a lease; that statement commits before the message goes, so
    no row lock is held while the mail server is slow, and no other job waits on it. Only the
    process whose UPDATE matched sends. The mark after the send clears the lease. A worker killed
    between send and mark leaves one notice taken: a restarted worker frees its own leases at
    once (`notices_release_leases`), and any other worker's sweep takes it back when its lease
    runs out; that one message may then go twice (the in-flight duplicate, documented).

    The statements are plain SQL written once per run: compiling them with the ORM for every
    notice was most of the delivery's own CPU time. The take reads what
    `NotificationQuerySet.deliverable()` selects.

    One commit per notice, not two: the mark of a sent notice goes into the transaction that
    takes the next one (or, for the last, is committed when the run ends or a failure is
    recorded). A commit waits for the disk, and two of them per notice were most of a run's time
    at scale (issue 19). What may go twice is unchanged: a worker killed after a send and before
    that commit leaves that one notice taken and unmarked, exactly as before.
    """

    def __init__(self, *, owner: str | None = None, counting: bool = True) -> None:
        self.outbox = _Outbox()
        self.owner = (owner or lease_owner())[:200]
        #: Count into the job run in progress (a thread of a parallel run leaves it to its caller).
        self.counting = counting
        self.server_down: str = ""
        table = connection.ops.quote_name(Notification._meta.db_table)
        returning = (
            " RETURNING email, subject, body_text, body_html, calendar, attempts, created_at, retry_until,"
            " webhook_id, attachment_name, attachment_type, attachment"
        )
        take = (
            f"UPDATE {table} SET attempts = attempts + 1, lease_until = %s, lease_owner = %s"  # noqa: S608
            " WHERE id = %s AND status = %s AND (lease_until IS NULL OR lease_until < %s)"
        )
        due = " AND (next_attempt_at IS NULL OR next_attempt_at <= %s)"
        self.take_sql = take + due + returning
        # While the mail server is not there, webhook deliveries still go (they do not need it).
        self.take_webhook_sql = take + due + " AND webhook_id IS NOT NULL" + returning
        # A notice paused only because the server was not there: taken early once it answers again.
        self.take_early_sql = take + " AND waiting_on_server" + returning
        self.sent_sql = (
            f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '', next_attempt_at = NULL,"  # noqa: S608
            " lease_until = NULL, lease_owner = '', waiting_on_server = FALSE WHERE id = %s"
        )
        self.failed_sql = (
            f"UPDATE {table} SET status = %s, last_error = %s, next_attempt_at = %s,"  # noqa: S608
            " lease_until = NULL, lease_owner = '', waiting_on_server = %s WHERE id = %s"
        )
        self.sent = 0
        self.mailed = 0  # e-mails among the sent: proof that the mail server answers
        self.failed = 0
        #: A notice sent and not yet marked: (id, when it was sent); marked with the next take.
        self.unmarked: tuple[int, datetime.datetime] | None = None

    def __enter__(self) -> _Delivery:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.outbox.close()
        finally:
            with transaction.atomic():
                self._mark_sent()

    def _mark_sent(self) -> None:
        """Mark the notice sent last, if it is not yet (call inside the transaction to commit it in)."""
        if self.unmarked is not None:
            notification_id, sent_at = self.unmarked
            adapt = connection.ops.adapt_datetimefield_value
            self._execute(self.sent_sql, [Notification.Status.SENT.value, adapt(sent_at), notification_id])
            self.unmarked = None

    def _execute(self, sql: str, params: list) -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None

    def _take(self, notification_id: int, *, early: bool = False) -> tuple | None:
        now = timezone.now()
        lease_until = now + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
        adapt = connection.ops.adapt_datetimefield_value
        params = [
            adapt(lease_until),
            self.owner,
            notification_id,
            Notification.Status.PENDING.value,
            adapt(now),
        ]
        with transaction.atomic():  # commits here (or joins the caller's, e.g. a test's)
            self._mark_sent()  # the previous notice's mark, in the same commit
            if early:
                return self._execute(self.take_early_sql, params)
            sql = self.take_webhook_sql if self.server_down else self.take_sql
            return self._execute(sql, [*params, adapt(now)])

    def deliver(self, notification_id: int, *, early: bool = False) -> bool:
        """Send one claimed notice and mark it sent; False if it is not (or no longer) to send, or failed.

        `early`: a notice paused because the server was down, taken before its pause ends.
        """
        if self.server_down and early:
            return False
        row = self._take(notification_id, early=early)
        if row is None:
            return False
        email, subject, body_text, body_html, calendar, attempts, created_at, retry_until, *rest = row
        webhook_id, attachment_name, attachment_type, attachment = rest
        if webhook_id is not None:
            try:
                _webhook_post(notification_id=notification_id, webhook_id=webhook_id, body=body_text)
            except Exception as exc:  # refused URL, no answer, non-2xx: keep the row for a retry
                retry_until = retry_until or created_at + retry_window()
                self._failed(
                    notification_id, f"webhook {webhook_id}", exc, attempts, retry_until, server_down=False
                )
                return False
        elif email:
            message = EmailMultiAlternatives(
                subject=subject, body=body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email]
            )
            if body_html:
                message.attach_alternative(body_html, "text/html")
            if calendar:
                message.attach(calendar_part(calendar))
            if attachment_name:
                message.attach(attachment_name, bytes(attachment), attachment_type)
            try:
                self.outbox.send(message)
            except Exception as exc:  # any transport failure: keep the row for a retry
                retry_until = retry_until or created_at + retry_window()
                server_down = not isinstance(exc, MESSAGE_FAILURES)
                self._failed(notification_id, email, exc, attempts, retry_until, server_down=server_down)
                if server_down:
                    self.server_down = f"{type(exc).__name__}: {exc}"
                return False
            self.mailed += 1
        # A user without an address is reached by the notice being in the portal.
        self.unmarked = (notification_id, timezone.now())
        self.sent += 1
        if self.counting:
            runs.count(sent=1)
        return True

    def _failed(
        self,
        notification_id: int,
        email: str,
        exc: Exception,
        attempts: int,
        retry_until: datetime.datetime,
        *,
        server_down: bool,
    ) -> None:
        now = timezone.now()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if now >= retry_until:
            logger.error("Notice %s to %s failed for good: %s", notification_id, email, exc)
            status, next_attempt = Notification.Status.FAILED, None
        else:
            logger.warning("Notice %s to %s failed (attempt %s): %s", notification_id, email, attempts, exc)
            status, next_attempt = Notification.Status.PENDING, now + retry_pause(attempts)
        adapt = connection.ops.adapt_datetimefield_value
        with transaction.atomic():
            self._mark_sent()
            self._execute(
                self.failed_sql,
                [
                    status.value,
                    error,
                    adapt(next_attempt) if next_attempt else None,
                    server_down,
                    notification_id,
                ],
            )
        self.failed += 1
        if self.counting:
            runs.count(failed=1)


class WebhookRefused(Exception):
    """The receiver answered, but not with 2xx (or the subscription is paused): not delivered."""


def _webhook_post(*, notification_id: int, webhook_id: int, body: str) -> None:
    """POST a delivery to its subscription's URL, signed with the subscription's secret now.

    The webhook-id is the notice's, the same on every attempt (receivers drop a repeat by it);
    the timestamp is the attempt's, so a receiver can refuse old replays.
    """
    subscription = WebhookSubscription.objects.filter(pk=webhook_id).values("url", "secret", "active").first()
    if subscription is None or not subscription["active"]:
        raise WebhookRefused("The subscription is paused; it is tried again until its retry window closes.")
    msg_id = f"msg_moa_{notification_id}"
    timestamp = int(timezone.now().timestamp())
    answer = webhooks.post(
        url=subscription["url"],
        body=body,
        headers={
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": webhooks.signature(
                secret=subscription["secret"], msg_id=msg_id, timestamp=timestamp, body=body
            ),
        },
    )
    if not answer.delivered:
        raise WebhookRefused(f"HTTP {answer.status}: {answer.text}".strip())


def _deliver_all(ids: Iterable[int]) -> list[int]:
    """Send these notices in one run; the ids of those sent.

    A large run (NOTIFICATION_PARALLEL_FROM) is split over NOTIFICATION_DELIVERY_THREADS
    connections, unless it runs inside a transaction (a test's, or a caller's), which other
    threads' connections could not see.
    """
    ids = list(ids)
    threads = min(settings.NOTIFICATION_DELIVERY_THREADS, len(ids))
    if threads > 1 and len(ids) >= settings.NOTIFICATION_PARALLEL_FROM and not connection.in_atomic_block:
        return _deliver_in_parallel(ids, threads)
    sent = []
    with _Delivery() as delivery:
        for pk in ids:
            if delivery.deliver(pk):
                sent.append(pk)
        if delivery.server_down:
            logger.warning("The mail server is not answering (%s); the rest waits.", delivery.server_down)
    return sent


def _deliver_in_parallel(ids: list[int], threads: int) -> list[int]:
    """Send these notices over `threads` runs at once; the ids of those sent.

    Why: one run spends most of its time waiting, on the mail server's replies and on the
    database's commits, so a large job's notices (tens of thousands at a department's scale)
    would take minutes one at a time. Each thread is an ordinary run (take, send, mark) with its
    own mail and database connections, so exactly-once holds as between two workers: the take
    decides. The leases carry the caller's owner (a restarted worker frees them), and the counts
    go into the caller's job run once all threads are done.
    """
    owner = lease_owner()
    results: list[_Delivery | None] = [None] * threads
    sent: list[list[int]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            with _Delivery(owner=owner, counting=False) as delivery:
                results[n] = delivery
                for pk in ids[n::threads]:
                    if delivery.deliver(pk):
                        sent[n].append(pk)
                if delivery.server_down:
                    logger.warning(
                        "The mail server is not answering (%s); the rest waits.", delivery.server_down
                    )
        except BaseException as exc:  # re-raised by the caller, after every thread is done
            errors.append(exc)
        finally:
            connection.close()  # this thread's own

    pool = [threading.Thread(target=run, args=(n,), name=f"moa-delivery-{n}") for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    runs.count(
        sent=sum(r.sent for r in results if r is not None),
        failed=sum(r.failed for r in results if r is not None),
    )
    if errors:
        raise errors[0]
    return sorted(pk for part in sent for pk in part)


def notice_deliver(*, notification_id: int) -> bool:
    """Send one claimed notice by e-mail and mark it sent; True if this call sent it."""
    return len(_deliver_all([notification_id])) == 1


def notices_deliver(*, notices: Iterable[Notification]) -> int:
    """Send these claimed notices over one mail connection; how many went.

    A message the server refuses marks only its own row and the run goes on; a server that
    is not there stops the run (the rest stay pending for the sweep). Muted rows are skipped
    without a query: they are decided never to be sent.
    """
    return len(_deliver_all(n.pk for n in notices if n.status != Notification.Status.MUTED))


def notices_send(*, claimed: list[Notification]) -> list[Notification]:
    """Send the notices a job's claim won; the ones this run sent (a job returns how many).

    A claim of NOTIFICATION_QUEUE_FROM notices or more is not sent here: it is queued in chunks
    (`notices_queue`) for the mail workers, and none is returned as sent by this run (the chunks'
    runs count what they send). Inside a transaction (a caller's, a test's) it is sent here, as
    the workers could not see the rows.
    """
    ids = [n.pk for n in claimed if n.status != Notification.Status.MUTED]
    if len(ids) >= settings.NOTIFICATION_QUEUE_FROM and not connection.in_atomic_block:
        left = notices_queue(ids=ids)
        sent = set(_deliver_all(left))
    else:
        sent = set(_deliver_all(ids))
    return [n for n in claimed if n.pk in sent]


def notices_queue(*, ids: list[int]) -> list[int]:
    """Queue these claimed notices for delivery, NOTIFICATION_CHUNK_SIZE a task; the ids not queued.

    Why: at scale 10 the term countdown claims 35,000 notices, minutes of sending for one
    process; queued in chunks they are sent by as many mail workers (processes, each with
    NOTIFICATION_DELIVERY_THREADS connections) as are running, and the job ends after its claim.
    A chunk is an ordinary delivery run (`notices_deliver_ids`): the take decides who sends, so
    a chunk delivered twice (a redelivered task), or a notice the sweep reaches first, still
    goes once. The task's queue is CELERY_TASK_ROUTES' (the `mail` queue). If the broker refuses
    a chunk, that chunk and the rest are returned for the caller to send itself.
    """
    from .tasks import deliver_notices

    size = max(settings.NOTIFICATION_CHUNK_SIZE, 1)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        try:
            deliver_notices.apply_async(args=(chunk,), retry=False)
        except Exception:
            logger.exception(
                "Could not queue %s notices for the mail workers; sending them here.", len(ids) - start
            )
            return ids[start:]
    logger.info("Queued %s notices in %s chunks for the mail workers", len(ids), -(-len(ids) // size))
    return []


def notices_deliver_ids(*, ids: Iterable[int]) -> int:
    """Send these claimed notices (a chunk queued by `notices_queue`); how many this run sent.

    A notice already sent, muted, failed or taken by a live send is passed over, so a chunk
    may be run any number of times.
    """
    return len(_deliver_all(ids))


def notices_deliver_pending() -> int:
    """The sweep: send every pending notice that is due (not pausing after a failure, not taken).

    While the mail server is down, the notices that failed on it pause as any failure does; but
    the sweep, if nothing else is due, tries the one that has waited longest (one connection a
    minute: a probe), and as soon as a send goes through it sends every notice that was waiting
    on the server, without waiting out their pauses. So the end of an outage is noticed within
    a minute and everything goes at once, not over the following hour.
    """
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    waiting = Notification.objects.filter(free, status=Notification.Status.PENDING, waiting_on_server=True)
    due = list(Notification.objects.deliverable(now).order_by("pk").values_list("pk", flat=True))
    sent: list[int] = []
    with _Delivery() as delivery:
        if not due:
            probe = waiting.order_by("next_attempt_at", "pk").values_list("pk", flat=True).first()
            if probe is not None and delivery.deliver(probe, early=True):
                sent.append(probe)
        for pk in due:
            if delivery.deliver(pk):
                sent.append(pk)
        if delivery.mailed and not delivery.server_down:
            for pk in waiting.exclude(pk__in=sent).order_by("pk").values_list("pk", flat=True):
                if delivery.deliver(pk, early=True):
                    sent.append(pk)
        if delivery.server_down:
            logger.warning("The mail server is not answering (%s); the rest waits.", delivery.server_down)
    return len(sent)


def notices_release_leases(*, owner: str) -> int:
    """Free the notices this owner had taken: called by a worker at start, whose earlier self died.

    Its sends are over (the process is new), so waiting out their leases would only delay them.
    """
    return Notification.objects.filter(status=Notification.Status.PENDING, lease_owner=owner).update(
        lease_until=None, lease_owner=""
    )


def notices_resend(*, ids: Iterable[int] | None = None, by=None, via: str = "command") -> int:
    """Put failed notices (these, or all) back to pending with a fresh retry window; how many.

    A pending notice named by id is made due now. A sent or muted notice is never resent.
    The sends happen in the sweep (or the caller's `notices_deliver_pending`), outside this
    transaction. Every request is recorded (`Resend`: who, when, which, how many).
    """
    now = timezone.now()
    ids = list(ids) if ids is not None else None
    if ids is None:
        rows = Notification.objects.filter(status=Notification.Status.FAILED)
    else:
        rows = Notification.objects.filter(
            pk__in=ids, status__in=[Notification.Status.FAILED, Notification.Status.PENDING]
        )
    # A notice being sent right now (a live lease) is left to that send: freeing it could send it twice.
    rows = rows.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    with transaction.atomic():
        count = rows.update(
            status=Notification.Status.PENDING,
            next_attempt_at=None,
            waiting_on_server=False,
            retry_until=now + retry_window(),
            lease_until=None,
            lease_owner="",
        )
        Resend.objects.create(
            requested_by=by,
            notification=Notification.objects.filter(pk=ids[0]).first() if ids and len(ids) == 1 else None,
            count=count,
            via=via,
        )
    logger.info("%s notice(s) put back to send by %s", count, by or via)
    return count


def notifications_mark_read(*, acting_user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them, or the given ones)."""
    notices = Notification.objects.for_user(acting_user).unread()
    if ids is not None:
        notices = notices.filter(pk__in=list(ids))
    return notices.update(read_at=timezone.now())


@transaction.atomic
def mutes_set(*, acting_user: User, kinds: Iterable[str]) -> None:
    """Set exactly which kinds the user mutes; the term notices cannot be muted."""
    wanted = {k for k in kinds if k in Kind.values and k not in UNMUTABLE_KINDS | WEBHOOK_ONLY_KINDS}
    Mute.objects.filter(user=acting_user).exclude(kind__in=wanted).delete()
    for kind in wanted:
        Mute.objects.get_or_create(user=acting_user, kind=kind)


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


# --- webhook subscriptions: a party's admins keep them (permissions.py decides who) ----------


class WebhookEditConflict(Exception):
    """Someone saved the subscription after this form was opened; nothing was written."""

    def __init__(self, subscription: WebhookSubscription) -> None:
        self.subscription = subscription
        later = subscription.history.order_by("-history_date").select_related("history_user").first()
        who = later.history_user if later is not None else None
        self.changed_by = (who.get_full_name() or who.username) if who else "someone"
        super().__init__(
            f"{subscription} was changed by {self.changed_by} after you opened it, so nothing was saved. "
            "Open it again to see the changes, then make yours."
        )


def _webhook_values(*, name: str, url: str, events: Iterable[str], format: str) -> dict[str, Any]:
    """The subscription's fields checked in full (the URL against the SSRF rules, now)."""
    from django.core.exceptions import ValidationError

    from .models import WebhookEvent

    errors: dict[str, str] = {}
    events = list(dict.fromkeys(events))
    if not name.strip():
        errors["name"] = "Name what receives it."
    problem = webhooks.url_problem(url)
    if problem:
        errors["url"] = problem
    if not events or any(e not in WebhookEvent.values for e in events):
        errors["events"] = "Choose at least one event."
    if format not in WebhookSubscription.Format.values:
        errors["format"] = "Choose a format."
    if errors:
        raise ValidationError(errors)
    return {"name": name.strip(), "url": url.strip(), "events": events, "format": format}


@transaction.atomic
def webhook_create(
    *, acting_user: User, party: Any, name: str, url: str, events: Iterable[str], format: str
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (returned once: the page shows it, nothing else will)."""
    values = _webhook_values(name=name, url=url, events=events, format=format)
    subscription = WebhookSubscription(party=party, secret=webhooks.secret_new(), **values)
    subscription._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    subscription.save()
    return subscription, subscription.secret


@transaction.atomic
def webhook_edit(
    *,
    acting_user: User,
    subscription: WebhookSubscription,
    expected_version: Any,
    name: str,
    url: str,
    events: Iterable[str],
    format: str,
) -> WebhookSubscription:
    """Change what a subscription receives and where, if nobody saved it since the form opened."""
    values = _webhook_values(name=name, url=url, events=events, format=format)
    current = _webhook_claim(subscription, expected_version)
    for field_name, value in values.items():
        setattr(current, field_name, value)
    current._history_user = acting_user  # type: ignore[attr-defined]
    current.save()
    return current


def _webhook_claim(subscription: WebhookSubscription, expected_version: Any) -> WebhookSubscription:
    """Raise the version if it is still the one the form was opened at (the row locked); else refuse."""
    from django.db.models import F

    claimed = 0
    if isinstance(expected_version, int) and not isinstance(expected_version, bool):
        claimed = WebhookSubscription.objects.filter(pk=subscription.pk, version=expected_version).update(
            version=F("version") + 1
        )
    current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if claimed != 1:
        raise WebhookEditConflict(current)
    return current


@transaction.atomic
def webhook_set_active(
    *, acting_user: User, subscription: WebhookSubscription, active: bool
) -> WebhookSubscription:
    """Pause (nothing is delivered; deliveries already claimed wait) or resume a subscription."""
    current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if current.active != active:
        current.active = active
        current.version += 1
        current._history_user = acting_user  # type: ignore[attr-defined]
        current.save()
    return current


@transaction.atomic
def webhook_secret_rotate(*, acting_user: User, subscription: WebhookSubscription) -> str:
    """A new secret, at once: every delivery from now on (retries too) is signed with it."""
    current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    current.secret = webhooks.secret_new()
    current.secret_rotated_at = timezone.now()
    current.version += 1
    current._history_user = acting_user  # type: ignore[attr-defined]
    current.save()
    return current.secret


@transaction.atomic
def webhook_delete(*, acting_user: User, subscription: WebhookSubscription) -> None:
    """Delete a subscription and its deliveries not yet made (the history keeps what it was)."""
    subscription._history_user = acting_user  # type: ignore[attr-defined]
    subscription.delete()


def webhook_test_send(*, acting_user: User, subscription: WebhookSubscription) -> Notification:
    """Claim a test event for the subscription and try it now; the row says how it went.

    Like every delivery it is retried if the receiver fails, and shown on the operations page.
    """
    from .webhook_events import webhook_test_notice

    occasion = f"test {timezone.now().isoformat()} by {acting_user.pk} {uuid.uuid4().hex[:8]}"
    claimed = notices_claim(notices=[webhook_test_notice(subscription, occasion=occasion)])
    notices_send(claimed=claimed)
    return Notification.objects.get(pk=claimed[0].pk)
