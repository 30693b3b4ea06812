"""The notification log: every notice the portal decided to send, to whom, and whether it went.

A row is claimed (inserted under a unique constraint on agreement, kind, occasion and
recipient) before anything is sent, and marked sent after. A job that runs twice, a retry,
or two beat processes can only ever win the claim once, so nobody gets a notice twice; a
send that failed is retried from its row, with the subject and body decided the first time,
with a growing pause between attempts, until its retry window closes: then it is *failed*,
shown on the operations page until an admin resends it.

Each job run is recorded (`JobRun`) with what it claimed, sent and failed to send, so an
operator sees what the jobs did, not only that they ran.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Party

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Kind(models.TextChoices):
    TERM_NOTICE = "term_notice", "Term countdown notice"
    MEETING_REMINDER = "meeting_reminder", "Meeting reminder"
    MEETING_UNSCHEDULED = "meeting_unscheduled", "Meeting not yet scheduled"
    MINUTES_MISSING = "minutes_missing", "Meeting minutes missing"
    STALE_DIGEST = "stale_digest", "Weekly digest of stale commitments and overdue milestones"
    MODIFICATION_AWAITING = "modification_awaiting", "A proposed modification awaits your party"
    TERMINATION_NOTICE = "termination_notice", "Another party gave notice of termination or non-renewal"
    MEETING_INVITATION = "meeting_invitation", "Meeting invitation (calendar)"
    UPDATE_LOGGED = "update_logged", "A progress update was logged (webhooks)"
    MILESTONE_OVERDUE = "milestone_overdue", "A milestone is overdue (webhooks)"
    WEBHOOK_TEST = "webhook_test", "Test event (webhooks)"
    QUARTERLY_REPORT = "quarterly_report", "Quarterly report (PDF) you subscribed to"


#: Kinds a user may not mute: the agreement's term running out concerns every manager.
UNMUTABLE_KINDS = frozenset({Kind.TERM_NOTICE})

#: Kinds only webhooks receive (no user gets them, so none can mute them).
WEBHOOK_ONLY_KINDS = frozenset({Kind.UPDATE_LOGGED, Kind.MILESTONE_OVERDUE, Kind.WEBHOOK_TEST})


class WebhookEvent(models.TextChoices):
    """The events a party's systems can subscribe to; the value is the payload's `type`."""

    UPDATE_LOGGED = "update.logged", "Progress update logged"
    MILESTONE_OVERDUE = "milestone.overdue", "Milestone overdue"
    MODIFICATION_AWAITING = "modification.awaiting", "Modification awaiting a party"
    NOTICE_DUE = "notice.due", "Notice due (term countdown, notice of termination or non-renewal)"


#: The event each kind of notice is, for webhooks (the kinds that are no event are absent).
EVENT_OF_KIND: dict[str, str] = {
    Kind.UPDATE_LOGGED: WebhookEvent.UPDATE_LOGGED,
    Kind.MILESTONE_OVERDUE: WebhookEvent.MILESTONE_OVERDUE,
    Kind.MODIFICATION_AWAITING: WebhookEvent.MODIFICATION_AWAITING,
    Kind.TERM_NOTICE: WebhookEvent.NOTICE_DUE,
    Kind.TERMINATION_NOTICE: WebhookEvent.NOTICE_DUE,
    Kind.WEBHOOK_TEST: "webhook.test",
}


class WebhookSubscription(models.Model):
    """A party's system that is told of events on the party's agreements by an HTTP POST.

    Its deliveries are notices (`Notification.webhook`): claimed once per event and
    subscription, taken, retried and failed exactly as e-mail notices are. The secret signs
    every delivery (Standard Webhooks); it is shown once and kept off the history.
    """

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard Webhooks JSON"
        TEAMS = "teams", "Microsoft Teams incoming webhook"
        SLACK = "slack", "Slack incoming webhook"

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    name = models.CharField(max_length=100, help_text="What receives it, e.g. “DOC ERP” or “Teams channel”.")
    url = models.CharField("URL", max_length=2000)
    events = models.JSONField(default=list, help_text="The WebhookEvent values subscribed to.")
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    secret = models.CharField(max_length=100, help_text="whsec_ and the base64 key; shown once.")
    active = models.BooleanField(default=True, help_text="Paused subscriptions receive nothing.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    secret_rotated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["party", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.party} webhook “{self.name}”"

    def get_events_display(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [labels[e] for e in self.events if e in labels]


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: User) -> NotificationQuerySet:
        """What the user sees in the portal: their notices, except the ones they had muted."""
        return self.filter(user=user).exclude(status=Notification.Status.MUTED)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def deliverable(self, now=None) -> NotificationQuerySet:
        """Pending notices due for a send now: not waiting out a pause, not taken by a running send."""
        now = now or timezone.now()
        return self.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
            status=Notification.Status.PENDING,
        )

    def overdue(self, now=None) -> NotificationQuerySet:
        """Pending notices claimed more than NOTIFICATION_OVERDUE_MINUTES ago: something holds them up."""
        now = now or timezone.now()
        since = now - datetime.timedelta(minutes=settings.NOTIFICATION_OVERDUE_MINUTES)
        return self.filter(status=Notification.Status.PENDING, created_at__lt=since)


class Notification(models.Model):
    """One notice to one recipient (a portal user, or a point of contact by e-mail)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (no more retries)"
        MUTED = "muted", "Muted by the recipient"

    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occasion = models.CharField(
        max_length=200, help_text="What this notice is about, e.g. the expiry date and the milestone."
    )
    recipient = models.CharField(
        max_length=254, help_text="The recipient's e-mail address (lower case), or user:<id> without one."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(blank=True)
    webhook = models.ForeignKey(
        WebhookSubscription,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text="A webhook delivery: body_text is the JSON posted to the subscription's URL.",
    )
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    summary = models.TextField(
        blank=True, help_text="The body without greeting and links, shown in the portal."
    )
    link = models.CharField(max_length=300, blank=True)
    calendar = models.TextField(
        blank=True,
        help_text=(
            "An iCalendar invitation (METHOD:REQUEST or CANCEL), sent with the e-mail as invitation.ics."
        ),
    )
    attachment_name = models.CharField(
        max_length=200, blank=True, help_text="The file name of the e-mail's attachment (the report's PDF)."
    )
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(
        blank=True,
        default=b"",
        help_text="The attachment as drawn at the claim: a retry or a resend sends the same file.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failed send: not tried again before this time."
    )
    retry_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A send failing after this leaves it failed (claim or resend + NOTIFICATION_RETRY_HOURS).",
    )
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Taken for a send until then: nobody else sends it; after it, the send is presumed dead.",
    )
    waiting_on_server = models.BooleanField(
        default=False,
        help_text="The last send failed because the mail server was not there.",
    )
    lease_owner = models.CharField(
        max_length=200, blank=True, help_text="The worker (node name) or process that took it to send."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    claim_batch = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set on every row one bulk claim inserted, so the claim can read back the rows it won.",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "occasion", "recipient"],
                name="notification_once_per_occasion",
            ),
            # Notices about no one agreement (the weekly digest): NULLs are distinct in a
            # unique index, so these get one of their own (SQLite has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["kind", "occasion", "recipient"],
                condition=Q(agreement__isnull=True),
                name="notification_once_per_occasion_no_agreement",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email="") | Q(webhook__isnull=False),
                name="notification_has_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["status"], name="notification_status_idx"),
            models.Index(fields=["claim_batch"], name="notification_claim_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}: {self.occasion}"


class Mute(models.Model):
    """A user's choice not to receive one kind of notice (never the term notices)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="mute_once_per_kind"),
            models.CheckConstraint(condition=~Q(kind=Kind.TERM_NOTICE), name="mute_not_term_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.user} mutes {self.get_kind_display()}"


class JobRun(models.Model):
    """One run of a scheduled job: when, how it ended, and what it claimed, sent and failed to send.

    Written by the worker around every task (moa_portal/celery.py); read by the operations page,
    `/healthz/detail` and the metrics. Runs older than JOB_RUN_KEEP_DAYS are deleted by the sweep.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=200, help_text="The Celery task's name.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    claimed = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0, help_text="Sends that failed in this run.")
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["job", "-started_at"], name="jobrun_job_started_idx"),
            models.Index(fields=["started_at"], name="jobrun_started_idx"),  # the prune
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"

    @property
    def duration(self) -> datetime.timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class Resend(models.Model):
    """An admin's (or a command's) request to send failed notices again: the audit of Resend."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    notification = models.ForeignKey(
        Notification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resends",
        help_text="The notice resent; empty when every failed notice was.",
    )
    count = models.PositiveIntegerField(help_text="How many notices were put back to send.")
    via = models.CharField(max_length=20, help_text="operations page or command")

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.count} notice(s) resent by {self.requested_by or self.via} at {self.requested_at}"
