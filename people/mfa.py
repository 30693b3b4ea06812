"""The second factor of a local sign-in: an authenticator app (TOTP), passkeys and security keys
(WebAuthn, people.passkeys) and one-time recovery codes.

Built on django-otp's TOTP and static devices rather than django-allauth's MFA: allauth's MFA
sits on allauth's own sign-in flow (its LoginView, forms, adapter and some forty URLs), and the
portal's sign-in is Django's LoginView with the address budget, django-axes' lockout and the
idle and absolute session limits wired around it. django-otp gives the devices, the codes'
checks (a code is never accepted twice: `last_t`) and a growing delay after each wrong code,
and leaves the flow to us: after a right password, an account with an app is asked for a code
before `login()` is called (moa_portal.accounts.SignInView, people.account_views.mfa_verify_view).

Passkeys are django-otp devices too, from django-otp-webauthn rather than a model of our own on
bare py_webauthn: its device model (public key, sign count, user handle, attestation) and its
helper around py_webauthn (the checks of challenge, origin, signature and sign count) are kept up
by others and fit as they are. Its views do not: they finish a ceremony on a user already signed
in by `login()`, the portal's second step comes before it (people.passkeys has its own two-step
ceremonies). Any one factor answers the second step: the app's code, a recovery code, a passkey.
Recovery codes come with an account's first factor.

Admins must have one (PORTAL_MFA_REQUIRED_FOR_ADMINS): an Admin who signs in with a password and
has none is signed in only to the pages that add one (people.middleware), and cannot remove
their last one. Sign-ins through single sign-on rely on the identity provider's MFA (people.sso
records its `amr`/`acr`).
"""

from __future__ import annotations

import time
from base64 import b32encode
from dataclasses import dataclass, replace
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential

from agreements import permissions
from agreements.signals import account_event

from .models import CODE_LENGTH, RecoveryCode, RecoveryCodeDevice, hash_code, new_code, normalise

APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
#: The lengths a recovery code may have: today's, and the 8 of django-otp's codes made before
#: the codes were hashed (people migration 0002 kept them working).
RECOVERY_CODE_LENGTHS = (CODE_LENGTH, 8)
#: The session key of a sign-in that gave the right password and still owes a code.
PENDING_KEY = "moa_mfa_pending"
#: The session key set when an Admin without a second factor signed in by password.
ENROL_REQUIRED_KEY = "moa_mfa_enrolment_required"
#: Seconds a pending sign-in waits for its code before the password must be given again.
PENDING_SECONDS = 300
#: Wrong codes in one pending sign-in before the password must be given again.
PENDING_ATTEMPTS = 5


def confirmed_app(user: Any) -> TOTPDevice | None:
    """The user's authenticator app, once a code from it has confirmed it."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_passkey(user: Any) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user: Any) -> bool:
    """An authenticator app or a passkey (recovery codes alone are no factor: they back one up)."""
    return confirmed_app(user) is not None or has_passkey(user)


def second_factor_required(user: Any) -> bool:
    """Whether this user must add a second factor before using the portal (Admins)."""
    return settings.PORTAL_MFA_REQUIRED_FOR_ADMINS and permissions.is_admin(user)


def would_leave_no_factor(user: Any, *, app: bool = False, passkey_id: int | None = None) -> bool:
    """Whether removing the app (`app`) or this passkey would leave someone who must have a
    second factor with none."""
    if not second_factor_required(user):
        return False
    app_left = not app and confirmed_app(user) is not None
    passkeys_left = WebAuthnCredential.objects.filter(user=user, confirmed=True).exclude(pk=passkey_id)
    return not (app_left or passkeys_left.exists())


# --- proof of a current factor ----------------------------------------------------------------
#
# A signed-in session alone (a borrowed desk, a stolen cookie) must not add a passkey, remove one
# or renew the recovery codes: a passkey added by whoever holds the cookie would sign them in for
# as long as they like. So these ask for one current factor first: the app's code when the
# account has an app (as replacing or removing the app does), the password when it has only
# passkeys (proving a passkey would need a ceremony of its own before the one that adds one).
# An account with no second factor yet is asked nothing: its password alone signs in, so a stolen
# session is already the whole account, and its first factor comes right after a password
# sign-in (an Admin held at enrolment, people.middleware) just as the app's first enrolment does.
# A wrong code counts against the app's growing delay (django-otp's throttle), a wrong password
# against django-axes' lockout (it goes through authenticate(), as at sign-in).

PROOF_CODE = "code"
PROOF_PASSWORD = "password"  # noqa: S105 (the name of a form field)


def proof_asked(user: Any) -> str:
    """What proves a current factor for this user: PROOF_CODE (an app is set), PROOF_PASSWORD
    (only passkeys), or "" (no second factor yet: nothing to protect beyond the password)."""
    if confirmed_app(user) is not None:
        return PROOF_CODE
    if has_passkey(user):
        return PROOF_PASSWORD
    return ""


def current_factor_proven(*, request: HttpRequest, user: Any, code: str = "", password: str = "") -> bool:
    """Whether the code or password given proves the factor `proof_asked` asks for. Only the one
    asked for is read; a wrong one is counted (the app's throttle, axes' lockout), an empty one
    is simply not a proof."""
    asked = proof_asked(user)
    if asked == PROOF_CODE:
        app = confirmed_app(user)
        code = code.strip().replace(" ", "")
        return app is not None and bool(code) and app.verify_token(code)
    if asked == PROOF_PASSWORD:
        if not password:
            return False
        proven = authenticate(request, username=user.get_username(), password=password)
        return proven is not None and proven.pk == user.pk
    return True


SECRET_SALT = "people.mfa.new-app-secret"  # noqa: S105 (a signing salt, not a secret)
#: Seconds the page that adds an app may stay open before its secret is refused.
SECRET_MAX_AGE = 3600


@dataclass(frozen=True)
class NewApp:
    """A secret offered to a user's app, not yet saved: the page carries it (signed) to the POST
    that confirms it, so opening the page writes nothing and an abandoned page leaves nothing."""

    key_hex: str
    signed: str
    base32: str
    qr_svg: str


def new_app_offer(*, user: Any, key_hex: str = "") -> NewApp:
    """A new secret for the user's app (or the one given), signed for the page to carry."""
    key_hex = key_hex or default_key()
    device = TOTPDevice(user=user, key=key_hex, name=APP_NAME)
    return NewApp(
        key_hex=key_hex,
        signed=signing.dumps({"key": key_hex, "user": user.pk}, salt=SECRET_SALT),
        base32=b32encode(device.bin_key).decode(),
        # The otpauth:// address as an SVG QR code, to scan with the app (inline, no script).
        qr_svg=segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code of the secret"),
    )


