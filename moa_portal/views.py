"""Pages of the portal itself that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": a signed-in request like any other, so the idle clock starts again
    (IdleSessionTimeoutMiddleware); anonymous callers are sent to sign in by the login rule."""
    return HttpResponse(status=204)
