"""Links to the portal's lists, filtered: the URL names and querystrings are the URL contract.

Any app builds a link to another app's list by name (a URL name is not an import), so a page
lower down can link to a page higher up without depending on it.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def url_for(name: str, **kwargs) -> str:
    if kwargs:
        return reverse(name, kwargs=kwargs)
    return _path_of(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _path_of(name: str, script_prefix: str, urlconf: str) -> str:
    """A list's path, which only the URL patterns and the script prefix decide: the dashboard
    links 165 filtered lists, and reversing each name afresh was 10-15 ms of computing it."""
    return reverse(name, urlconf=urlconf)


def querystring(**filters) -> str:
    """`?a=1&b=2` from the filters given, leaving out empty ones, in the order given."""
    pairs = [(key, value) for key, value in filters.items() if value not in (None, "")]
    return "?" + urlencode(pairs) if pairs else ""


def list_url(name: str, **filters) -> str:
    """The list called `name`, filtered: `list_url("activities:commitment_list", status="at_risk")`."""
    return url_for(name) + querystring(**filters)
