"""Calendar quarters, for filters and reports by quarter, and the portal's local date of a moment.

What an obligation owes per period is activities.periods (any cadence, from the agreement).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1–4

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> datetime.date:
        """The last day of the quarter (inclusive)."""
        return self.next().starts_on - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()
