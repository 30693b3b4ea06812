"""The portal's clock: "today" in its configured time zone, one definition for every app."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def today() -> datetime.date:
    """The portal's today, in its configured time zone (America/New_York by default)."""
    return timezone.localdate()


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def duration_in_words(duration: datetime.timedelta) -> str:
    """A duration as people say it: "30 minutes", "1 hour 30 minutes", "2 days", not "0:30:00".

    Whole units down to the minute (a duration under a minute is "less than a minute")."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [_count(n, unit) for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n]
    return " ".join(parts)


def long_date(day: datetime.date | None) -> str:
    """A day as people read it, in the portal's one format: "December 1, 2026" (core/formats).

    A moment is read on the portal's clock (the day it was there); no day at all is ""."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return date_format(day, "DATE_FORMAT")
