"""Writes to portal users: their details, party and roles. Users are deactivated, never deleted.

Each save is in the audit trail: the user row and its roles (groups) through the historical
user table, the party through PartyMembership's history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from agreements.models import Party, PartyMembership
from agreements.permissions import ADMIN, ROLES, party_of, role_groups
from contacts.services import ConcurrentChange

from . import signin as people_signin

EMAIL_IN_USE = "Another active user already has this e-mail address."


def email_in_use(email: str, *, exclude: User | None = None) -> bool:
    """Whether an active user other than `exclude` has this address (letter case ignored).

    Password links go to an address, so two active accounts on one address would each let
    the other's mailbox reset them.
    """
    users = get_user_model().objects.filter(is_active=True, email__iexact=email.strip())
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return bool(email.strip()) and users.exists()


if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = set(roles)
    unknown = wanted - set(ROLES)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}"})
    other_groups = list(user.groups.exclude(name__in=ROLES))
    groups = role_groups(sorted(wanted))
    current = set(user.groups.values_list("pk", flat=True))
    target = {g.pk for g in other_groups + groups}
    if current != target:
        user.groups.set(other_groups + groups)


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
    if email_in_use(email):
        raise ValidationError({"email": EMAIL_IN_USE})
    user = get_user_model()(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_password(get_random_string(48))
    user.full_clean()
    user.save()
    _set_party(user, party)
    _set_roles(user, roles)
    return user


# --- edit conflicts ----------------------------------------------------------------------------
#
# Two admins may open one account's edit page together. As with contacts, the form carries the
# version it was opened at and a save made from an older version is refused, showing what
# changed. A user row is Django's own (no version column of ours), so the version is the
# account as the form showed it (names, address, party, roles, active), signed with the portal's
# secret: a stale version differs from the account now; a forged, garbled, missing or another
# account's version fails its signature or its account and is refused the same way. The save
# compares under a lock on the user row, so of two saves at once the second sees the first.

USER_VERSION_SALT = "moa-portal.people.user-version"
USER_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "party": "Party",
    "roles": "Roles",
    "is_active": "Active",
}


def _account_as_shown(user: User) -> dict[str, str]:
    """The account's editable values as the edit page shows them."""
    party = party_of(user)
    roles = sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "party": str(party) if party is not None else "",
        "roles": ", ".join(roles),
        "is_active": "Yes" if user.is_active else "No",
    }


def user_version(*, user: User) -> str:
    """The version an edit form is opened at: the account as shown, signed, with the time."""
    return signing.dumps(
        {"u": user.pk, "t": timezone.now().isoformat(), "s": _account_as_shown(user)},
        salt=USER_VERSION_SALT,
        compress=True,
    )


class UserEditConflict(Exception):
    """Someone saved the account after this form was opened (or the form's version is not one
    this account was ever shown at); nothing was written."""

    def __init__(self, user: User, changes: list[ConcurrentChange], changed_by: list[str]) -> None:
        self.user = user
        self.changes = changes
        self.changed_by = changed_by
        super().__init__(f"{user} was changed by {', '.join(changed_by) or 'someone'} after you opened it.")


def _changed_by_since(user: User, since: datetime.datetime | None) -> list[str]:
    """Who saved the account (its row, roles or party) after `since`."""
    if since is None:
        return []
    records = [
        *user.history.filter(history_date__gt=since).select_related("history_user"),  # type: ignore[attr-defined]
        *PartyMembership.history.filter(user_id=user.pk, history_date__gt=since).select_related(
            "history_user"
        ),
    ]
    return sorted(
        {(r.history_user.get_full_name() or r.history_user.username) for r in records if r.history_user}
    )


def _check_version(user: User, expected_version: str) -> None:
    """Refuse unless the account is as it was when the form was opened at `expected_version`."""
    now = _account_as_shown(user)
    try:
        opened = signing.loads(expected_version or "", salt=USER_VERSION_SALT)
        if (
            not isinstance(opened, dict)
            or opened.get("u") != user.pk
            or not isinstance(opened.get("s"), dict)
        ):
            raise signing.BadSignature("a version of another account")
        since = datetime.datetime.fromisoformat(str(opened.get("t")))
    except (signing.BadSignature, ValueError):
        # A version this account never had: nothing says what the editor saw, so nothing may be
        # overwritten; they see the current values.
        raise UserEditConflict(user, [], []) from None
    changes = [
        ConcurrentChange(field=name, label=label, when_opened=opened["s"].get(name), now=now[name])
        for name, label in USER_FIELDS.items()
        if opened["s"].get(name) != now[name]
    ]
    if changes:
        raise UserEditConflict(user, changes, _changed_by_since(user, since))


