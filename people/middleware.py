"""An Admin who signed in by password without a second factor may only add one (people.mfa)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from . import mfa

#: What such a session may still open: adding the app or a passkey, the recovery codes, signing out.
ALLOWED = {
    "accounts:mfa_app",
    "accounts:mfa_passkey_options",
    "accounts:mfa_passkey_add",
    "accounts:mfa_recovery_codes",
    "accounts:mfa",
    "logout",
    "keep_alive",
}


class SecondFactorEnrolmentMiddleware:
    """Only sessions flagged at sign-in (mfa.ENROL_REQUIRED_KEY) pay for a check here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(mfa.ENROL_REQUIRED_KEY):
            if mfa.has_second_factor(user):
                request.session.pop(mfa.ENROL_REQUIRED_KEY, None)
            elif not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                try:
                    name = resolve(request.path_info).view_name
                except Resolver404:
                    name = ""
                if name not in ALLOWED:
                    messages.info(
                        request, "Admins must add an authenticator app or a passkey before using the portal."
                    )
                    return redirect("accounts:mfa_app")
        return self.get_response(request)
