"""Who sees the compliance dashboard, its exports and the calendar feed, and who receives the report."""

from __future__ import annotations

from django.db.models import QuerySet

from agreements.models import Agreement
from agreements.permissions import MANAGER, STAFF, User, has_role, visible_agreements


def can_view_dashboard(user: User) -> bool:
    """The compliance dashboard, its exports and report are for managers (and admins)."""
    return has_role(user, MANAGER)


def dashboard_agreements(user: User) -> QuerySet[Agreement]:
    """Agreements a manager may see on the dashboard: those of their own party."""
    if not can_view_dashboard(user):
        return Agreement.objects.none()
    return visible_agreements(user)


def can_have_calendar_feed(user: User) -> bool:
    """Any portal user may subscribe to the calendar of the agreements they can see."""
    return has_role(user, STAFF)


def can_subscribe_report(user: User, agreement: Agreement) -> bool:
    """A manager or admin of one of the agreement's parties (a superuser: any agreement they see)
    may receive its quarterly report by e-mail: whoever may open the report itself.

    Asked again when each report is due, so someone who left the party or lost the role stops
    receiving it without anyone unsubscribing them.
    """
    return can_view_dashboard(user) and dashboard_agreements(user).filter(pk=agreement.pk).exists()
