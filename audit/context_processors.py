"""What the navigation and the pages of apps below audit need to know about the audit trail."""

from django.http import HttpRequest

from .permissions import can_read_audit


def audit_nav(request: HttpRequest) -> dict:
    """`can_read_audit` for links to history pages (the contact list's "History"); evaluated
    only when a template asks, so pages that do not ask run no query."""
    user = getattr(request, "user", None)
    return {"can_read_audit": (lambda: user is not None and can_read_audit(user))}
