"""Drill-down links: from any number on the dashboard to the filtered list behind it.

The lists belong to other apps (progress, contacts); their URL names and querystring filters
are the portal's URL contract.
"""

from __future__ import annotations

from core.links import list_url, querystring, url_for

__all__ = ["list_url", "querystring", "url_for"]

COMMITMENT_LIST = "activities:commitment_list"
UPDATE_LIST = "activities:update_list"
MEETING_LIST = "activities:meeting_list"
EVENT_LIST = "activities:event_list"
CONTACT_LIST = "contacts:list"
