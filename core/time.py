"""The portal's clock: "today" in its configured time zone, one definition for every app."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """The portal's today, in its configured time zone (America/New_York by default)."""
    return timezone.localdate()
