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
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Commitment, CommitmentStatus, Party, VocabularyEntry
from agreements.obligations import Vocabulary
from contacts.models import PointOfContact
from core.bounds import check_day
from core.time import long_date, today

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def version_field() -> models.PositiveIntegerField:
    """The version an edit form was opened at: raised by every save through the portal, so two
    people editing at once cannot silently overwrite each other (see activities.services)."""
    return models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every save through the portal; an edit opened at an older version is refused.",
    )


# Status and percent complete agree: nothing done is not started, everything done is complete.
STATUS_PERCENT_RULE = "Not started is 0 %, Complete is 100 %, and every other status is between 0 % and 99 %."


def status_percent_error(status: str | None, percent: int | None) -> str | None:
    """Why a status and a percent complete contradict each other, or None when they agree."""
    if status is None or percent is None:
        return None
    if status == CommitmentStatus.NOT_STARTED and percent != 0:
        return f"An item not started is 0 % complete. {STATUS_PERCENT_RULE}"
    if status == CommitmentStatus.COMPLETE and percent != 100:
        return f"A complete item is 100 % complete. {STATUS_PERCENT_RULE}"
    if status not in (CommitmentStatus.NOT_STARTED, CommitmentStatus.COMPLETE) and percent >= 100:
        return f"At 100 % the item is complete: choose Complete. {STATUS_PERCENT_RULE}"
    return None


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
    version = version_field()
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
        """An update reports on a day of the term that has already come, in words, with a
        status and a percent complete that agree (STATUS_PERCENT_RULE)."""
        errors: dict[str, str] = {}
        if not (self.narrative or "").strip():
            errors["narrative"] = "Say in a sentence or two how the commitment is moving."
        if self.as_of and self.commitment_id:
            agreement = self.commitment.agreement
            executed_on = agreement.executed_on
            ends_on = min((d for d in (agreement.expires_on, agreement.terminated_on) if d), default=None)
            if executed_on and self.as_of < executed_on:
                errors["as_of"] = (
                    f"The as-of date is before the agreement was executed ({long_date(executed_on)})."
                )
            elif self.as_of > today():
                errors["as_of"] = "The as-of date is in the future; report on a day that has come."
            elif ends_on and self.as_of > ends_on:
                errors["as_of"] = (
                    f"The as-of date is after the agreement's term ended ({long_date(ends_on)})."
                )
            else:
                try:
                    check_day(self.as_of, "The as-of date")
                except ValidationError as e:
                    errors["as_of"] = e.messages[0]
        mismatch = status_percent_error(self.status or None, self.percent_complete)
        if mismatch:
            errors["percent_complete"] = mismatch
        if (
            self.corrects is not None
            and self.commitment_id
            and self.corrects.commitment_id != self.commitment_id
        ):
            errors["corrects"] = "A correction must be about the same commitment as the update it corrects."
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

    # The fields each model declares, as this behaviour reads them.
    owner_user: User | None
    owner_user_id: int | None
    owner_contact: PointOfContact | None
    owner_contact_id: int | None
    due_on: datetime.date
    completed_on: datetime.date | None

    @property
    def owner(self):
        return self.owner_user or self.owner_contact

    @property
    def owner_name(self) -> str:
        """The owner as people call them: a user's full name, or the contact's role and name."""
        if self.owner_user is not None:
            return self.owner_user.get_full_name() or self.owner_user.get_username()
        return str(self.owner_contact) if self.owner_contact_id else ""

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.due_on < today()


class MilestoneQuerySet(OpenActionQuerySet):
    """A cancelled milestone is kept on record but is never due or late."""

    def overdue(self, on: datetime.date | None = None) -> MilestoneQuerySet:
        return cast(MilestoneQuerySet, super().overdue(on).filter(cancelled_on__isnull=True))

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
    version = version_field()
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
        indexes = [
            models.Index(fields=["completed_on", "due_on"], name="milestone_open_due_idx"),
            # The milestones still open, by due day, with their item: My work counts a party's
            # overdue and due ones (28,637 at scale 10) and lists the first from this index alone.
            models.Index(
                fields=["due_on"],
                include=["commitment", "id"],
                condition=Q(completed_on__isnull=True, cancelled_on__isnull=True),
                name="milestone_open_cover_idx",
            ),
        ]

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
                errors["due_on"] = f"The due date is before the commitment's start ({long_date(starts_on)})."
        if self.due_on and "due_on" not in errors:
            latest = plausible_latest(self.commitment.agreement if self.commitment_id else None)
            if self.due_on > latest:
                errors["due_on"] = (
                    f"The due date is implausibly far ahead; choose a day by {long_date(latest)}."
                )
        if self.completed_on and self.completed_on > today():
            errors["completed_on"] = "The completion date is in the future."
        elif self.completed_on:
            try:
                check_day(self.completed_on, "The completion date")
            except ValidationError as e:
                errors["completed_on"] = e.messages[0]
        if errors:
            raise ValidationError(errors)


