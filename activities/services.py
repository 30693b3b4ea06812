"""Writes for progress tracking: each one transaction, each checked in full before it saves.

Views call these after the permission check; tests and jobs call them the same way. Evidence
files are checked before anything is written, so a refused file leaves no trace: no update,
no meeting, no file on disk.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from agreements.models import Agreement, Commitment, Party
from contacts.models import PointOfContact
from core.time import long_date, today

from .evidence import CheckedFile, check_upload
from .models import Evidence, FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from .permissions import owner_choices
from .selectors import agenda_draft
from .signals import meeting_invitation_due, update_logged

if TYPE_CHECKING:
    from django.contrib.auth.models import User
# --- edit conflicts ---------------------------------------------------------------------------


class EditConflict(ValidationError):
    """Someone saved the record after this form was opened (or the form named a version the
    record never had); nothing was written. A ValidationError, so pages show it on the form."""

    def __init__(self, record: models.Model, changed_by: list[str]) -> None:
        self.record = record
        self.changed_by = changed_by
        who = ", ".join(changed_by) or "someone else"
        super().__init__(
            f"{record} was changed by {who} after you opened it, so nothing was saved. "
            "Open it again to see the changes, then make yours.",
            code="edit_conflict",
        )


_Versioned = TypeVar("_Versioned", ProgressUpdate, Meeting, OutreachEvent, Milestone)


def _claim(record: _Versioned, expected_version: int | None) -> _Versioned:
    """Raise the record's version if it is still the one the form was opened at; otherwise
    refuse. The row is locked until the transaction ends, so the save that follows is ours.
    An unknown version (never issued, or missing) is refused the same way."""
    model = type(record)
    claimed = 0
    if isinstance(expected_version, int) and not isinstance(expected_version, bool):
        claimed = model.objects.filter(pk=record.pk, version=expected_version).update(
            version=F("version") + 1
        )
    current = model.objects.select_for_update().get(pk=record.pk)
    if claimed != 1:
        later = current.history.filter(version__gt=expected_version or 0).select_related("history_user")
        changed_by = sorted(
            {(r.history_user.get_full_name() or r.history_user.username) for r in later if r.history_user}
        )
        raise EditConflict(current, changed_by)
    return current


# --- evidence ---------------------------------------------------------------------------------


def evidence_check_all(*, files: Iterable[Any]) -> list[CheckedFile]:
    """Check every file first; one refusal refuses the lot (the error names the file)."""
    return [check_upload(f) for f in files if f]


def _evidence_store(
    *,
    checked: Sequence[CheckedFile],
    acting_user: User,
    progress_update: ProgressUpdate | None = None,
    meeting: Meeting | None = None,
    outreach_event: OutreachEvent | None = None,
) -> list[Evidence]:
    stored: list[Evidence] = []
    try:
        for c in checked:
            evidence = Evidence(
                original_name=c.name[:200],
                content_type=c.content_type,
                size=c.size,
                sha256=c.sha256,
                progress_update=progress_update,
                meeting=meeting,
                outreach_event=outreach_event,
                uploaded_by=acting_user,
            )
            c.upload.seek(0)
            evidence.file.save(c.name, c.upload, save=False)
            stored.append(evidence)
            evidence.full_clean(exclude=["file"])
            evidence.save()
    except Exception:
        # The rows roll back with the transaction; the files written so far go with them.
        for e in stored:
            e.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def evidence_attach(
    *,
    files: Iterable[Any],
    acting_user: User,
    progress_update: ProgressUpdate | None = None,
    meeting: Meeting | None = None,
    outreach_event: OutreachEvent | None = None,
) -> list[Evidence]:
    """Attach checked files to exactly one record (an update, a meeting or an outreach event)."""
    checked = evidence_check_all(files=files)
    return _evidence_store(
        checked=checked,
        acting_user=acting_user,
        progress_update=progress_update,
        meeting=meeting,
        outreach_event=outreach_event,
    )


@transaction.atomic
def evidence_withdraw(*, evidence: Evidence, acting_user, reason: str) -> Evidence:
    """Withdraw a wrong file, saying why. The row, the file and the history stay; pages show it
    as withdrawn with the reason, and only admins can still download it."""
    current = Evidence.objects.select_for_update(of=("self",)).get(pk=evidence.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": "Say why the file is withdrawn; the reason is kept."})
    if current.is_withdrawn:
        raise ValidationError(
            f"{current.original_name} was already withdrawn on {long_date(current.withdrawn_at)}."
        )
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = acting_user
    current.withdrawal_reason = reason
    current.full_clean(exclude=["file"])
    current._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return current


# --- progress updates ---------------------------------------------------------------------------


def commitment_status_refresh(*, commitment: Commitment) -> Commitment:
    """The item's status is its latest update's: latest by as-of day, then by entry time.

    The item's row is locked (SELECT … FOR UPDATE) before its updates are read, so two updates
    saved at once are refreshed one after the other and the second sees the first: the status
    left is the latest update's, never the one that happened to commit last.
    """
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    latest = commitment.updates.latest_first().first()
    status = latest.status if latest else Commitment._meta.get_field("status").default
    if locked.status != status:
        # Saved (not .update()): the audit history and the kept values' data version follow saves.
        locked.status = status
        locked.save(update_fields=["status"])
    commitment.status = status
    return commitment


def _commitment_lock(commitment: Commitment) -> None:
    """Lock the item before an update is written, so concurrent writers queue on it."""
    Commitment.objects.select_for_update().filter(pk=commitment.pk).values_list("pk", flat=True).first()


@transaction.atomic
def progress_update_create(
    *,
    commitment: Commitment,
    acting_user: User,
    reporting_party: Party,
    as_of: datetime.date,
    status: str,
    percent_complete: int,
    narrative: str,
    next_steps: str = "",
    corrects: ProgressUpdate | None = None,
    files: Iterable[Any] = (),
) -> ProgressUpdate:
    """Record an update (or a correction of an earlier one) and move the item's status."""
    checked = evidence_check_all(files=files)
    _commitment_lock(commitment)
    update = ProgressUpdate(
        commitment=commitment,
        author=acting_user,
        reporting_party=reporting_party,
        as_of=as_of,
        status=status,
        percent_complete=percent_complete,
        narrative=narrative,
        next_steps=next_steps,
        corrects=corrects,
    )
    update.full_clean()
    update.save()
    _evidence_store(checked=checked, acting_user=acting_user, progress_update=update)
    commitment_status_refresh(commitment=commitment)
    transaction.on_commit(partial(update_logged_announce, update))
    return update


