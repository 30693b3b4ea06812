"""Who may report on items and keep the records of meetings, outreach and evidence."""

from __future__ import annotations

from django.db.models import QuerySet

from agreements.models import Agreement, Commitment, Party
from agreements.permissions import (
    ADMIN,
    MANAGER,
    STAFF,
    User,
    has_role,
    is_party_to,
    party_of,
    party_users_with_role,
    visible_agreements,
)

from .models import Evidence, FollowUpAction, Meeting, OutreachEvent, ProgressUpdate


def can_report_on(user: User, commitment: Commitment) -> bool:
    """Staff log progress on items their party leads, or co-leads as a joint item."""
    if not has_role(user, STAFF):
        return False
    if user.is_superuser:
        return True
    party = party_of(user)
    # The agreement's parties as read (two to four rows; the item page prefetches them once).
    return party is not None and commitment.is_led_by(party) and is_party_to(user, commitment.agreement)


def reporting_parties(user: User, commitment: Commitment) -> QuerySet[Party]:
    """The parties a user may report progress for on an item: the parties to the agreement that
    lead it, and of those only the user's own (a superuser, of no party, may report for any).
    The page's form offers these and the API accepts only these."""
    parties = commitment.agreement.parties.filter(pk__in=commitment.lead_parties.all())
    own = party_of(user)
    if own is not None and not user.is_superuser:
        parties = parties.filter(pk=own.pk)
    return parties


def can_record_meeting(user: User, agreement: Agreement) -> bool:
    """Staff of any party to the agreement record its meetings: they are joint."""
    return has_role(user, STAFF) and is_party_to(user, agreement)


def can_record_outreach(user: User, agreement: Agreement) -> bool:
    """Staff of any party to the agreement record the events it organises."""
    return has_role(user, STAFF) and is_party_to(user, agreement)


def _joint_or_own(user: User, organising_party_id: int | None, record: Meeting | OutreachEvent) -> bool:
    """A record is kept by the party that organised it, unless it serves an item the agreement
    makes joint (led by all parties), which any party's staff keep."""
    if user.is_superuser:
        return True
    party = party_of(user)
    if party is None:
        return False
    if organising_party_id == party.pk:
        return True
    # A record that served a commitment this party also owes (a joint one) is theirs too.
    return record.items.led_by(party).exists()


def can_edit_meeting(user: User, meeting: Meeting) -> bool:
    """Staff change (and cancel) the meetings their party organised, or joint ones."""
    if not can_record_meeting(user, meeting.agreement):
        return False
    organiser_party = getattr(getattr(meeting.organiser, "membership", None), "party_id", None)
    return _joint_or_own(user, organiser_party, meeting)


def can_edit_event(user: User, event: OutreachEvent) -> bool:
    """Staff change the outreach events their party organised, or joint ones."""
    if not can_record_outreach(user, event.agreement):
        return False
    return _joint_or_own(user, event.organising_party_id, event)


def can_manage_milestones(user: User, commitment: Commitment, *, can_report: bool | None = None) -> bool:
    """Milestones are planned by those who report on the item.

    A page that has decided can_report_on for the item already passes it (`can_report`) rather
    than asking the database again.
    """
    return can_report_on(user, commitment) if can_report is None else can_report


def can_edit_update(user: User, update: ProgressUpdate, *, can_report: bool | None = None) -> bool:
    """Only the author edits an update, within its edit window (ProgressUpdate.EDIT_WINDOW_HOURS);
    later, a correction is added.

    A page listing many updates of one item passes `can_report` (can_report_on for that item,
    decided once) instead of two queries per update.
    """
    if not user.is_authenticated or update.author_id != user.pk:
        return False
    if not update.is_within_edit_window:
        return False
    return can_report_on(user, update.commitment) if can_report is None else can_report


def can_view_evidence(user: User, evidence: Evidence) -> bool:
    """Evidence is seen by those who see the agreement it belongs to."""
    agreement = evidence.agreement
    return agreement is not None and visible_agreements(user).filter(pk=agreement.pk).exists()


def can_withdraw_evidence(user: User, evidence: Evidence) -> bool:
    """A file is withdrawn by those who keep the record it backs: the item's reporting staff
    for an update's file, staff of the agreement's parties for a meeting's or an event's."""
    if evidence.progress_update is not None:
        return can_report_on(user, evidence.progress_update.commitment)
    agreement = evidence.agreement
    return agreement is not None and has_role(user, STAFF) and is_party_to(user, agreement)


def can_download_withdrawn(user: User) -> bool:
    """A withdrawn file is no longer offered; admins (who answer for the record) still read it."""
    return has_role(user, ADMIN)


def refusal_reason(user: User, commitment: Commitment) -> str:
    """Plain words for a 403 on an item, naming who may report on it."""
    if not has_role(user, STAFF):
        return "Only agency staff can log progress. Ask an administrator for the Staff role."
    return (
        f"{commitment.code} is led by {commitment.lead_display}. Only staff of the lead party "
        "can log progress or plan milestones on it."
    )


# --- owners and target dates ----------------------------------------------------------------------


def lead_parties_of(commitment: Commitment) -> list[Party]:
    """The parties of the agreement that lead the item (every party for a joint item).

    Asks `Commitment.is_led_by`, not the lead field, so it follows the item's own rule of who leads.
    """
    return [p for p in commitment.agreement.parties.all() if commitment.is_led_by(p)]


def can_assign_owner(user: User, commitment: Commitment) -> bool:
    """Managers of a lead party decide who owns an item and by when it is due: they answer
    for their party's part of the agreement. A superuser may too."""
    if not has_role(user, MANAGER):
        return False
    if user.is_superuser:
        return True
    party = party_of(user)
    return party is not None and any(p.pk == party.pk for p in lead_parties_of(commitment))


def owner_choices(commitment: Commitment) -> QuerySet:
    """Who may own an item: active staff (or above) of a party that leads it."""
    return party_users_with_role(parties=lead_parties_of(commitment), role=STAFF)


# --- follow-up actions ------------------------------------------------------------------------------


def can_close_follow_up(user: User, action: FollowUpAction) -> bool:
    """A follow-up is closed by staff of the agreement's parties (who keep the meeting's record,
    as for editing the meeting) or by its owner, when the owner is a portal user still active."""
    if user.is_authenticated and user.is_active and action.owner_user_id == user.pk:
        return True
    return can_record_meeting(user, action.meeting.agreement)
