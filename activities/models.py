"""Progress against the agreement's commitments: updates, milestones, meetings, outreach, evidence.

Everything here is kept with who entered it and when, and every change is in the audit
history (django-simple-history). Nothing is deleted or silently overwritten: a progress
update past its edit window (ProgressUpdate.EDIT_WINDOW) is corrected by a new update that
names the one it corrects.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Commitment, CommitmentStatus, Party
from contacts.models import PointOfContact
from core.time import today

# The one order of "latest update first": by as-of day, then by entry time (the item's status
# is its latest update's, and every list, panel and form reads updates in this order).
LATEST_FIRST = ("-as_of", "-created_at", "-pk")


class ProgressUpdateQuerySet(models.QuerySet):
    def latest_first(self, *before: str) -> ProgressUpdateQuerySet:
        """Latest update first; `before` names fields to order by ahead of it (e.g. the item)."""
        return self.order_by(*before, *LATEST_FIRST)


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

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = list(LATEST_FIRST)
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
            # The updates list, newest first: its order, so a page is the index's first rows
            # rather than a sort of every visible update (280 ms over 500,000).
            models.Index(fields=["-as_of", "-created_at", "-id"], name="progress_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.code} as of {self.as_of}: {self.get_status_display()}"

    # After this long an update is no longer edited in place: a correction is added instead.
    # Pages and messages state the window from here (EDIT_WINDOW_HOURS), never as their own text.
    EDIT_WINDOW = datetime.timedelta(hours=24)
    EDIT_WINDOW_HOURS = int(EDIT_WINDOW.total_seconds() // 3600)

    @property
    def editable_until(self) -> datetime.datetime:
        return self.created_at + self.EDIT_WINDOW

    @property
    def is_within_edit_window(self) -> bool:
        return timezone.now() <= self.editable_until

    def clean(self) -> None:
        """An update reports on a day of the term that has already come, in words."""
        errors: dict[str, str] = {}
        if not (self.narrative or "").strip():
            errors["narrative"] = "Say in a sentence or two how the item is moving."
        if self.as_of and self.commitment_id:
            executed_on = self.commitment.agreement.executed_on
            if executed_on and self.as_of < executed_on:
                errors["as_of"] = (
                    f"The as-of date is before the agreement was executed ({executed_on:%Y-%m-%d})."
                )
            elif self.as_of > today():
                errors["as_of"] = "The as-of date is in the future; report on a day that has come."
        if self.corrects_id and self.commitment_id and self.corrects.commitment_id != self.commitment_id:
            errors["corrects"] = "A correction must be about the same item as the update it corrects."
        if errors:
            raise ValidationError(errors)


class OpenActionQuerySet(models.QuerySet):
    """Milestones and follow-up actions share the rule for being late."""

    def overdue(self, on: datetime.date | None = None) -> OpenActionQuerySet:
        """Not completed, and due before `on` (by the as-of day, not completed by then)."""
        on = on or today()
        return self.filter(due_on__lt=on).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=on))


class OwnedAction:
    """What milestones and meeting follow-ups share: one owner (a user or a point of contact),
    a due date, and being late until completed. Fields stay on each model; this adds behaviour."""

    @property
    def owner(self):
        return self.owner_user or self.owner_contact

    @property
    def owner_name(self) -> str:
        """The owner as people call them: a user's full name, or the contact's role and name."""
        if self.owner_user_id:
            return self.owner_user.get_full_name() or self.owner_user.get_username()
        return str(self.owner_contact) if self.owner_contact_id else ""

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.due_on < today()


class MilestoneQuerySet(OpenActionQuerySet):
    """A cancelled milestone is kept on record but is never due or late."""

    def overdue(self, on: datetime.date | None = None) -> MilestoneQuerySet:
        return super().overdue(on).filter(cancelled_on__isnull=True)

    def open(self) -> MilestoneQuerySet:
        """Neither completed nor cancelled."""
        return self.filter(completed_on__isnull=True, cancelled_on__isnull=True)


class Milestone(OwnedAction, models.Model):
    """A dated step under a tracked item, owned by a portal user or a point of contact.

    A milestone planned by mistake is cancelled with a reason, never deleted: the record and
    its history stay.
    """

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
    cancelled_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField("reason for cancelling", blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=True) | Q(owner_contact__isnull=True),
                name="milestone_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | ~Q(cancel_reason=""),
                name="milestone_cancel_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["completed_on", "due_on"], name="milestone_open_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_on is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_cancelled and super().is_overdue

    def clean(self) -> None:
        """A milestone falls within its item's life: not before the agreement's execution."""
        errors: dict[str, str] = {}
        if self.owner_user_id and self.owner_contact_id:
            errors["owner_contact"] = "Choose one owner: a portal user or a point of contact, not both."
        if self.due_on and self.commitment_id:
            starts_on = self.commitment.agreement.executed_on
            if starts_on and self.due_on < starts_on:
                errors["due_on"] = f"The due date is before the item's start ({starts_on:%Y-%m-%d})."
        if self.completed_on and self.completed_on > today():
            errors["completed_on"] = "The completion date is in the future."
        if errors:
            raise ValidationError(errors)


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
    items = models.ManyToManyField(
        Commitment,
        blank=True,
        related_name="meetings",
        verbose_name="items discussed",
        help_text="The tracked items this meeting discussed; it shows on their timelines.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[attendee_contacts, attendee_users, items])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["agreement", "kind", "starts_at"], name="meeting_quarter_idx"),
            # The meeting list, newest first: a page is an index scan, not a sort of every meeting.
            models.Index(fields=["-starts_at", "-id"], name="meeting_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("activities:meeting_detail", kwargs={"pk": self.pk})

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes.strip())

    def clean(self) -> None:
        executed_on = self.agreement.executed_on if self.agreement_id else None
        if self.starts_at and executed_on and timezone.localtime(self.starts_at).date() < executed_on:
            raise ValidationError(
                {"starts_at": f"The meeting is before the agreement was executed ({executed_on:%Y-%m-%d})."}
            )


class FollowUpAction(OwnedAction, models.Model):
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

    def clean(self) -> None:
        """One owner, named; a completion that has happened. Every caller (forms, services) gets these."""
        errors: dict[str, str] = {}
        if self.owner_user_id and self.owner_contact_id:
            errors["owner_contact"] = "Choose one owner: a portal user or a point of contact, not both."
        elif not self.owner_user_id and not self.owner_contact_id:
            errors["owner_user"] = "Name who owns this action: a portal user or a point of contact."
        if self.completed_on and self.completed_on > today():
            errors["completed_on"] = "The completion date is in the future."
        if errors:
            raise ValidationError(errors)


US_NAMES = {"united states", "united states of america", "usa", "us", "u.s.", "u.s.a."}


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
    items = models.ManyToManyField(
        Commitment,
        blank=True,
        related_name="outreach_events",
        verbose_name="items served",
        help_text="The tracked items this event served; it shows on their timelines.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[items])

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["agreement", "held_on"], name="outreach_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.city}, {self.held_on})"

    def get_absolute_url(self) -> str:
        return reverse("activities:event_detail", kwargs={"pk": self.pk})

    @property
    def venue_display(self) -> str:
        return "In the United States" if self.in_united_states else "Abroad"

    @property
    def audiences(self) -> list[str]:
        fields = ["audience_platforms", "audience_enterprises", "audience_financial_technology"]
        return [str(self._meta.get_field(f).verbose_name) for f in fields if getattr(self, f)]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        executed_on = self.agreement.executed_on if self.agreement_id else None
        if self.held_on and executed_on and self.held_on < executed_on:
            errors["held_on"] = f"The event is before the agreement was executed ({executed_on:%Y-%m-%d})."
        in_us_by_name = (self.country or "").strip().casefold() in US_NAMES
        if self.country and self.in_united_states is not None and in_us_by_name != self.in_united_states:
            errors["country"] = (
                "The event is marked as in the United States but the country is not the United States."
                if self.in_united_states
                else "The event is marked as abroad but the country is the United States."
            )
        if not (self.audience_platforms or self.audience_enterprises or self.audience_financial_technology):
            errors["audience_platforms"] = "Tick at least one audience the event reached."
        if errors:
            raise ValidationError(errors)


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
    # A wrong file is withdrawn, never deleted: it stays on the record and in the history,
    # shown as withdrawn with the reason, and only admins can still download it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField("reason for withdrawing", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="evidence_withdrawal_has_reason",
            ),
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

    def get_absolute_url(self) -> str:
        return reverse("activities:evidence_download", kwargs={"pk": self.pk})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def record(self) -> ProgressUpdate | Meeting | OutreachEvent | None:
        """The update, meeting or outreach event the file backs."""
        return self.progress_update or self.meeting or self.outreach_event

    @property
    def agreement(self) -> Agreement | None:
        """The agreement whose record the file belongs to (it decides who may download it)."""
        if self.progress_update_id:
            return self.progress_update.commitment.agreement
        if self.meeting_id:
            return self.meeting.agreement
        if self.outreach_event_id:
            return self.outreach_event.agreement
        return None
