"""The rendered dashboard, kept until the records under it change (agreements/data_cache.py).

Why: the six panels take 16 queries and most of a request's time to compute and render, and a
manager's dashboard is read far more often than the records under it change (issue 8's
benchmark: the dashboard was the slowest page). The body is kept per viewer's party (the
filter form lists the agreements the viewer may see), query string and day; the role check
runs before anything kept is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from agreements import data_cache
from agreements.permissions import User


@dataclass(frozen=True)
class RenderedBoard:
    """The dashboard's page body and the little the surrounding page needs to know about it."""

    title: str
    html: str
    has_charts: bool


def board_for(user: User, query: QueryDict, render: Callable[[], RenderedBoard]) -> RenderedBoard:
    """The kept board for this viewer and query if the records have not changed since; else render it."""
    params = urlencode(sorted(query.lists()), doseq=True)
    return data_cache.kept("dashboard", [data_cache.viewer_scope(user), params], render)
