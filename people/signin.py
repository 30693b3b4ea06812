"""Brakes on sign-in and password-reset abuse, beside django-axes' per-account lockout.

django-axes locks a username *from one address* after AXES_FAILURE_LIMIT failures
(AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]): an attacker elsewhere cannot lock
anyone out, however often they try. What that alone does not stop is password spraying (one or
two guesses at each of many accounts from one address), so each address also has a budget of
failed sign-ins across all accounts (SIGN_IN_ADDRESS_FAILURE_LIMIT per
SIGN_IN_ADDRESS_WINDOW_MINUTES): past it, sign-ins from that address are refused unread until
the window ends. Password-reset requests have budgets per address and per account; a request
over budget gets the same neutral "if the address is known, a link was sent" page and no mail.
docs/security.md gives the reasoning and the numbers.

The counters live in the cache (Redis in every deployment that has it); without a shared cache
(the SQLite first look) they count nothing, and axes' lockout is the only brake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.http import HttpRequest

from agreements.signals import account_unlocked


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as axes and the budgets here count it (AXES_CLIENT_IP_CALLABLE).

    Behind TRUSTED_PROXY_COUNT proxies (nginx: 1), the address is the one the outermost trusted
    proxy saw, read from X-Forwarded-For counting from the right (each proxy appends the
    address it received the request from). Entries further left are the client's own claim
    and are never trusted. With no proxy (0), REMOTE_ADDR, and X-Forwarded-For is ignored, so
    a client cannot dodge its budget by sending one.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


def client_address(request: HttpRequest | None) -> str:
    """The address axes locks by (the same proxy settings), or "unknown"."""
    return (get_client_ip_address(request) if request is not None else None) or "unknown"


def _count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def _hit(key: str, window_seconds: int) -> int:
    """Add one to a counter that starts its window at the first hit; returns the new count."""
    try:
        cache.add(key, 0, timeout=window_seconds)
        return int(cache.incr(key))
    except ValueError:  # no shared cache (DummyCache), or the key expired between the two calls
        return 0


def _address_key(address: str) -> str:
    return f"signin:failures:address:{address}"


def sign_in_address_throttled(request: HttpRequest) -> bool:
    """Whether this address has used up its failed sign-ins for the window."""
    return _count(_address_key(client_address(request))) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT


def sign_in_failed_from(request: HttpRequest) -> None:
    _hit(_address_key(client_address(request)), settings.SIGN_IN_ADDRESS_WINDOW_MINUTES * 60)


def forget_address_counters(address: str) -> None:
    """Clear an address's sign-in and reset budgets (tests; an operator after a false alarm)."""
    cache.delete_many([_address_key(address), _reset_address_key(address)])


def forget_all_counters() -> int:
    """Clear every sign-in and reset budget (a test run's start; an operator after an incident).

    Django's cache API cannot list keys, so this asks Redis itself; without Redis there is
    nothing kept to clear. Returns how many counters were cleared.
    """
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return 0
    client = backend.get_client(write=True)
    keys = [
        key
        for pattern in ("signin:failures:*", "reset:*")
        for key in client.scan_iter(match=cache.make_key(pattern))
    ]
    return client.delete(*keys) if keys else 0


def _reset_address_key(address: str) -> str:
    return f"reset:address:{address}"


def unlock(user, *, by=None, how: str) -> int:
    """Lift the account's lockout from every address; returns how many records were cleared."""
    cleared = axes_reset(username=user.get_username())
    account_unlocked.send(sender=unlock, user=user, by=by, how=how)
    return cleared


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset request, mailing nothing once the address or the account is over budget."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        request: HttpRequest | None = kwargs.get("request")
        window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
        spent = _hit(_reset_address_key(client_address(request)), window)
        if spent > settings.PASSWORD_RESET_ADDRESS_LIMIT:
            return None
        return super().save(*args, **kwargs)

    def get_users(self, email: str) -> Iterator:
        window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
        for user in super().get_users(email):
            if _hit(f"reset:account:{user.pk}", window) <= settings.PASSWORD_RESET_ACCOUNT_LIMIT:
                yield user


class UnlockingSetPasswordForm(SetPasswordForm):
    """The new password chosen from a reset link; proving the mailbox also lifts the lockout."""

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            unlock(user, how="by a completed password reset")
        return user
