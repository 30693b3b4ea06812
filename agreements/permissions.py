"""Who is who, and which agreements they see: the rule every app's permissions build on.

Roles are Django groups created by a migration (Staff, Manager, Admin); the party a user
works for is their PartyMembership. Agreements a user's party is not on are invisible to
them: views answer 404 for those, so their existence does not leak.

Each app above keeps its own rules in its own `permissions.py` (activities: reporting and
records; contacts: points of contact; compliance: the dashboard; audit: the trail), all built
from the functions here. Which parties' records and users an admin keeps is here too: people,
contacts and audit all ask it, and people and audit are siblings that may not import each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Agreement, Party

STAFF = "Staff"
MANAGER = "Manager"
ADMIN = "Admin"
ROLES = (STAFF, MANAGER, ADMIN)

#: The role hierarchy, written once: each role and the roles that may do what it may.
#: Managers can do what staff can; admins can do what managers can.
HOLDERS_OF: dict[str, tuple[str, ...]] = {
    STAFF: (STAFF, MANAGER, ADMIN),
    MANAGER: (MANAGER, ADMIN),
    ADMIN: (ADMIN,),
}


def role_groups(names: Iterable[str]) -> list[Group]:
    """The groups that hold these roles, made if missing. A migration makes them, but a group
    can go (a flushed test database, `pytest --reuse-db` after browser tests, a deleted row),
    and a role given then must not vanish silently: the role names here are the rule."""
    return [Group.objects.get_or_create(name=name)[0] for name in names]


if TYPE_CHECKING:
    from django.contrib.auth.models import User as Account  # settings.AUTH_USER_MODEL

#: Whoever makes a request: a signed-in account or an anonymous visitor.
User: TypeAlias = "Account | AnonymousUser"


def party_of(user: User) -> Party | None:
    """The party the user works for, or None for a user without one."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.party if membership else None


def roles_of(user: User) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    roles: set[str] | None = getattr(user, "_moa_roles", None)
    if roles is None:
        roles = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._moa_roles = roles  # type: ignore[attr-defined]  # kept on the instance for this request
    return roles


def has_role(user: User, role: str) -> bool:
    """The user holds the role or a higher one (HOLDERS_OF); a superuser holds every role."""
    if user.is_authenticated and user.is_superuser:
        return True
    return bool(roles_of(user) & set(HOLDERS_OF[role]))


@dataclass(frozen=True)
class Visibility:
    """The agreements a user sees, and `scope`: a name for that set which is the same for
    every user who sees the same set, and differs for users who see different ones.

    Values kept for a page (core.cache.kept) are keyed by `scope`. Both come from one decision
    in `visibility_of`, so the key cannot drift from the rule: a kept page is never served to
    a user of another party.
    """

    agreements: QuerySet[Agreement]
    scope: str


def visibility_of(user: User) -> Visibility:
    """Staff or above see the agreements of their party; a superuser sees all; others none.

    A draft (no execution date yet) is seen only by the admins of its parties (and a
    superuser): it is still being written and signed. Admins therefore see a different set
    from their party's staff and managers, and get a scope of their own.

    Decided once per user instance (a request's user), as `roles_of` is: a page asked it four
    or five times, building the same subquery each time.
    """
    decided: Visibility | None = getattr(user, "_moa_visibility", None)
    if decided is None:
        decided = _decide_visibility(user)
        user._moa_visibility = decided  # type: ignore[union-attr]  # kept on the instance for this request
    # A fresh queryset each time: a caller that evaluates it fills no cache another caller reads.
    return Visibility(decided.agreements.all(), decided.scope)


def _decide_visibility(user: User) -> Visibility:
    if not has_role(user, STAFF):
        return Visibility(Agreement.objects.none(), "none")
    if user.is_superuser:
        return Visibility(Agreement.objects.all(), "all")
    membership = getattr(user, "membership", None)  # the party's id is enough: no query for the party
    if membership is None:
        return Visibility(Agreement.objects.none(), "none")
    of_party = Agreement.objects.of_party(membership.party_id)
    if has_role(user, ADMIN):
        return Visibility(of_party, f"party-{membership.party_id}-admin")
    return Visibility(of_party.filter(executed_on__isnull=False), f"party-{membership.party_id}")


def visible_agreements(user: User) -> QuerySet[Agreement]:
    """Agreements whose parties include the user's party (all of them for a superuser)."""
    return visibility_of(user).agreements


def viewer_scope(user: User) -> str:
    """The key of what the user sees, for values kept per viewer (see `Visibility`)."""
    return visibility_of(user).scope


def party_users_with_role(*, parties: Iterable[Party], role: str) -> QuerySet:
    """Active users of the given parties who hold the role or a higher one (for notices).

    The role as EXISTS, not a join and DISTINCT (a user is in one party, maybe several groups):
    then the first rows by id walk the primary key and stop, where DISTINCT read and sorted every
    member first (the item page's owner picker asks for 51 of DOC's 6,667 staff at scale 10).
    """
    user_model = get_user_model()
    holds_role = user_model.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=HOLDERS_OF[role]
    )
    return (
        user_model.objects.filter(is_active=True, membership__party__in=list(parties))
        .filter(Exists(holds_role))
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


# --- administration: a party's records (points of contact, users) ----------------------------


def is_admin(user: User) -> bool:
    return has_role(user, ADMIN)


def can_manage_party(user: User, party: Party | None) -> bool:
    """Admins keep their own party's records (contacts, users); a superuser keeps everyone's.

    Here rather than in people: contacts (below people) asks it too.
    """
    if not is_admin(user) or party is None:
        return False
    if user.is_superuser:
        return True
    own = party_of(user)
    return own is not None and own.pk == party.pk


def manageable_users(user: User) -> QuerySet:
    """Users an admin manages: those of their own party (every user for a superuser).

    Here rather than in people: the audit trail (beside people, not above it) scopes by it too.
    """
    users = get_user_model().objects.all()
    if not is_admin(user):
        return users.none()
    if user.is_superuser:
        return users
    own = party_of(user)
    return users.filter(membership__party=own) if own else users.none()


def manageable_parties(user: User, agreement: Agreement | None = None) -> QuerySet[Party]:
    """Parties whose records the user may keep, optionally only those on one agreement."""
    parties = agreement.parties.all() if agreement is not None else Party.objects.all()
    if not is_admin(user):
        return parties.none()
    if user.is_superuser:
        return parties
    own = party_of(user)
    return parties.filter(pk=own.pk) if own else parties.none()


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


# --- the agreement's life: drafts, signatures, modifications ---------------------------------


def can_start_agreement(user: User) -> bool:
    """Portal admins of a party start new agreements (a draft their party is on)."""
    return is_admin(user) and party_of(user) is not None


def acting_party(user: User, agreement: Agreement) -> Party | None:
    """The party an admin acts for on this agreement: their own, if it is a party to it.

    Signing, proposing and executing a modification are acts of a party, so a superuser
    without a party (a technical administrator) does none of them.
    """
    if not is_admin(user):
        return None
    party = party_of(user)
    if party is None or not any(p.pk == party.pk for p in agreement.parties.all()):
        return None
    return party


def can_act_for_party_on(user: User, agreement: Agreement) -> bool:
    """The user may sign, propose, edit and execute modifications for their party on it."""
    return acting_party(user, agreement) is not None