def update_logged_announce(update: ProgressUpdate) -> None:
    """Announce a recorded update (after the commit) to the apps above: webhooks are told."""
    update_logged.send(sender=ProgressUpdate, update=update)


@transaction.atomic
def progress_update_edit(
    *,
    update: ProgressUpdate,
    acting_user: User,
    expected_version: int | None,
    as_of: datetime.date,
    status: str,
    percent_complete: int,
    narrative: str,
    next_steps: str = "",
    files: Iterable[Any] = (),
) -> ProgressUpdate:
    """The author fixes their own update within its edit window; after that a correction is needed."""
    if update.author_id != acting_user.pk:
        raise ValidationError("Only the author of an update can edit it; add a correction instead.")
    if not update.is_within_edit_window:
        raise ValidationError(
            f"Updates can be edited for {ProgressUpdate.EDIT_WINDOW_HOURS} hours after they are entered; "
            "add a correction instead."
        )
    checked = evidence_check_all(files=files)
    _commitment_lock(update.commitment)
    update = _claim(update, expected_version)
    update.as_of = as_of
    update.status = status
    update.percent_complete = percent_complete
    update.narrative = narrative
    update.next_steps = next_steps
    update.full_clean()
    update.save()
    _evidence_store(checked=checked, acting_user=acting_user, progress_update=update)
    commitment_status_refresh(commitment=update.commitment)
    return update