def vocabulary_label(vocabulary: str, key_field: str) -> Subquery:
    """The agreement's label for the key in `key_field`, as a subquery: lists show labels
    without a query per row (`Meeting.objects.with_labels()`, `OutreachEvent.objects.with_labels()`)."""
    return Subquery(
        VocabularyEntry.objects.filter(
            agreement=OuterRef("agreement"), vocabulary=vocabulary, key=OuterRef(key_field)
        ).values("label")[:1]
    )


class MeetingQuerySet(models.QuerySet):
    def with_labels(self) -> MeetingQuerySet:
        return self.annotate(annotated_kind_label=vocabulary_label(Vocabulary.MEETING_KINDS, "kind"))


class OutreachEventQuerySet(models.QuerySet):
    def with_labels(self) -> OutreachEventQuerySet:
        return self.annotate(annotated_place_label=vocabulary_label(Vocabulary.EVENT_PLACES, "place"))


#: How far past the end of its term (or past today, for an open-ended agreement) a planned
#: date may fall: work winds down after the end, but 9999-12-31 is a slip, not a plan.
PLAUSIBLE_YEARS_AHEAD = 10


def plausible_latest(agreement: Agreement | None) -> datetime.date:
    """The latest day a planned date (a milestone, a follow-up) can plausibly fall on."""
    base = max(d for d in ((agreement.expires_on if agreement else None), today()) if d)
    try:
        latest = base.replace(year=base.year + PLAUSIBLE_YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = (base + datetime.timedelta(days=1)).replace(year=base.year + PLAUSIBLE_YEARS_AHEAD)
    return min(latest, datetime.date(2200, 12, 31))


MEETING_EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
MEETING_LATEST = datetime.datetime(2201, 1, 1, tzinfo=datetime.UTC)


class Meeting(models.Model):
    """A meeting of the parties, of one of the kinds the agreement names (its meeting kinds).

    `kind` is a key of the agreement's `meeting_kinds` vocabulary; the agreement's meeting
    obligations say which kinds count for their periods (activities.periods).
    """

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        CALL = "call", "Conference call"
        VIDEO = "video", "Video conference"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(
        max_length=40, help_text="One of the agreement's meeting kinds (a vocabulary key)."
    )
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
        verbose_name="commitments discussed",
        help_text="The commitments this meeting discussed; it shows on their timelines.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = version_field()
    sequence = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=(
            "The iCalendar SEQUENCE of the meeting's invitation: raised when its time, place, title, "
            "agenda, attendees or cancellation change, so calendars replace the earlier invitation."
        ),
    )
    history = HistoricalRecords(m2m_fields=[attendee_contacts, attendee_users, items])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # Year 10000 in UTC cannot be read back by Python: one such row answered 500 on every
            # page of the agreement. The database refuses it even if a form is bypassed.
            models.CheckConstraint(
                condition=Q(starts_at__gte=MEETING_EARLIEST, starts_at__lt=MEETING_LATEST),
                name="meeting_starts_in_bounded_years",
            ),
        ]
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
    def is_upcoming(self) -> bool:
        """Not yet started: an invitation to it still means something."""
        return self.starts_at > timezone.now()

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes.strip())

    @property
    def kind_label(self) -> str:
        """The agreement's name for this meeting's kind (annotated by `with_labels()`, else read)."""
        label = self.__dict__.get("annotated_kind_label")
        if label is None:
            label = VocabularyEntry.objects.labels(self.agreement_id, Vocabulary.MEETING_KINDS).get(self.kind)
        return label or self.kind

    def clean(self) -> None:
        """A meeting falls within the bounded years, not before the agreement; one with
        minutes has been held, so it is not in the future."""
        errors: dict[str, str] = {}
        executed_on = self.agreement.executed_on if self.agreement_id else None
        if self.starts_at:
            try:
                check_day(self.starts_at, "The meeting's date")
            except ValidationError as e:
                errors["starts_at"] = e.messages[0]
            else:
                day = timezone.localtime(self.starts_at).date()
                if executed_on and day < executed_on:
                    errors["starts_at"] = (
                        f"The meeting is before the agreement was executed ({long_date(executed_on)})."
                    )
                elif day > plausible_latest(self.agreement if self.agreement_id else None):
                    errors["starts_at"] = "The meeting is implausibly far ahead; check the year."
                elif self.starts_at > timezone.now() and (self.minutes or "").strip():
                    errors["minutes"] = (
                        "A meeting with minutes has been held, but this one is in the future: "
                        "check the date, or add the minutes after the meeting."
                    )
        if self.agreement_id:
            kinds = VocabularyEntry.objects.labels(self.agreement_id, Vocabulary.MEETING_KINDS)
            if kinds and self.kind not in kinds:
                errors["kind"] = (
                    "Choose one of this agreement's meeting kinds: " + ", ".join(kinds.values()) + "."
                )
        if errors:
            raise ValidationError(errors)


