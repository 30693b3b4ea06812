"""Drill-down links: from any number on the dashboard to the filtered list behind it.

The lists belong to other apps (progress, contacts); their URL names and querystring filters
are the portal's URL contract.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

from core.links import list_url, querystring, url_for

__all__ = ["dashboard_return_url", "list_url", "querystring", "remember_dashboard", "url_for"]

COMMITMENT_LIST = "activities:commitment_list"
UPDATE_LIST = "activities:update_list"
MEETING_LIST = "activities:meeting_list"
EVENT_LIST = "activities:event_list"
CONTACT_LIST = "contacts:list"


# The way back: the lists a manager drills into from the dashboard offer "Back to the dashboard"
# with the dashboard's filters (agreement, party, as-of day) as they were last shown. Kept in the
# session, not the lists' URLs, so sorting and filtering a list never loses it.
DASHBOARD_QUERY = "compliance_dashboard_query"


def remember_dashboard(session: SessionBase, query: str) -> None:
    """Keep the querystring of the dashboard the user is looking at (written only when it changes)."""
    if session.get(DASHBOARD_QUERY) != query:
        session[DASHBOARD_QUERY] = query


def dashboard_return_url(session: SessionBase) -> str | None:
    """The dashboard as the user last saw it, or None if they have not opened it this session."""
    query = session.get(DASHBOARD_QUERY)
    if query is None:
        return None
    return reverse("compliance:dashboard") + (f"?{query}" if query else "")
