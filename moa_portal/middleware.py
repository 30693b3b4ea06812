"""Idle session timeout: a user who has made no request for SESSION_IDLE_MINUTES is signed out.

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
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.bounds import has_control_characters

LAST_SEEN_KEY = "moa_last_seen"
#: Seconds: the last activity is written to the session (and so saved) at most this often.
LAST_SEEN_RESOLUTION = 60


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.SESSION_IDLE_MINUTES * 60
            if last_seen is not None and now - last_seen > idle_limit:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity. "
                    "Please sign in again.",
                )
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # After the view, so the request that signs in starts the clock too.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
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