@transaction.atomic
def user_update(
    *,
    user: User,
    acting_user: User,
    expected_version: str,
    party: Party,
    roles: Iterable[str],
    is_active: bool,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Change a user's details, party, roles or active flag, unless someone saved the account
    since `expected_version` (user_version); an admin cannot lock themselves out.

    The e-mail address is not changed here: it changes only through email_change_request and
    the confirmations that follow (a password link goes to it, so it is the account's key).
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    _check_version(user, expected_version)
    roles = set(roles)
    if user.pk == acting_user.pk and not user.is_superuser:
        if not is_active:
            raise ValidationError({"is_active": "You cannot deactivate your own account."})
        if ADMIN not in roles:
            raise ValidationError({"roles": "You cannot remove your own Admin role."})
    if is_active and not user.is_active and email_in_use(user.email, exclude=user):
        raise ValidationError({"is_active": f"{EMAIL_IN_USE} Change one of them before reactivating."})
    changed = (user.first_name, user.last_name, user.is_active) != (first_name, last_name, is_active)
    user.first_name, user.last_name, user.is_active = first_name, last_name, is_active
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


def user_unlock(*, user: User, by: User | None = None) -> int:
    """Clear the failed sign-ins that lock the account; returns how many records were cleared."""
    who = (by.get_full_name() or by.get_username()) if by is not None else "an admin"
    return people_signin.unlock(user, by=by, how=f"by {who}")


# --- e-mail address changes --------------------------------------------------------------------
#
# An address changes in two steps, each from a link signed with the portal's secret and valid
# for EMAIL_CHANGE_TIMEOUT seconds: the *current* address approves the change (so whoever
# controls the account's mailbox today agrees, and learns of it), then the *new* address
# confirms it receives mail. Only then is the address changed, and both addresses are told.
# Nothing is stored while a change is pending: a link is dead once the account's address is
# no longer the one it was made for (the change applied, or another one did). A user who no
# longer reads the old mailbox asks a technical admin, who changes it in the Django admin.

EMAIL_CHANGE_SALT = "moa-portal.people.email-change"
APPROVE, CONFIRM = "approve", "confirm"


@dataclass(frozen=True)
class EmailChange:
    """A pending change as a signed link carries it."""

    user: User
    old_email: str
    new_email: str
    requested_by: str
    step: str

    def token(self, step: str) -> str:
        return signing.dumps(
            {
                "u": self.user.pk,
                "old": self.old_email,
                "new": self.new_email,
                "by": self.requested_by,
                "s": step,
            },
            salt=EMAIL_CHANGE_SALT,
        )


def email_change_request(*, user: User, new_email: str, requested_by: User) -> EmailChange:
    """Start a change of `user`'s address; the caller mails the approval link to the old address."""
    new_email = get_user_model().objects.normalize_email(new_email.strip())
    if new_email.lower() == (user.email or "").lower():
        raise ValidationError({"email": "This is already the account's e-mail address."})
    if email_in_use(new_email, exclude=user):
        raise ValidationError({"email": EMAIL_IN_USE})
    by = requested_by.get_full_name() or requested_by.get_username()
    # An account without an address has no mailbox to ask: the new address confirms alone.
    step = APPROVE if user.email else CONFIRM
    return EmailChange(user=user, old_email=user.email, new_email=new_email, requested_by=by, step=step)


class EmailChangeLinkInvalid(Exception):
    """The link is forged, expired, used, or made for an address the account no longer has."""


def email_change_read(token: str, step: str) -> EmailChange:
    """The change a link stands for, if it is still valid for that step."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise EmailChangeLinkInvalid(str(error)) from error
    if data.get("s") != step:
        raise EmailChangeLinkInvalid("A link for the other step.")
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("old"):
        raise EmailChangeLinkInvalid("The account's address has changed since the link was sent.")
    return EmailChange(
        user=user, old_email=data["old"], new_email=data["new"], requested_by=data["by"], step=step
    )


def email_change_approve(token: str) -> EmailChange:
    """The old address agrees; the caller mails the confirmation link to the new address."""
    change = email_change_read(token, APPROVE)
    return EmailChange(
        user=change.user,
        old_email=change.old_email,
        new_email=change.new_email,
        requested_by=change.requested_by,
        step=CONFIRM,
    )


@transaction.atomic
def email_change_confirm(token: str) -> EmailChange:
    """The new address receives mail: the change applies (recorded in the user's history)."""
    change = email_change_read(token, CONFIRM)
    user = get_user_model().objects.select_for_update().get(pk=change.user.pk)
    if user.email != change.old_email:
        raise EmailChangeLinkInvalid("The account's address has changed since the link was sent.")
    if email_in_use(change.new_email, exclude=user):
        raise ValidationError(EMAIL_IN_USE)
    user.email = change.new_email
    user.full_clean()
    user.save()
    return change