# --- milestones -------------------------------------------------------------------------------


@transaction.atomic
def milestone_create(
    *,
    commitment: Commitment,
    acting_user: User,
    title: str,
    due_on: datetime.date,
    owner_user=None,
    owner_contact: PointOfContact | None = None,
) -> Milestone:
    milestone = Milestone(
        commitment=commitment,
        created_by=acting_user,
        title=title,
        due_on=due_on,
        owner_user=owner_user,
        owner_contact=owner_contact,
    )
    milestone.full_clean()
    milestone.save()
    return milestone


def _open_milestone(
    milestone: Milestone, expected_version: int | None, *, if_completed: str = ""
) -> Milestone:
    """The milestone, claimed at the version the page or API client read it (else EditConflict),
    if it may still change: a cancelled one stays as it was cancelled, and where `if_completed`
    says why, a completed one is refused too."""
    current = _claim(milestone, expected_version)
    if current.is_cancelled:
        raise ValidationError(
            f"“{current.title}” was cancelled on {long_date(current.cancelled_on)}; it stays as it was."
        )
    if current.completed_on is not None and if_completed:
        raise ValidationError(
            f"“{current.title}” was completed on {long_date(current.completed_on)}; {if_completed}"
        )
    return current


@transaction.atomic
def milestone_complete(
    *, milestone: Milestone, acting_user, completed_on: datetime.date, expected_version: int | None
) -> Milestone:
    """Mark an open milestone done on a day (not in the future), if no one changed it since it
    was read (`expected_version`)."""
    current = _open_milestone(
        milestone, expected_version, if_completed="the first completion stays on record."
    )
    current.completed_on = completed_on
    current.full_clean()
    current._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    current.save(update_fields=["completed_on"])
    return current


@transaction.atomic
def milestone_edit(
    *,
    milestone: Milestone,
    acting_user,
    expected_version: int | None,
    title: str,
    due_on: datetime.date,
    owner_user=None,
    owner_contact: PointOfContact | None = None,
) -> Milestone:
    """Fix a milestone's title, due date or owner, if no one changed it since it was read
    (`expected_version`); the earlier version stays in its history.

    A cancelled milestone is not edited: it stays as it was when it was cancelled.
    """
    current = _open_milestone(milestone, expected_version)
    current.title = title
    current.due_on = due_on
    current.owner_user = owner_user
    current.owner_contact = owner_contact
    current.full_clean()
    current._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    current.save()
    return current


