"""Calendar quarters of an agreement's term and whether each had its quarterly meeting (VI.5).

A quarter is *held* when a quarterly meeting that was not cancelled, took place in it (by
the portal's local date) on or before the as-of day, and has minutes. A quarter that has
ended without one is *missed*; the quarter the as-of day falls in, and later ones, are
*upcoming* until a meeting with minutes makes them held. A term that starts or ends
mid-quarter counts that quarter too: the parties met (or did not) while it was in force.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from agreements.models import Agreement
from core.time import today

from .models import Meeting


class QuarterState(StrEnum):
    HELD = "held"
    MISSED = "missed"
    UPCOMING = "upcoming"


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


@dataclass(frozen=True)
class QuarterRecord:
    quarter: Quarter
    state: QuarterState
    meeting: Meeting | None  # the meeting that made it held, or the latest one without minutes
    reason: str


def term_quarters(agreement: Agreement, until: datetime.date | None = None) -> list[Quarter]:
    """Every calendar quarter the term touches, from execution to its end (or `until`)."""
    if agreement.executed_on is None:
        return []
    last_day = agreement.ends_on - datetime.timedelta(days=1) if agreement.ends_on else None
    if until is not None and (last_day is None or until < last_day):
        last_day = until
    if last_day is None or last_day < agreement.executed_on:
        return []
    quarters = []
    q = Quarter.containing(agreement.executed_on)
    while q.starts_on <= last_day:
        quarters.append(q)
        q = q.next()
    return quarters


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def quarterly_meeting_record(
    agreement: Agreement, as_of: datetime.date | None = None, meetings: list[Meeting] | None = None
) -> list[QuarterRecord]:
    """Held, missed or upcoming for each quarter of the term, as things stood on `as_of`.

    Pass `meetings` (the agreement's quarterly meetings) to avoid a query when many
    agreements are shown at once.
    """
    as_of = as_of or today()
    if meetings is None:
        meetings = list(
            Meeting.objects.filter(agreement=agreement, kind=Meeting.Kind.QUARTERLY, is_cancelled=False)
        )
    by_quarter: dict[Quarter, list[Meeting]] = {}
    for m in meetings:
        if m.is_cancelled or m.kind != Meeting.Kind.QUARTERLY:
            continue
        by_quarter.setdefault(Quarter.containing(local_date(m.starts_at)), []).append(m)

    records = []
    for q in term_quarters(agreement):
        in_quarter = sorted(by_quarter.get(q, []), key=lambda m: m.starts_at)
        happened = [m for m in in_quarter if local_date(m.starts_at) <= as_of]
        with_minutes = [m for m in happened if m.has_minutes]
        if with_minutes:
            m = with_minutes[0]
            records.append(QuarterRecord(q, QuarterState.HELD, m, f"Met on {local_date(m.starts_at)}."))
        elif q.ends_on >= as_of:
            scheduled = [m for m in in_quarter if local_date(m.starts_at) > as_of]
            reason = (
                f"Scheduled for {local_date(scheduled[0].starts_at)}."
                if scheduled
                else "No quarterly meeting scheduled yet."
            )
            records.append(
                QuarterRecord(q, QuarterState.UPCOMING, scheduled[0] if scheduled else None, reason)
            )
        elif happened:
            m = happened[-1]
            records.append(
                QuarterRecord(
                    q, QuarterState.MISSED, m, f"The meeting on {local_date(m.starts_at)} has no minutes."
                )
            )
        else:
            records.append(QuarterRecord(q, QuarterState.MISSED, None, "No quarterly meeting took place."))
    return records
