"""Links to the portal's lists, filtered: the URL names and querystrings are the URL contract.

Any app builds a link to another app's list by name (a URL name is not an import), so a page
lower down can link to a page higher up without depending on it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def url_for(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None)


def querystring(**filters) -> str:
    """`?a=1&b=2` from the filters given, leaving out empty ones, in the order given."""
    pairs = [(key, value) for key, value in filters.items() if value not in (None, "")]
    return "?" + urlencode(pairs) if pairs else ""


def list_url(name: str, **filters) -> str:
    """The list called `name`, filtered: `list_url("activities:commitment_list", status="at_risk")`."""
    return url_for(name) + querystring(**filters)