@transaction.atomic
def milestone_cancel(
    *, milestone: Milestone, acting_user, reason: str, expected_version: int | None
) -> Milestone:
    """Cancel a milestone planned by mistake or no longer wanted, saying why, if no one changed
    it since it was read (`expected_version`). It stays on the item's record (shown as
    cancelled, with the reason) and is never due or late again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": "Say why the milestone is cancelled; the reason is kept."})
    current = _open_milestone(
        milestone, expected_version, if_completed="a completed milestone is not cancelled."
    )
    current.cancelled_on = today()
    current.cancel_reason = reason
    current.cancelled_by = acting_user
    current.full_clean()
    current._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    current.save(update_fields=["cancelled_on", "cancel_reason", "cancelled_by"])
    return current


# --- follow-up actions -------------------------------------------------------------------------


@transaction.atomic
def follow_up_complete(*, action: FollowUpAction, acting_user, completed_on: datetime.date) -> FollowUpAction:
    """Close one follow-up action on a day, without touching the rest of the meeting's record.

    Refused if it is already closed (the first closing stays on record), or if the day is in
    the future (FollowUpAction.clean) or before the meeting.
    """
    current = (
        FollowUpAction.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=action.pk)
    )
    if current.completed_on is not None:
        raise ValidationError(
            {"completed_on": f"This action was already closed on {long_date(current.completed_on)}."}
        )
    meeting_day = timezone.localtime(current.meeting.starts_at).date()
    if completed_on < meeting_day:
        raise ValidationError(
            {
                "completed_on": f"The meeting that decided this action was on {long_date(meeting_day)}; "
                "choose that day or later."
            }
        )
    current.completed_on = completed_on
    current.full_clean()
    current._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    current.save(update_fields=["completed_on"])
    return current


# --- meetings -----------------------------------------------------------------------------------


def _follow_ups_replace(*, meeting: Meeting, follow_ups: Sequence[dict]) -> None:
    """Follow-ups are kept: existing ones are updated by id, new ones added, none deleted."""
    existing = {f.pk: f for f in meeting.follow_ups.all()}
    for data in follow_ups:
        pk = data.get("id")
        action = existing.get(pk) if pk else None
        if action is None:
            action = FollowUpAction(meeting=meeting)
        action.description = data["description"]
        action.commitment = data.get("commitment")
        action.owner_user = data.get("owner_user")
        action.owner_contact = data.get("owner_contact")
        action.due_on = data["due_on"]
        action.completed_on = data.get("completed_on")
        action.full_clean()
        action.save()


MEETING_FIELDS = ("kind", "title", "starts_at", "format", "location", "agenda", "minutes", "decisions")
#: What an invitation says: a change to any of these (or to the attendees) sends it again.
INVITATION_FIELDS = ("title", "starts_at", "format", "location", "agenda", "is_cancelled")


def _invite_on_commit(
    meeting: Meeting,
    *,
    cancelled: bool = False,
    removed_users: Sequence[Any] = (),
    removed_contacts: Sequence[PointOfContact] = (),
) -> None:
    """Announce, once the meeting is saved for good, that its attendees are to be sent an invitation."""
    transaction.on_commit(
        lambda: meeting_invitation_due.send(
            sender=Meeting,
            meeting=meeting,
            cancelled=cancelled,
            removed_users=list(removed_users),
            removed_contacts=list(removed_contacts),
        )
    )


@transaction.atomic
def meeting_create(
    *,
    agreement: Agreement,
    acting_user: User,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    format: str,  # noqa: A002 - the model's own field name
    location: str = "",
    agenda: str = "",
    minutes: str = "",
    decisions: str = "",
    is_cancelled: bool = False,
    attendee_contacts: Iterable[PointOfContact] = (),
    attendee_users: Iterable[Any] = (),
    items: Iterable[Commitment] = (),
    follow_ups: Sequence[dict] = (),
    files: Iterable[Any] = (),
) -> Meeting:
    """Record a meeting with its attendees, follow-up actions and evidence, all or nothing."""
    checked = evidence_check_all(files=files)
    meeting = Meeting(
        agreement=agreement,
        organiser=acting_user,
        kind=kind,
        title=title,
        starts_at=starts_at,
        format=format,
        location=location,
        agenda=agenda,
        minutes=minutes,
        decisions=decisions,
        is_cancelled=is_cancelled,
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendee_contacts.set(attendee_contacts)
    meeting.attendee_users.set(attendee_users)
    meeting.items.set(items)
    _follow_ups_replace(meeting=meeting, follow_ups=follow_ups)
    _evidence_store(checked=checked, acting_user=acting_user, meeting=meeting)
    if meeting.is_upcoming and not meeting.is_cancelled:
        _invite_on_commit(meeting)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    acting_user: User,
    expected_version: int | None,
    attendee_contacts: Iterable[PointOfContact] | None = None,
    attendee_users: Iterable[Any] | None = None,
    items: Iterable[Commitment] | None = None,
    follow_ups: Sequence[dict] = (),
    files: Iterable[Any] = (),
    **fields: Any,
) -> Meeting:
    """Change a meeting's record (minutes come after the meeting), unless someone saved it
    since `expected_version`; history keeps each version."""
    checked = evidence_check_all(files=files)
    meeting = _claim(meeting, expected_version)
    was_upcoming = meeting.is_upcoming
    was_cancelled = meeting.is_cancelled
    said_before = [getattr(meeting, name) for name in INVITATION_FIELDS]
    users_before = set(meeting.attendee_users.all())
    contacts_before = set(meeting.attendee_contacts.all())
    for name, value in fields.items():
        if name not in (*MEETING_FIELDS, "is_cancelled"):
            raise TypeError(f"meeting_update() got an unexpected field {name!r}")
        setattr(meeting, name, value)
    meeting.full_clean()
    users_after = set(attendee_users) if attendee_users is not None else users_before
    contacts_after = set(attendee_contacts) if attendee_contacts is not None else contacts_before
    changed = (
        [getattr(meeting, name) for name in INVITATION_FIELDS] != said_before
        or users_after != users_before
        or contacts_after != contacts_before
    )
    # Invitations concern meetings still ahead (or that were, until this change moved them).
    still_off = was_cancelled and meeting.is_cancelled
    invite = changed and (was_upcoming or meeting.is_upcoming) and not still_off
    if invite:
        meeting.sequence += 1
    meeting.save()
    if attendee_contacts is not None:
        meeting.attendee_contacts.set(contacts_after)
    if attendee_users is not None:
        meeting.attendee_users.set(users_after)
    if items is not None:
        meeting.items.set(items)
    _follow_ups_replace(meeting=meeting, follow_ups=follow_ups)
    _evidence_store(checked=checked, acting_user=acting_user, meeting=meeting)
    if invite:
        _invite_on_commit(
            meeting,
            cancelled=meeting.is_cancelled,
            removed_users=sorted(users_before - users_after, key=lambda u: u.pk),
            removed_contacts=sorted(contacts_before - contacts_after, key=lambda c: c.pk),
        )
    return meeting


@transaction.atomic
def meeting_agenda_from_draft(
    *, meeting: Meeting, acting_user: User, expected_version: int | None
) -> Meeting:
    """Put the generated agenda draft (selectors.agenda_draft, as `acting_user` sees it) into an
    upcoming meeting's agenda, as an edit of the meeting: versioned, on its history, and sent
    again to the attendees as a changed invitation. An agenda already written is kept, the draft
    added below it; a draft already in the agenda is not added twice."""
    draft = agenda_draft(meeting, acting_user)
    if draft is None:
        raise ValidationError(
            {"agenda": "Only an upcoming meeting, not cancelled, has an agenda draft to use."},
            code="not_upcoming",
        )
    text = draft.text
    current = (meeting.agenda or "").strip()
    if text in current:
        raise ValidationError({"agenda": "The agenda already holds this draft."}, code="unchanged")
    agenda = f"{current}\n\n{text}" if current else text
    return meeting_update(
        meeting=meeting, acting_user=acting_user, expected_version=expected_version, agenda=agenda
    )


# --- outreach events ----------------------------------------------------------------------------

EVENT_FIELDS = (
    "organising_party",
    "title",
    "held_on",
    "city",
    "country",
    "place",
    "audiences",
    "attendance",
    "outcomes",
)


@transaction.atomic
def outreach_event_create(
    *,
    agreement: Agreement,
    acting_user: User,
    items: Iterable[Commitment] = (),
    files: Iterable[Any] = (),
    **fields: Any,
) -> OutreachEvent:
    """Record an event (an event obligation's, e.g. outreach) with the items it served and its evidence."""
    checked = evidence_check_all(files=files)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"outreach_event_create() got unexpected fields {sorted(unknown)}")
    event = OutreachEvent(agreement=agreement, created_by=acting_user, **fields)
    event.full_clean()
    event.save()
    event.items.set(items)
    _evidence_store(checked=checked, acting_user=acting_user, outreach_event=event)
    return event


