"""The rendered dashboard, kept until the data under it changes.

Why: the six panels take tens of queries and most of a request's time to compute and render,
and a manager's dashboard is read far more often than the records under it change (issue 8's
benchmark: the dashboard was the slowest page). So the dashboard's body is rendered once and
kept in the cache under a key that names everything it depends on:

- a data version, moved by every save or delete of a record of the agreements, activities or
  contacts apps: at once, and again when the transaction commits. A page computed between
  the two bumps (from the state before the commit) is filed under the first bump and never
  served after the second, so no request is answered from data older than the last commit;
- whose view it is: the viewer's party (a superuser sees every agreement), since the filter
  form lists the agreements the viewer may see; the role check runs before the cache is read;
- the query string (agreement, party, as of) and today's date, which the panels count from.

The cache is only a shortcut: when it cannot be reached the page is computed as if nothing
were kept, and a write that could not move the version still saves. After a failure this
process leaves the cache alone for RETRY_AFTER seconds, so a hung cache server does not make
every page and every save wait for its timeout. Entries expire after PAGE_SECONDS, which
bounds how long a version bump lost to an unreachable cache can matter.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import QueryDict

from agreements.models import today
from agreements.permissions import User, party_of

logger = logging.getLogger(__name__)

#: The apps whose records the dashboard reads; a change to any of them moves the data version.
WATCHED_APPS = frozenset({"agreements", "activities", "contacts"})
VERSION_KEY = "compliance:data-version"
#: How long a rendered dashboard is kept at most, even if nothing changes.
PAGE_SECONDS = 5 * 60
#: Seconds this process leaves the cache alone after it failed to answer.
RETRY_AFTER = 30
_unreachable_until = 0.0


def _usable() -> bool:
    return time.monotonic() >= _unreachable_until


def _failed(consequence: str) -> None:
    global _unreachable_until
    _unreachable_until = time.monotonic() + RETRY_AFTER
    logger.warning("The cache is unreachable: %s", consequence, exc_info=True)


@receiver(setting_changed)
def _cache_settings_changed(setting: str, **kwargs) -> None:
    """Another cache configured (tests do this): try it at once."""
    global _unreachable_until
    if setting == "CACHES":
        _unreachable_until = 0.0


@dataclass(frozen=True)
class RenderedBoard:
    """The dashboard's page body and the little the surrounding page needs to know about it."""

    title: str
    html: str
    has_charts: bool


def data_version() -> int | None:
    """The current data version; None when the cache cannot be reached."""
    if not _usable():
        return None
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # First use, or the cache lost it: start from the clock, above any earlier version.
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:
        _failed("the dashboard is computed afresh.")
        return None


def move_data_version() -> None:
    """Every dashboard kept so far is stale from now on."""
    if not _usable():
        return
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: any new one is above the entries kept so far
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
    except Exception:
        _failed("the dashboard's data version did not move.")


def data_changed() -> None:
    """Move the data version now and again when the current transaction commits."""
    move_data_version()
    transaction.on_commit(move_data_version)


def is_watched(model: type) -> bool:
    """Records of the watched apps, not their audit-history rows (each change has its record's save)."""
    meta = model._meta
    return meta.app_label in WATCHED_APPS and not meta.model_name.startswith("historical")


def board_key(version: int, user: User, query: QueryDict) -> str:
    if user.is_superuser:
        scope = "all"
    else:
        party = party_of(user)
        scope = f"party-{party.pk}" if party else "none"
    params = urlencode(sorted(query.lists()), doseq=True)
    digest = hashlib.sha256(params.encode()).hexdigest()[:32]
    return f"compliance:board:{version}:{scope}:{today().isoformat()}:{digest}"


def board_for(user: User, query: QueryDict, render: Callable[[], RenderedBoard]) -> RenderedBoard:
    """The kept board for this viewer and query if the data has not changed since; else render it."""
    version = data_version()
    if version is None:
        return render()
    key = board_key(version, user, query)
    try:
        board = cache.get(key)
    except Exception:
        _failed("the dashboard is computed afresh.")
        return render()
    if board is None:
        board = render()
        try:
            cache.set(key, board, timeout=PAGE_SECONDS)
        except Exception:
            _failed("the dashboard is not kept.")
    return board
