"""The notification log: every notice the portal decided to send, to whom, and whether it went.

A row is claimed (inserted under a unique constraint on agreement, kind, occasion and
recipient) before anything is sent, and marked sent after. A job that runs twice, a retry,
or two beat processes can only ever win the claim once, so nobody gets a notice twice; a
send that failed is retried from its row, with the subject and body decided the first time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agreements.models import Agreement


class Kind(models.TextChoices):
    TERM_NOTICE = "term_notice", "Term countdown notice"
    MEETING_REMINDER = "meeting_reminder", "Quarterly meeting reminder"
    MEETING_UNSCHEDULED = "meeting_unscheduled", "Quarterly meeting not yet scheduled"
    MINUTES_MISSING = "minutes_missing", "Meeting minutes missing"
    STALE_DIGEST = "stale_digest", "Weekly digest of stale items and overdue milestones"
    MODIFICATION_AWAITING = "modification_awaiting", "A proposed modification awaits your party"


#: Kinds a user may not mute: the agreement's term running out concerns every manager (VII).
UNMUTABLE_KINDS = frozenset({Kind.TERM_NOTICE})


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        """What the user sees in the portal: their notices, except the ones they had muted."""
        return self.filter(user=user).exclude(status=Notification.Status.MUTED)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def deliverable(self) -> NotificationQuerySet:
        """Claimed but not (yet) sent, with attempts left."""
        return self.filter(
            status__in=Notification.DELIVERABLE_STATUSES, attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS
        )


class Notification(models.Model):
    """One notice to one recipient (a portal user, or a point of contact by e-mail)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        MUTED = "muted", "Muted by the recipient"

    #: Statuses still to send (with attempts left): the rule of `deliverable()`, which the
    #: delivery's own lock statement reads too.
    DELIVERABLE_STATUSES = (Status.PENDING, Status.FAILED)

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
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    summary = models.TextField(
        blank=True, help_text="The body without greeting and links, shown in the portal."
    )
    link = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
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
                condition=Q(user__isnull=False) | ~Q(email=""), name="notification_has_recipient"
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
