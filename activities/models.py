"""Progress against the agreement's commitments: updates, milestones, meetings, outreach, evidence.

Everything here is kept with who entered it and when, and every change is in the audit
history (django-simple-history). Nothing is deleted or silently overwritten: a progress
update older than 24 hours is corrected by a new update that names the one it corrects.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Commitment, CommitmentStatus, Party, today
from contacts.models import PointOfContact


class ProgressUpdate(models.Model):
    """A report on how one commitment is moving, as of a day.

    One mechanism for every kind of tracked item (objective, joint activity, strategic goal,
    action item): the item's current status is the status of its latest update.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="updates")
    as_of = models.DateField("as of")
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField()
    next_steps = models.TextField(blank=True)
    reporting_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The earlier update this one corrects.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "-created_at", "-pk"]
        get_latest_by = ["as_of", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0, percent_complete__lte=100),
                name="progress_percent_0_to_100",
            ),
            models.CheckConstraint(condition=~Q(narrative=""), name="progress_narrative_required"),
        ]
        indexes = [
            models.Index(fields=["commitment", "-as_of", "-created_at"], name="progress_latest_idx"),
            models.Index(fields=["created_at"], name="progress_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.code} as of {self.as_of}: {self.get_status_display()}"


class OpenActionQuerySet(models.QuerySet):
    """Milestones and follow-up actions share the rule for being late."""

    def overdue(self, on: datetime.date | None = None) -> OpenActionQuerySet:
        """Not completed, and due before `on` (by the as-of day, not completed by then)."""
        on = on or today()
        return self.filter(due_on__lt=on).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=on))


class Milestone(models.Model):
    """A dated step under a tracked item, owned by a portal user or a point of contact."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_contact = models.ForeignKey(
        PointOfContact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = OpenActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=True) | Q(owner_contact__isnull=True),
                name="milestone_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["completed_on", "due_on"], name="milestone_open_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        return self.owner_user or self.owner_contact


class Meeting(models.Model):
    """A meeting of the parties: quarterly meetings or calls (VI.5), WCO working group (VI.2), other.

    A calendar quarter of the term is held when a quarterly meeting with minutes took place
    in it, and missed otherwise.
    """

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly meeting or call (VI.5)"
        WCO = "wco", "WCO E-Commerce Working Group (VI.2)"
        OTHER = "other", "Other meeting"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        CALL = "call", "Conference call"
        VIDEO = "video", "Video conference"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.QUARTERLY)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.CALL)
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    is_cancelled = models.BooleanField(default=False)
    attendee_contacts = models.ManyToManyField(PointOfContact, blank=True, related_name="meetings")
    attendee_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="meetings_attended"
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_organised"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[attendee_contacts, attendee_users])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["agreement", "kind", "starts_at"], name="meeting_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes.strip())


class FollowUpAction(models.Model):
    """An action a meeting decided on, with its owner and due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="follow_ups")
    description = models.TextField()
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_contact = models.ForeignKey(
        PointOfContact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = OpenActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=True) | Q(owner_contact__isnull=True),
                name="follow_up_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def owner(self):
        return self.owner_user or self.owner_contact


class OutreachEvent(models.Model):
    """An outreach event for e-commerce stakeholders (VI.3), in the United States or abroad."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="outreach_events")
    organising_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=120)
    in_united_states = models.BooleanField("in the United States")
    audience_platforms = models.BooleanField("e-commerce platforms", default=False)
    audience_enterprises = models.BooleanField("micro, small, medium and large enterprises", default=False)
    audience_financial_technology = models.BooleanField("financial and technology entities", default=False)
    attendance = models.PositiveIntegerField(null=True, blank=True)
    outcomes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["agreement", "held_on"], name="outreach_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.city}, {self.held_on})"


def evidence_path(instance: Evidence, filename: str) -> str:
    """A generated name: the uploader's file name never reaches the file system."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file backing a progress update, a meeting or an outreach event.

    Stored outside static/ under a generated name; served only through a view that checks
    permission and sends it as an attachment.
    """

    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    progress_update = models.ForeignKey(
        ProgressUpdate, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    outreach_event = models.ForeignKey(
        OutreachEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(progress_update__isnull=False, meeting__isnull=True, outreach_event__isnull=True)
                    | Q(progress_update__isnull=True, meeting__isnull=False, outreach_event__isnull=True)
                    | Q(progress_update__isnull=True, meeting__isnull=True, outreach_event__isnull=False)
                ),
                name="evidence_attached_to_one_record",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