@transaction.atomic
def outreach_event_update(
    *,
    event: OutreachEvent,
    acting_user: User,
    expected_version: int | None,
    items: Iterable[Commitment] | None = None,
    files: Iterable[Any] = (),
    **fields: Any,
) -> OutreachEvent:
    checked = evidence_check_all(files=files)
    event = _claim(event, expected_version)
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise TypeError(f"outreach_event_update() got an unexpected field {name!r}")
        setattr(event, name, value)
    event.full_clean()
    event.save()
    if items is not None:
        event.items.set(items)
    _evidence_store(checked=checked, acting_user=acting_user, outreach_event=event)
    return event


# --- owners and target dates ------------------------------------------------------------------


def target_date_problem(*, agreement: Agreement, target_date: datetime.date) -> str | None:
    """Why a target date is not plausible for an item of the agreement, or None.

    An item is due within the agreement's life: not before its execution, and not after its end
    (the earlier of expiry and termination) when it has one.
    """
    if agreement.executed_on and target_date < agreement.executed_on:
        return f"The target date is before the agreement was executed ({long_date(agreement.executed_on)})."
    ends = [d for d in (agreement.expires_on, agreement.terminated_on) if d]
    if ends and target_date > min(ends):
        return f"The target date is after the agreement ends ({long_date(min(ends))})."
    return None


