"""Drill-down links: from any number on the dashboard to the filtered list behind it.

The lists belong to other apps (progress, contacts); their URL names and querystring filters
are the portal's URL contract.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

ITEM_LIST = "activities:item_list"
UPDATE_LIST = "activities:update_list"
MEETING_LIST = "activities:meeting_list"
EVENT_LIST = "activities:event_list"
CONTACT_LIST = "contacts:list"


def url_for(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None)


def querystring(**filters) -> str:
    """`?a=1&b=2` from the filters given, leaving out empty ones, in the order given."""
    pairs = [(key, value) for key, value in filters.items() if value not in (None, "")]
    return "?" + urlencode(pairs) if pairs else ""


def list_url(name: str, **filters) -> str:
    """The list called `name`, filtered: `list_url(ITEM_LIST, agreement="x", status="at_risk")`."""
    return url_for(name) + querystring(**filters)
