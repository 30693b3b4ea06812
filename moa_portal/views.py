"""Pages of the portal itself that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compliance.permissions import can_view_dashboard


@never_cache
@require_safe
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": a signed-in request like any other, so the idle clock starts again
    (IdleSessionTimeoutMiddleware); anonymous callers are sent to sign in by the login rule."""
    return HttpResponse(status=204)


@require_safe
def landing(request: HttpRequest) -> HttpResponseRedirect:
    """Where `/` (and signing in) takes each role: managers and admins read whether the
    commitments are kept, so they land on the dashboard; staff report on them, so they land on
    My work. Both pages link to each other, and both stay in the menu."""
    return redirect("compliance:dashboard" if can_view_dashboard(request.user) else "my_work")
