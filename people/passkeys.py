"""Passkeys and security keys (WebAuthn) as a second factor, beside the authenticator app.

Built on django-otp-webauthn: its `WebAuthnCredential` is a django-otp device (a name, the
credential's public key, its sign count, the account's random user handle) and its
`WebAuthnHelper` wraps py_webauthn, which builds the options and checks every answer (the
challenge, the origin, the relying party, the signature, the sign count). Both are used as they
are. Its views, URLs and script are not: they finish a ceremony with django-otp's `otp_login`
on a user already signed in by `login()` (or sign in without a password), while the portal asks
for the second factor *before* `login()` (people.mfa's pending sign-in, with its attempt budget
and the address's); its script reads its configuration from an inline block and a JavaScript
catalogue the portal's policy does not serve. So the two ceremonies here are the portal's own,
in two steps each: a POST (static/js/passkey.js) asks for the options, whose challenge is kept
in this session only; the form post that answers takes the challenge out (used once, right or
wrong) and the helper checks the answer against it. A refusal is a `PasskeyRefused` with a plain
message, logged and, at sign-in, on the audit trail; never an error page.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.settings import app_settings

from agreements.signals import account_event

from . import mfa
from .models import RecoveryCodeDevice

logger = logging.getLogger(__name__)

#: The session keys of a ceremony under way: its challenge, the account it is for, when it began.
REGISTRATION_KEY = "moa_passkey_registration"
SIGN_IN_KEY = "moa_passkey_sign_in"
#: The longest answer a browser sends (a credential id is at most 1023 bytes; an attestation
#: with a certificate chain a few kilobytes).
MAX_ANSWER_CHARS = 20_000
NAME_MAX_LENGTH = 64  # django-otp's Device.name


# _REFUSE_ANY: the ceremonies catch every exception of the check. The answer is the browser's,
# parsed by py_webauthn, cbor2, cryptography and pyOpenSSL, which raise their own kinds
# (WebAuthnException, the library's API errors, CBOR decoding errors, ValueError, KeyError,
# InvalidSignature, an IntegrityError for a credential already registered…) for what a hostile
# client can send. Each is a refusal, logged with its kind; never a 500.


class PasskeyRefused(Exception):
    """A passkey answer the portal does not accept; the message is for the user."""


@dataclass(frozen=True)
class Added:
    """A passkey registered, with new recovery codes to show once if the account had none."""

    passkey: WebAuthnCredential
    recovery_codes: list[str]


def passkeys_of(user: Any) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def _helper(request: HttpRequest) -> Any:
    return WebAuthnCredential.get_webauthn_helper(request=request)


def _keep(request: HttpRequest, key: str, *, user: Any, state: dict) -> None:
    request.session[key] = {**state, "user": user.pk, "at": time.time()}


def _take(request: HttpRequest, key: str, *, user: Any) -> dict:
    """The ceremony's state, taken out of the session: a challenge answers once."""
    state = request.session.pop(key, None)
    if (
        not isinstance(state, dict)
        or state.get("user") != user.pk
        or time.time() - float(state.get("at", 0)) > app_settings.OTP_WEBAUTHN_TIMEOUT_SECONDS
        or not isinstance(state.get("challenge"), str)
    ):
        raise PasskeyRefused("That request has expired or was already used. Please try again.")
    return state


def _answer(credential: str) -> dict:
    """The browser's answer as a JSON object, or a refusal."""
    if not credential or len(credential) > MAX_ANSWER_CHARS:
        raise PasskeyRefused("Your browser sent no usable answer from the passkey. Please try again.")
    try:
        data = json.loads(credential)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise PasskeyRefused("Your browser sent no usable answer from the passkey. Please try again.")
    return data


def registration_options(request: HttpRequest, *, user: Any) -> dict:
    """The options for the browser to create a passkey for this user (its other passkeys
    excluded); the challenge is kept in the session for `passkey_add`."""
    options, state = _helper(request).register_begin(user)
    _keep(request, REGISTRATION_KEY, user=user, state=state)
    return options


@transaction.atomic
def passkey_add(*, request: HttpRequest, acting_user: Any, name: str, credential: str) -> Added:
    """Register the passkey the browser created for the challenge this session was given.

    The first second factor of an account also gets recovery codes (shown once), for the day
    the passkey is lost; an account that has them keeps them."""
    state = _take(request, REGISTRATION_KEY, user=acting_user)
    data = _answer(credential)
    try:
        with transaction.atomic():  # a refused answer (a credential already known) saves nothing
            passkey = _helper(request).register_complete(acting_user, state, data)
    except Exception as error:  # any of them: see _REFUSE_ANY
        logger.warning("Passkey registration refused for %s: %r", acting_user.get_username(), error)
        raise PasskeyRefused("The passkey could not be added: its answer did not check out.") from error
    passkey.name = name.strip()[:NAME_MAX_LENGTH] or "Passkey"
    passkey.save(update_fields=["name"])
    codes = []
    if not RecoveryCodeDevice.objects.filter(user=acting_user).exists():
        codes = mfa.new_recovery_codes(acting_user)
    account_event.send(
        sender=passkey_add, kind="passkey_added", user=acting_user, request=request, detail=passkey.name
    )
    return Added(passkey=passkey, recovery_codes=codes)


@transaction.atomic
def passkey_remove(*, request: HttpRequest | None, acting_user: Any, passkey: WebAuthnCredential) -> None:
    """Remove one of the user's passkeys; refused if it is the last second factor of someone who
    must have one. With no second factor left, the recovery codes go too."""
    if mfa.would_leave_no_factor(acting_user, passkey_id=passkey.pk):
        raise PasskeyRefused(
            "Admins must keep a second factor: add another passkey or an authenticator app first."
        )
    name = passkey.name
    passkey.delete()
    if not mfa.has_second_factor(acting_user):
        RecoveryCodeDevice.objects.filter(user=acting_user).delete()
    account_event.send(
        sender=passkey_remove, kind="passkey_removed", user=acting_user, request=request, detail=name
    )


def sign_in_options(request: HttpRequest, *, user: Any) -> dict:
    """The options for the browser to sign with one of this user's passkeys; the challenge is
    kept in the session for `passkey_matches`."""
    options, state = _helper(request).authenticate_begin(user=user, require_user_verification=False)
    _keep(request, SIGN_IN_KEY, user=user, state=state)
    return options


def passkey_matches(*, request: HttpRequest, user: Any, credential: str) -> WebAuthnCredential:
    """Check a sign-in answer: signed by one of this user's passkeys over the challenge this
    session was given, for this portal, with a sign count above the last one seen (a count that
    does not grow betrays a copied key; passkeys that count nothing send 0 each time). The
    passkey's first use goes on the audit trail."""
    state = _take(request, SIGN_IN_KEY, user=user)
    data = _answer(credential)
    known = WebAuthnCredential.objects.filter(user=user, confirmed=True)
    first_use = set(known.filter(last_used_at__isnull=True).values_list("pk", flat=True))
    try:
        with transaction.atomic():
            passkey = _helper(request).authenticate_complete(user, state, data)
    except Exception as error:  # any of them: see _REFUSE_ANY
        logger.warning("Passkey sign-in refused for %s: %r", user.get_username(), error)
        raise PasskeyRefused(
            "That passkey was not accepted. Use a passkey you added to this account, or a code."
        ) from error
    if passkey.pk in first_use:
        account_event.send(
            sender=passkey_matches,
            kind="passkey_first_used",
            user=user,
            request=request,
            detail=passkey.name,
        )
    return passkey
