"""Writes to portal users: their details, party and roles. Users are deactivated, never deleted.

Each save is in the audit trail: the user row and its roles (groups) through the historical
user table, the party through PartyMembership's history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from agreements.models import Party, PartyMembership
from agreements.permissions import ADMIN, ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = set(roles)
    unknown = wanted - set(ROLES)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}"})
    other_groups = list(user.groups.exclude(name__in=ROLES))
    role_groups = list(Group.objects.filter(name__in=wanted))
    current = set(user.groups.values_list("pk", flat=True))
    target = {g.pk for g in other_groups + role_groups}
    if current != target:
        user.groups.set(other_groups + role_groups)


def _set_party(user: User, party: Party) -> None:
    membership = PartyMembership.objects.filter(user=user).first()
    if membership is None:
        PartyMembership.objects.create(user=user, party=party)
    elif membership.party_id != party.pk:
        membership.party = party
        membership.save()


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    party: Party,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A new active user with an unguessable password they replace through the e-mailed link."""
    user = get_user_model()(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_password(get_random_string(48))
    user.full_clean()
    user.save()
    _set_party(user, party)
    _set_roles(user, roles)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    acting_user: User,
    email: str,
    party: Party,
    roles: Iterable[str],
    is_active: bool,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Change a user's details, party, roles or active flag; an admin cannot lock themselves out."""
    roles = set(roles)
    if user.pk == acting_user.pk and not user.is_superuser:
        if not is_active:
            raise ValidationError({"is_active": "You cannot deactivate your own account."})
        if ADMIN not in roles:
            raise ValidationError({"roles": "You cannot remove your own Admin role."})
    changed = (user.email, user.first_name, user.last_name, user.is_active) != (
        email,
        first_name,
        last_name,
        is_active,
    )
    user.email, user.first_name, user.last_name, user.is_active = email, first_name, last_name, is_active
    if changed:
        user.full_clean()
        user.save()
    _set_party(user, party)
    _set_roles(user, roles)
    return user


def locked_usernames(*, usernames: Iterable[str]) -> set[str]:
    """Which of these accounts django-axes currently locks (failure limit reached, cool-off running)."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def user_unlock(*, user: User) -> int:
    """Clear the failed sign-ins that lock the account; returns how many records were cleared."""
    return axes_reset(username=user.get_username())
