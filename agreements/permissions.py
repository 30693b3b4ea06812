"""Who may see and change what: the one place every view, task and test asks.

Roles are Django groups created by a migration (Staff, Manager, Admin); the party a user
works for is their PartyMembership. Agreements a user's party is not on are invisible to
them: views answer 404 for those, so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from .models import Agreement, Commitment, Party

STAFF = "Staff"
MANAGER = "Manager"
ADMIN = "Admin"
ROLES = (STAFF, MANAGER, ADMIN)

User = AbstractBaseUser | AnonymousUser


def party_of(user: User) -> Party | None:
    """The party the user works for, or None for a user without one."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.party if membership else None


def roles_of(user: User) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    if not hasattr(user, "_moa_roles"):
        user._moa_roles = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    return user._moa_roles


def has_role(user: User, role: str) -> bool:
    """Managers can do what staff can; admins can do what managers can."""
    if user.is_authenticated and user.is_superuser:
        return True
    held = roles_of(user)
    implied = {STAFF: {STAFF, MANAGER, ADMIN}, MANAGER: {MANAGER, ADMIN}, ADMIN: {ADMIN}}[role]
    return bool(held & implied)


def visible_agreements(user: User) -> QuerySet[Agreement]:
    """Agreements whose parties include the user's party (all of them for a superuser)."""
    if not has_role(user, STAFF):
        return Agreement.objects.none()
    return Agreement.objects.visible_to(user)


def can_report_on(user: User, commitment: Commitment) -> bool:
    """Staff log progress on items their party leads, or co-leads as a joint item."""
    if not has_role(user, STAFF):
        return False
    if user.is_superuser:
        return True
    party = party_of(user)
    return commitment.is_led_by(party) and commitment.agreement.parties.filter(pk=party.pk).exists()


def can_view_dashboard(user: User) -> bool:
    """The compliance dashboard, its exports and report are for managers (and admins)."""
    return has_role(user, MANAGER)


def dashboard_agreements(user: User) -> QuerySet[Agreement]:
    """Agreements a manager may see on the dashboard: those of their own party."""
    if not can_view_dashboard(user):
        return Agreement.objects.none()
    return visible_agreements(user)


def can_have_calendar_feed(user: User) -> bool:
    """Any portal user may subscribe to the calendar of the agreements they can see."""
    return has_role(user, STAFF)


def party_users_with_role(*, parties: Iterable[Party], role: str) -> QuerySet:
    """Active users of the given parties who hold the role or a higher one (for notices)."""
    implied = {STAFF: [STAFF, MANAGER, ADMIN], MANAGER: [MANAGER, ADMIN], ADMIN: [ADMIN]}[role]
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__party__in=list(parties), groups__name__in=implied)
        .distinct()
        .order_by("pk")
    )


def party_users_with_role_by_party(*, parties: Iterable[Party], role: str) -> dict[int, list]:
    """`party_users_with_role` of many parties at once, per party id (one query, for the jobs)."""
    found: dict[int, list] = {}
    for user in party_users_with_role(parties=parties, role=role).select_related("membership"):
        found.setdefault(user.membership.party_id, []).append(user)
    return found


def is_party_to(user: User, agreement: Agreement) -> bool:
    """The user's party signed the agreement (a superuser counts as party to every one).

    Reads `agreement.parties.all()` (two to four rows), so a caller asking about many agreements
    prefetches their parties once instead of a query per agreement.
    """
    if user.is_authenticated and user.is_superuser:
        return True
    party = party_of(user)
    return party is not None and any(p.pk == party.pk for p in agreement.parties.all())


def can_record_meeting(user: User, agreement: Agreement) -> bool:
    """Staff of any party to the agreement record its meetings (VI.2, VI.5): they are joint."""
    return has_role(user, STAFF) and is_party_to(user, agreement)


def can_record_outreach(user: User, agreement: Agreement) -> bool:
    """Staff of any party to the agreement record the outreach events it organises (VI.3)."""
    return has_role(user, STAFF) and is_party_to(user, agreement)


def can_manage_milestones(user: User, commitment: Commitment, *, can_report: bool | None = None) -> bool:
    """Milestones are planned by those who report on the item.

    A page that has decided can_report_on for the item already passes it (`can_report`) rather
    than asking the database again.
    """
    return can_report_on(user, commitment) if can_report is None else can_report


