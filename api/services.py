"""Writes of personal access tokens: create (shown once), note the first use, revoke.

Each is an account event in the audit trail (`audit.models.AccountEvent`), beside the
sign-ins: who made a token, when a program first used it, who revoked it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AccountEvent

from .models import MAX_LIFETIME, AccessToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Every token starts so; a secret scanner (and a person) recognises a leaked one.
TOKEN_PREFIX = "moa_"  # noqa: S105  # a marker, not a secret


def token_digest(raw: str) -> str:
    """The SHA-256 of a token, as stored: the token itself is never kept."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: `raw` is shown to its user once and is not kept anywhere."""

    token: AccessToken
    raw: str


def _event(kind: str, *, token: AccessToken, acting_user: User | None, ip_address: str | None = None) -> None:
    event = AccountEvent(
        kind=kind,
        username=token.user.get_username(),
        user=token.user,
        ip_address=ip_address,
        detail=f"{token.name} ({token.prefix}…, {token.get_scope_display().lower()})"[:200],
    )
    event._history_user = acting_user  # type: ignore[attr-defined]  # read by simple-history
    event.save()


@transaction.atomic
def access_token_create(*, acting_user: User, name: str, scope: str, expires_on: datetime.date) -> NewToken:
    """Make a token for the acting user; it works until the end of `expires_on` (within a year)."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Name the token after what will use it, so you recognise it later."
    if scope not in AccessToken.Scope.values:
        errors["scope"] = "Choose read only, or read and write."
    now = timezone.now()
    expires_at = datetime.datetime.combine(
        expires_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    if expires_at <= now:
        errors["expires_on"] = "The expiry day has passed; choose a day from today on."
    elif expires_at > now + MAX_LIFETIME + datetime.timedelta(days=1):
        latest = timezone.localdate(now + MAX_LIFETIME)
        errors["expires_on"] = f"A token lives at most a year; choose a day by {latest:%Y-%m-%d}."
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(
        user=acting_user,
        name=name[:100],
        token_hash=token_digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        scope=scope,
        created_at=now,
        expires_at=expires_at,
    )
    token.full_clean(exclude=["token_hash", "prefix"])
    token.save()
    _event(AccountEvent.Kind.TOKEN_CREATED, token=token, acting_user=acting_user)
    return NewToken(token=token, raw=raw)


@transaction.atomic
def access_token_revoke(*, acting_user: User, token: AccessToken) -> AccessToken:
    """Revoke a token of the acting user's; it is refused from the next request on."""
    if token.user_id != acting_user.pk:
        raise ValidationError("Only the token's owner revokes it.")
    revoked = AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db()
    if revoked:
        _event(AccountEvent.Kind.TOKEN_REVOKED, token=token, acting_user=acting_user)
    return token


def access_token_used(*, token: AccessToken, ip_address: str | None) -> None:
    """Note a request made with the token. The first use is claimed once (a conditional
    update), so two requests at once record one "first used" event, not two."""
    now = timezone.now()
    first = AccessToken.objects.filter(pk=token.pk, first_used_at__isnull=True).update(
        first_used_at=now, last_used_at=now
    )
    if first:
        _event(AccountEvent.Kind.TOKEN_FIRST_USED, token=token, acting_user=token.user, ip_address=ip_address)
        return
    # At most once a minute: a busy script does not write a row per request.
    AccessToken.objects.filter(pk=token.pk, last_used_at__lt=now - datetime.timedelta(minutes=1)).update(
        last_used_at=now
    )