def app_offer_again(*, user: Any, signed: str) -> NewApp | None:
    """The same offer again (a wrong code: the app already holds this secret), if still valid."""
    key_hex = _offered_key(user=user, signed=signed)
    if key_hex is None:
        return None
    return replace(new_app_offer(user=user, key_hex=key_hex), signed=signed)


def _offered_key(*, user: Any, signed: str) -> str | None:
    try:
        data = signing.loads(signed, salt=SECRET_SALT, max_age=SECRET_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    key = data.get("key")
    return key if isinstance(key, str) else None


def new_recovery_codes(user: Any) -> list[str]:
    """A new set of codes (the old set, used or not, goes); only their hashes are kept, the codes
    are returned to be shown once."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, code_hash=hash_code(c)) for c in codes])
    return codes


@dataclass(frozen=True)
class Enrolled:
    """An app confirmed, with the recovery codes to show once."""

    recovery_codes: list[str]


@transaction.atomic
def app_add(
    *, acting_user: Any, secret: str, code: str, request: HttpRequest | None = None
) -> Enrolled | None:
    """Save the app the user was offered once a code from it proves it holds the secret; returns
    the new recovery codes, or None if the secret or the code is wrong. Any earlier app goes."""
    key_hex = _offered_key(user=acting_user, signed=secret)
    code = code.strip().replace(" ", "")
    if key_hex is None or not code.isdigit():
        return None
    device = TOTPDevice(user=acting_user, key=key_hex, name=APP_NAME, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(code), tolerance=device.tolerance):
        return None
    device.last_t = totp.t()  # the code just used is never accepted again
    TOTPDevice.objects.filter(user=acting_user).delete()
    device.save()
    codes = new_recovery_codes(acting_user)
    account_event.send(sender=app_add, kind="mfa_added", user=acting_user, request=request)
    return Enrolled(recovery_codes=codes)


@transaction.atomic
def recovery_codes_renew(*, acting_user: Any, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = new_recovery_codes(acting_user)
    account_event.send(
        sender=recovery_codes_renew, kind="recovery_renewed", user=acting_user, request=request
    )
    return codes


@transaction.atomic
def second_factor_remove(*, acting_user: Any, request: HttpRequest | None = None) -> None:
    """Remove the app, and the recovery codes unless a passkey is left: without either, a
    password alone signs in again (if allowed)."""
    TOTPDevice.objects.filter(user=acting_user).delete()
    if not has_passkey(acting_user):
        RecoveryCodeDevice.objects.filter(user=acting_user).delete()
    account_event.send(sender=second_factor_remove, kind="mfa_removed", user=acting_user, request=request)


def code_matches(*, user: Any, code: str, request: HttpRequest | None = None) -> str | None:
    """Check a sign-in code: the app's current code, or one unused recovery code (used up by
    this). Returns how the user proved it ("authenticator app", "recovery code") or None.
    Each device slows down after wrong codes (django-otp's throttle)."""
    code = code.strip().replace(" ", "").replace("-", "")
    if not code or len(code) > 32:
        return None
    app = confirmed_app(user)
    if app is not None and code.isdigit() and app.verify_token(code):
        return "authenticator app"
    # Only something shaped like a recovery code is compared with the hashes (each comparison
    # costs a PBKDF2 round; a mistyped app code is not one, and does not slow the codes down).
    if len(normalise(code)) not in RECOVERY_CODE_LENGTHS:
        return None
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code):
        account_event.send(
            sender=code_matches,
            kind="recovery_code_used",
            user=user,
            request=request,
            detail=f"{recovery.codes_left()} left",
        )
        return "recovery code"
    return None


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(
        device__user=user, device__confirmed=True, used_at__isnull=True
    ).count()


# --- the pending sign-in: password given, code owed ------------------------------------------


def pending_start(request: HttpRequest, *, user: AbstractBaseUser, redirect_to: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "next": redirect_to,
        "at": time.time(),
        "attempts": 0,
    }


def pending(request: HttpRequest) -> dict | None:
    """The pending sign-in, if there is one and it is still fresh."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


def pending_failed(request: HttpRequest, data: dict) -> bool:
    """Count a wrong code; returns True when the pending sign-in is used up."""
    data["attempts"] = int(data.get("attempts", 0)) + 1
    if data["attempts"] >= PENDING_ATTEMPTS:
        request.session.pop(PENDING_KEY, None)
        return True
    request.session[PENDING_KEY] = data
    return False