class FollowUpAction(OwnedAction, models.Model):
    """An action a meeting decided on, with its owner and due date, and the commitment it moves
    forward if any (it then shows on that commitment's timeline, and open ones roll onto the next
    meeting's agenda draft: activities.selectors.agenda_draft)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="follow_ups")
    description = models.TextField()
    commitment = models.ForeignKey(
        Commitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text="The commitment this action moves forward; it shows on that commitment's timeline.",
    )
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
        # The meeting may be one being recorded in the same form, not saved yet (its follow-up
        # rows are checked beside their fields before anything is written).
        meeting = self.meeting if self.meeting_id or FollowUpAction.meeting.is_cached(self) else None
        meeting_day = timezone.localtime(meeting.starts_at).date() if meeting and meeting.starts_at else None
        if self.due_on:
            if meeting_day and self.due_on < meeting_day:
                errors["due_on"] = f"The action is due before its meeting ({long_date(meeting_day)})."
            elif self.due_on > plausible_latest(meeting.agreement if meeting else None):
                errors["due_on"] = "The due date is implausibly far ahead; check the year."
        commitment = self.commitment if self.commitment_id else None
        if commitment is not None and meeting and commitment.agreement_id != meeting.agreement_id:
            errors["commitment"] = "Choose a commitment of this meeting's agreement."
        if self.completed_on and meeting_day and self.completed_on < meeting_day and not errors:
            errors["completed_on"] = (
                f"The action was completed before its meeting ({long_date(meeting_day)})."
            )
        if errors:
            raise ValidationError(errors)


#: The largest attendance an outreach event plausibly records.
MAX_ATTENDANCE = 1_000_000


class OutreachEvent(models.Model):
    """An event the agreement asks for (an event obligation, e.g. outreach to its audiences).

    Where it was held (`place`) and whom it reached (`audiences`) are keys of the agreement's own
    vocabularies (agreements.obligations.VocabularyEntry), so each agreement names them.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="outreach_events")
    organising_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=120)
    place = models.CharField(
        "where",
        max_length=40,
        blank=True,
        help_text="One of the agreement's event places (a vocabulary key).",
    )
    audiences = models.JSONField(
        default=list, blank=True, help_text="The agreement's audiences the event reached (vocabulary keys)."
    )
    attendance = models.PositiveIntegerField(null=True, blank=True)
    outcomes = models.TextField(blank=True)
    items = models.ManyToManyField(
        Commitment,
        blank=True,
        related_name="outreach_events",
        verbose_name="commitments served",
        help_text="The commitments this event served; it shows on their timelines.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = version_field()
    history = HistoricalRecords(m2m_fields=[items])

    objects = OutreachEventQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["agreement", "held_on"], name="outreach_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.city}, {self.held_on})"

    def get_absolute_url(self) -> str:
        return reverse("activities:event_detail", kwargs={"pk": self.pk})

    def _labels(self, vocabulary: str) -> dict[str, str]:
        """The agreement's labels for a vocabulary, read once per agreement instance."""
        cache = self.agreement.__dict__.setdefault("_vocabulary_labels", {})
        if vocabulary not in cache:
            cache[vocabulary] = VocabularyEntry.objects.labels(self.agreement_id, vocabulary)
        return cache[vocabulary]

    @property
    def place_label(self) -> str:
        """The agreement's name for where the event was held (annotated by `with_labels()`, else read)."""
        label = self.__dict__.get("annotated_place_label")
        return label or self._labels(Vocabulary.EVENT_PLACES).get(self.place, self.place)

    @property
    def audience_labels(self) -> list[str]:
        labels = self._labels(Vocabulary.AUDIENCES)
        return [labels.get(key, key) for key in self.audiences]

    def clean(self) -> None:
        """Held within the term; place and audiences from the agreement's vocabularies."""
        errors: dict[str, str] = {}
        executed_on = self.agreement.executed_on if self.agreement_id else None
        if self.held_on and executed_on and self.held_on < executed_on:
            errors["held_on"] = f"The event is before the agreement was executed ({long_date(executed_on)})."
        elif self.held_on:
            try:
                check_day(self.held_on, "The event's date")
            except ValidationError as e:
                errors["held_on"] = e.messages[0]
            else:
                if self.held_on > plausible_latest(self.agreement if self.agreement_id else None):
                    errors["held_on"] = "The event is implausibly far ahead; check the year."
                elif self.held_on > today() and ((self.outcomes or "").strip() or self.attendance):
                    errors["outcomes"] = (
                        "An event with outcomes or attendance has been held, but this one is in the "
                        "future: check the date, or add them after the event."
                    )
        if self.attendance is not None and self.attendance > MAX_ATTENDANCE:
            errors["attendance"] = f"Attendance above {MAX_ATTENDANCE:,} is not plausible; check the number."
        if self.agreement_id:
            places = self._labels(Vocabulary.EVENT_PLACES)
            if places and self.place not in places:
                errors["place"] = "Choose where the event was held: " + ", ".join(places.values()) + "."
            audiences = self._labels(Vocabulary.AUDIENCES)
            if audiences and not self.audiences:
                errors["audiences"] = "Tick at least one audience the event reached."
            elif unknown := [a for a in self.audiences if a not in audiences]:
                errors["audiences"] = f"Not an audience of this agreement: {', '.join(unknown)}."
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
        if self.progress_update is not None:
            return self.progress_update.commitment.agreement
        if self.meeting is not None:
            return self.meeting.agreement
        if self.outreach_event is not None:
            return self.outreach_event.agreement
        return None
