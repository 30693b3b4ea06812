"""Signal receivers of the audit app: sign-in bookkeeping and account events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone

from agreements.signals import SIGN_IN_DETAIL

from .models import AccountEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_last_login_without_history(sender: Any, user: User, **kwargs: Any) -> None:
    """Django's update_last_login, but without saving the whole user (and a history row)."""
    user.last_login = timezone.now()
    get_user_model().objects.filter(pk=user.pk).update(last_login=user.last_login)


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def _record(kind: str, *, username: str, request=None, user=None, by=None, detail: str = "") -> AccountEvent:
    username = (username or "")[:150]
    if user is None and username:
        user = get_user_model().objects.filter(username=username).first()
    event = AccountEvent(
        kind=kind, username=username, user=user, ip_address=_address(request), detail=detail[:200]
    )
    # The one who acted: the account that signed in, the admin who unlocked; nobody for failures.
    # simple-history reads _history_user when it writes the history row.
    history_user = by if by is not None else (user if kind == AccountEvent.Kind.SIGNED_IN else None)
    event._history_user = history_user  # type: ignore[attr-defined]
    event.save()
    return event


def record_signed_in(sender, request=None, user=None, **kwargs) -> None:
    detail = str(getattr(request, SIGN_IN_DETAIL, "") or "")
    _record(
        AccountEvent.Kind.SIGNED_IN, username=user.get_username(), request=request, user=user, detail=detail
    )


def record_sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username") or ""
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # the lockout is recorded by record_locked_out
    _record(AccountEvent.Kind.SIGN_IN_FAILED, username=str(username), request=request)


def record_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    _record(AccountEvent.Kind.LOCKED_OUT, username=str(username or ""), request=request)


def record_unlocked(sender, user=None, by=None, how: str = "", **kwargs) -> None:
    _record(AccountEvent.Kind.UNLOCKED, username=user.get_username(), user=user, by=by, detail=how)


def record_sign_in_throttled(sender, username: str = "", request=None, **kwargs) -> None:
    _record(AccountEvent.Kind.SIGN_IN_THROTTLED, username=username, request=request)


def record_account_event(
    sender, kind: str = "", user=None, username: str = "", request=None, detail: str = "", **kwargs
) -> None:
    """people's second factor and single sign-on events (agreements.signals.account_event)."""
    own_act = kind in (
        AccountEvent.Kind.MFA_ADDED,
        AccountEvent.Kind.MFA_REMOVED,
        AccountEvent.Kind.RECOVERY_RENEWED,
        AccountEvent.Kind.PASSKEY_ADDED,
        AccountEvent.Kind.PASSKEY_REMOVED,
    )
    username = username or (user.get_username() if user else "")
    _record(kind, username=username, request=request, user=user, by=user if own_act else None, detail=detail)
