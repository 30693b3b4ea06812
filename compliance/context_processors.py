"""What the navigation needs to know about the compliance pages for the signed-in user."""

from django.http import HttpRequest

from .links import dashboard_return_url
from .permissions import can_view_dashboard


def compliance_nav(request: HttpRequest) -> dict:
    """`can_view_dashboard` for the menu and `dashboard_return_url` for the lists' "Back to the
    dashboard"; each evaluated only when a template asks (no query otherwise)."""
    user = getattr(request, "user", None)

    def back() -> str | None:
        session = getattr(request, "session", None)
        if session is None or user is None or not can_view_dashboard(user):
            return None
        return dashboard_return_url(session)

    return {
        "can_view_dashboard": (lambda: user is not None and can_view_dashboard(user)),
        "dashboard_return_url": back,
    }