def can_edit_update(user: User, update, *, can_report: bool | None = None) -> bool:
    """Only the author edits an update, and only within 24 hours; later, a correction is added.

    `update` is an activities.models.ProgressUpdate (not imported here to keep this module
    free of the activities app). A page listing many updates of one item passes `can_report`
    (can_report_on for that item, decided once) instead of two queries per update.
    """
    if not user.is_authenticated or update.author_id != user.pk:
        return False
    if not update.is_within_edit_window:
        return False
    return can_report_on(user, update.commitment) if can_report is None else can_report


def can_view_evidence(user: User, evidence) -> bool:
    """Evidence is seen by those who see the agreement it belongs to."""
    agreement = evidence.agreement
    return agreement is not None and visible_agreements(user).filter(pk=agreement.pk).exists()


def refusal_reason(user: User, commitment: Commitment) -> str:
    """Plain words for a 403 on an item, naming who may report on it."""
    if not has_role(user, STAFF):
        return "Only agency staff can log progress. Ask an administrator for the Staff role."
    return (
        f"{commitment.code} is led by {commitment.lead_display}. Only staff of the lead party "
        "can log progress or plan milestones on it."
    )


# --- administration: points of contact, users, the audit trail ----------------------------


def is_admin(user: User) -> bool:
    return has_role(user, ADMIN)


def can_manage_party(user: User, party: Party | None) -> bool:
    """Admins keep their own party's records (contacts, users); a superuser keeps everyone's."""
    if not is_admin(user) or party is None:
        return False
    if user.is_superuser:
        return True
    own = party_of(user)
    return own is not None and own.pk == party.pk


def manageable_parties(user: User, agreement: Agreement | None = None) -> QuerySet[Party]:
    """Parties whose records the user may keep, optionally only those on one agreement."""
    parties = agreement.parties.all() if agreement is not None else Party.objects.all()
    if not is_admin(user):
        return parties.none()
    if user.is_superuser:
        return parties
    own = party_of(user)
    return parties.filter(pk=own.pk) if own else parties.none()


def visible_contacts(user: User):
    """Points of contact of the agreements the user can see (read access for every staff user)."""
    from contacts.models import PointOfContact

    return PointOfContact.objects.filter(agreement__in=visible_agreements(user))


def can_manage_contact(user: User, contact) -> bool:
    """Admins add, edit and deactivate their own party's contacts on agreements they can see."""
    return (
        can_manage_party(user, contact.party)
        and visible_agreements(user).filter(pk=contact.agreement_id).exists()
    )


def can_read_audit(user: User) -> bool:
    """Only admins read the audit trail; nobody edits or deletes it through the portal."""
    return is_admin(user)


def manageable_users(user: User):
    """Users an admin manages: those of their own party (every user for a superuser)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if not is_admin(user):
        return users.none()
    if user.is_superuser:
        return users
    own = party_of(user)
    return users.filter(membership__party=own) if own else users.none()


def editable_users(user: User):
    """Users an admin may edit: their party's, but never a superuser or a Django-staff account
    (a technical admin's) unless the editor is a superuser, or it is their own account.

    A party admin who could change a technical admin's e-mail could reset its password from
    the new address and sign in with every agency's data and the Django admin.
    """
    users = manageable_users(user)
    if user.is_authenticated and user.is_superuser:
        return users
    return users.filter(Q(is_superuser=False, is_staff=False) | Q(pk=user.pk))


def can_change_email_of(user: User, target) -> bool:
    """Admins start e-mail changes of their party's users, but not of another admin (a superuser may)."""
    if not editable_users(user).filter(pk=target.pk).exists():
        return False
    if user.is_superuser or target.pk == user.pk:
        return True
    return not (target.is_superuser or target.groups.filter(name=ADMIN).exists())


def can_unlock_accounts(user: User) -> bool:
    """An admin of any party, or a technical admin (Django staff), lifts any account's lockout:
    a party whose last admin is locked out is not stuck until the cool-off ends."""
    return is_admin(user) or (user.is_authenticated and user.is_active and user.is_staff)