@dataclass(frozen=True)
class AssignmentChange:
    """One of owner or target date, changed by someone else after the form was opened."""

    field: str
    label: str
    when_opened: Any
    now: Any


class AssignmentConflict(Exception):
    """Someone changed the item's owner or target date after this form was opened; nothing was
    written. `changes` says what changed, `commitment` is the item as it is now."""

    def __init__(self, commitment: Commitment, changes: list[AssignmentChange]) -> None:
        self.commitment = commitment
        self.changes = changes
        super().__init__(
            f"The owner or target date of {commitment.code} changed after you opened it: "
            + "; ".join(f"{c.label} is now {c.now or 'not set'}" for c in changes)
            + "."
        )


def _owner_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@transaction.atomic
def commitment_assign(
    *,
    commitment: Commitment,
    acting_user,
    owner,
    target_date: datetime.date | None,
    opened_owner_id: int | None,
    opened_target_date: datetime.date | None,
) -> Commitment:
    """Give the item an owner (a user of a lead party) and a target date, or clear them.

    Optimistic like the contacts' version check, on the two values this form edits: the row is
    locked, and unless its owner and target date are still those the form was opened with,
    nothing is written and `AssignmentConflict` says what changed (progress updates that move
    the item's status do not conflict). `acting_user` is recorded by the audit trail's middleware
    on a request; it is named so every caller says who acts.
    """
    current = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("agreement", "owner")
        .get(pk=commitment.pk)
    )
    changes = []
    if current.owner_id != opened_owner_id:
        opened = get_user_model().objects.filter(pk=opened_owner_id).first() if opened_owner_id else None
        changes.append(AssignmentChange("owner", "Owner", _owner_label(opened), _owner_label(current.owner)))
    if current.target_date != opened_target_date:
        changes.append(
            AssignmentChange("target_date", "Target date", opened_target_date, current.target_date)
        )
    if changes:
        raise AssignmentConflict(current, changes)
    errors: dict[str, str] = {}
    if owner is not None and not owner_choices(current).filter(pk=owner.pk).exists():
        errors["owner"] = (
            f"{_owner_label(owner)} cannot own {current.code}: the owner is an active user of a party "
            f"that leads it ({current.lead_display})."
        )
    if target_date is not None:
        problem = target_date_problem(agreement=current.agreement, target_date=target_date)
        if problem:
            errors["target_date"] = problem
    if errors:
        raise ValidationError(errors)
    current.owner = owner
    current.target_date = target_date
    current._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    current.save(update_fields=["owner", "target_date"])
    return current
