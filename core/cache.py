"""Values computed from the portal's records, kept in the cache until the records change.

Why: some pages compute much more than they show (the dashboard's six panels, the count of
half a million progress updates behind a list's pager), and are read far more often than the
records under them change. Such a value is kept under a key that names a *data version*,
moved by every save or delete of a record of the apps that registered as watched (each
app's AppConfig.ready calls `watch_app`; their audit-history rows excepted): at once, and again
when the transaction commits. A
request that read the version between the two bumps and then the records as they were before
the commit files its value under the first bump, which no request reads after the second: no
value older than the last commit is ever served. The key also names today's date (values are
as of a day) and whatever the caller says the value depends on (whose view: the scope that
agreements.permissions derives from its visibility rule; the query).

When several requests miss the same value at once (the first ones after a save), one computes
it and the others wait for it (WAIT_SECONDS at most), instead of each spending the CPU on it.

The cache is a shortcut only: when it cannot be reached the value is computed as if nothing
were kept, and a save still goes through. After a failure to read, this process reads nothing
kept for RETRY_AFTER seconds, so a hung cache server does not hold up every page; a save always
tries to move the version (a refused connection fails at once). A move that failed is owed:
this process moves the version before it reads anything kept again. Kept values expire after
KEEP_SECONDS anyway: the bound on staleness if a move was lost while the cache was unreachable.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import QueryDict

from .time import today

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: The apps whose records the kept values are computed from: filled by `watch_app`.
WATCHED_APPS: set[str] = set()
VERSION_KEY = "data-version"
#: How long a value is kept at most, even if nothing changes.
KEEP_SECONDS = 5 * 60
#: Seconds this process leaves the cache alone after it failed to answer.
RETRY_AFTER = 30
#: A value being computed is marked for this long at most (a request that died leaves its mark).
COMPUTING_SECONDS = 30
#: How long a request waits for another that computes the same value, and how often it looks.
WAIT_SECONDS = 5.0
WAIT_STEP = 0.01
_unreachable_until = 0.0
_move_owed = False


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


def data_version() -> int | None:
    """The current data version; None when the cache cannot be reached."""
    if not _usable():
        return None
    if _move_owed:
        move_data_version()
        if _move_owed:
            return None
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # First use, or the cache lost it: start from the clock, above any earlier version.
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:
        _failed("values are computed afresh.")
        return None


def move_data_version() -> None:
    """Every value kept so far is stale from now on."""
    global _move_owed
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: any new one is above the values kept so far
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        _move_owed = False
    except Exception:
        _move_owed = True
        _failed("the data version did not move; it will before anything kept is read.")


def data_changed() -> None:
    """Move the data version now and again when the current transaction commits."""
    move_data_version()
    transaction.on_commit(move_data_version)


def watch_app(app_label: str) -> None:
    """Kept values are computed from this app's records: any change to them moves the version.

    Called from the app's AppConfig.ready, so this module names no app; the first call
    connects the signal receivers (once: dispatch_uid).
    """
    WATCHED_APPS.add(app_label)
    post_save.connect(record_changed, dispatch_uid="data-version-save")
    post_delete.connect(record_changed, dispatch_uid="data-version-delete")
    m2m_changed.connect(relation_changed, dispatch_uid="data-version-m2m")


def is_watched(model: type[Model]) -> bool:
    """Records of the watched apps, not their audit-history rows (each change has its record's save)."""
    meta = model._meta
    return meta.app_label in WATCHED_APPS and not (meta.model_name or "").startswith("historical")


def record_changed(sender: type, **kwargs) -> None:
    """post_save and post_delete of any model: only the watched apps' records count."""
    if is_watched(sender):
        data_changed()


def relation_changed(sender: type, action: str, **kwargs) -> None:
    """m2m_changed: the sender is the link table, which belongs to the app of the relation's owner."""
    if action.startswith("post_") and is_watched(sender):
        data_changed()


def query_key(query: QueryDict, *, ignore: Iterable[str] = ()) -> str:
    """The query string as part of a key: the same filters in any order are the same value."""
    ignored = set(ignore)
    return urlencode(sorted((k, v) for k, v in query.lists() if k not in ignored), doseq=True)


def kept(name: str, depends_on: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()` as of today, kept until the records change; `depends_on` names what else it
    depends on (whose view, the query). Computed afresh when the cache cannot be reached."""
    version = data_version()
    if version is None:
        return compute()
    digest = hashlib.sha256("\x1f".join(depends_on).encode()).hexdigest()[:32]
    key = f"kept:{name}:{version}:{today().isoformat()}:{digest}"
    mark = f"computing:{key}"
    try:
        value = cache.get(key)
        if value is not None:
            return value
        marked = cache.add(mark, 1, timeout=COMPUTING_SECONDS)  # False: another request computes it
    except Exception:
        _failed("values are computed afresh.")
        return compute()
    if not marked:
        value = _computed_by_another(key, mark)
        if value is not None:
            return value
    try:
        value = compute()
    except BaseException:
        if marked:
            _unmark(mark)
        raise
    try:
        cache.set(key, value, timeout=KEEP_SECONDS)
    except Exception:
        _failed("a value is not kept.")
    if marked:
        _unmark(mark)  # after the value is kept: a request waiting for it finds one or the other
    return value


def _unmark(mark: str) -> None:
    try:
        cache.delete(mark)
    except Exception:
        _failed("a computing mark is left to expire.")


def _computed_by_another(key: str, mark: str) -> Any:
    """Wait for the request that is computing the value under `key` (its "computing:" mark is
    set), for at most WAIT_SECONDS; None if it did not finish (or gave up) in that time.

    Why: after a save, the first requests of a busy page all missed the kept value at once and
    each computed it: four of My work's 300 ms party-wide counts on two cores took a second
    each, and the requests queued behind them waited too. Now one computes and the others wait
    for its value, without spending the CPU.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        try:
            found = cache.get_many([key, mark])
        except Exception:
            _failed("values are computed afresh.")
            return None
        if key in found:
            return found[key]
        if mark not in found:  # finished without keeping a value, or failed: compute it here
            return None
    return None
