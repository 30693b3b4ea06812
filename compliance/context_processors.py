"""What the navigation needs to know about the compliance pages for the signed-in user."""

from django.http import HttpRequest

from .permissions import can_view_dashboard


def compliance_nav(request: HttpRequest) -> dict:
    """`can_view_dashboard` for the menu; evaluated only when a template asks (no query otherwise)."""
    user = getattr(request, "user", None)
    return {"can_view_dashboard": (lambda: user is not None and can_view_dashboard(user))}
