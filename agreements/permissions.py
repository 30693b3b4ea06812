"""Who may see and change what: the one place every view, task and test asks.

Roles are Django groups created by a migration (Staff, Manager, Admin); the party a user
works for is their PartyMembership. Agreements a user's party is not on are invisible to
them: views answer 404 for those, so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
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
