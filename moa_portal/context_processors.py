"""Template context every page needs: what the navigation may offer the signed-in user."""

from django.conf import settings
from django.http import HttpRequest

from agreements import permissions


def portal_roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_portal_admin": False}
    # The idle warning (static/js/portal.js) counts down from the same limit the middleware keeps.
    return {"is_portal_admin": permissions.is_admin(user), "idle_minutes": settings.SESSION_IDLE_MINUTES}


def official_banner(request: HttpRequest) -> dict:
    """Whether pages carry the ".gov" site banner (PORTAL_OFFICIAL_BANNER)."""
    return {"official_banner": settings.PORTAL_OFFICIAL_BANNER}
