"""Session lifetime and the response headers every page carries.

Idle session timeout: a user who has made no request for SESSION_IDLE_MINUTES is signed out,
and every session ends SESSION_ABSOLUTE_HOURS after its sign-in however active it is (a
stolen session cookie, or a browser left signed in on a shared desk, does not live for ever).

The session store expires idle sessions too (SESSION_COOKIE_AGE after the session was last
saved); this middleware makes the rule explicit, independent of the session backend, and tells
the user why they are back at the sign-in page.

The last activity is recorded to the minute (LAST_SEEN_RESOLUTION): writing it on every
request would save the session, an UPDATE, on every page view, which the benchmark showed
to be a large share of a light page's cost. A user is therefore signed out between
SESSION_IDLE_MINUTES - 1 and SESSION_IDLE_MINUTES after their last request, never later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from api.middleware import API_PATH_PREFIX
from core.bounds import has_control_characters

LAST_SEEN_KEY = "moa_last_seen"
#: When the session signed in (seconds since the epoch): the absolute lifetime counts from it.
SIGNED_IN_KEY = "moa_signed_in_at"
#: Seconds: the last activity is written to the session (and so saved) at most this often.
LAST_SEEN_RESOLUTION = 60
#: Set on the request by a sign-in (user_logged_in), so the lifetime restarts even when the same
#: user signs in again in the same session (login() then keeps the session as it is).
SIGNED_IN_FLAG = "_moa_signed_in"


def _mark_sign_in(sender, request: HttpRequest | None = None, **kwargs) -> None:
    if request is not None:
        setattr(request, SIGNED_IN_FLAG, True)


user_logged_in.connect(_mark_sign_in, dispatch_uid="moa_portal.middleware.mark_sign_in")


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN_KEY)
            signed_in_at = request.session.get(SIGNED_IN_KEY)
            idle_limit = settings.SESSION_IDLE_MINUTES * 60
            absolute_limit = settings.SESSION_ABSOLUTE_HOURS * 3600
            if last_seen is not None and now - last_seen > idle_limit:
                return self._sign_out(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity. "
                    "Please sign in again.",
                )
            if signed_in_at is not None and now - signed_in_at > absolute_limit:
                return self._sign_out(
                    request,
                    f"You were signed out because a session lasts at most {settings.SESSION_ABSOLUTE_HOURS} "
                    "hours. Please sign in again.",
                )
        response = self.get_response(request)
        # After the view, so the request that signs in starts the clocks too.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
            # This request signed in (or the session predates the rule): the lifetime starts now.
            if getattr(request, SIGNED_IN_FLAG, False) or SIGNED_IN_KEY not in request.session:
                request.session[SIGNED_IN_KEY] = now
        return response

    @staticmethod
    def _sign_out(request: HttpRequest, why: str) -> HttpResponse:
        logout(request)
        messages.info(request, why)
        return redirect_to_login(request.get_full_path())


#: The methods the portal's pages answer; TRACE, PUT, DELETE, OPTIONS and the rest get 405.
ALLOWED_METHODS = ("GET", "HEAD", "POST")
#: The REST API (api/, under API_PATH_PREFIX) also changes records with PUT and PATCH.
API_METHODS = (*ALLOWED_METHODS, "PUT", "PATCH")

#: Browser features no page of the portal uses: switched off for the page and any frame.
NO_PAGE_USES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
#: Passkeys (WebAuthn, people/passkeys.py) for the portal's own pages only, never a frame from
#: elsewhere; the rest off.
PERMISSIONS_POLICY = ", ".join(
    [
        *(f"{feature}=(self)" for feature in ("publickey-credentials-create", "publickey-credentials-get")),
        *(f"{feature}=()" for feature in NO_PAGE_USES),
    ]
)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class SecurityHeadersMiddleware:
    """Refuse methods no page answers and bodies over REQUEST_MAX_BYTES (413, unread), and mark
    every response not to be stored or cached.

    It sits after WhiteNoise, so static files (fingerprinted, public) keep their long cache
    headers; everything that reaches a view is the portal's records or a form carrying a CSRF
    token, so `Cache-Control: no-store` goes on all of it: pages, downloads, exports and the
    calendar feed. A shared computer's browser cache, or a proxy, then keeps no copy of
    another agency's records after the user signs out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        allowed = API_METHODS if request.path.startswith(API_PATH_PREFIX) else ALLOWED_METHODS
        if request.method not in allowed:
            response: HttpResponse = HttpResponseNotAllowed(allowed)
        elif _declared_length(request) > settings.REQUEST_MAX_BYTES:
            # Refused before anything reads the body: a 200 MB upload costs the header only.
            response = HttpResponse(
                "The upload is too large: a form may send at most "
                f"{filesizeformat(settings.REQUEST_MAX_BYTES)} at once. Go back and attach fewer or "
                "smaller files.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            response["Connection"] = "close"
        else:
            response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


class RefuseControlCharactersMiddleware:
    """A request whose path, query string or form text holds NUL or another control character
    is refused with a plain 400 page before any view sees it.

    No one types these; they come from scripts and fuzzers, and a NUL in a query reached the
    database (PostgreSQL refuses NUL in text) as a 500 on ten pages. Tabs and newlines in a
    textarea are fine. Uploaded files are not text and are not looked at here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            return render(
                request,
                "400.html",
                {"reason": "The address or the form held a control character (such as NUL)."},
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if has_control_characters(request.path):
            return True
        for key, values in request.GET.lists():
            if has_control_characters(key) or any(has_control_characters(v) for v in values):
                return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                if has_control_characters(key) or any(has_control_characters(v) for v in values):
                    return True
        return False
