"""Who may see and change what: the one place every view, task and test asks.

Roles are Django groups created by a migration (Staff, Manager, Admin); the party a user
works for is their PartyMembership. Agreements a user's party is not on are invisible to
them: views answer 404 for those, so their existence does not leak.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

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
