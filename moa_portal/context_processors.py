"""Template context every page needs: what the navigation may offer the signed-in user."""

from django.http import HttpRequest

from agreements import permissions


def portal_roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_portal_admin": False}
    return {"is_portal_admin": permissions.is_admin(user)}
