"""Whether each owed period of a meeting obligation was held, missed or is upcoming.

The agreement states its meeting obligations (agreements.obligations.Obligation): which
meeting kinds count, on what cadence, and whether minutes are needed. A period is *held* when
a meeting of a kind that counts, not cancelled, took place in it by its due day (by the
portal's local date), on or before the as-of day, with minutes when the obligation asks for
them. A period whose due day has passed without one is *missed*; until then — through its
due day itself — it is *upcoming*. Which periods are owed at all is agreements.periods' rule.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.db.models import QuerySet

from agreements.models import Agreement, Obligation
from agreements.periods import Period, Rule, owed_periods, period_containing
from core.time import today

from .models import Meeting
from .quarters import local_date


class PeriodState(StrEnum):
    HELD = "held"
    MISSED = "missed"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class PeriodRecord:
    period: Period
    state: PeriodState
    meeting: Meeting | None  # the meeting that made it held, or the latest one without minutes
    reason: str


QUARTER_CODE = re.compile(r"^\d{4}-Q[1-4]$")


def period_query(period: Period) -> dict[str, str]:
    """The list filters that show a period's records: its quarter, or its first and last day."""
    if QUARTER_CODE.match(period.code):
        return {"quarter": period.code}
    return {"since": period.starts_on.isoformat(), "to": period.ends_on.isoformat()}


@dataclass(frozen=True)
class ObligationRecord:
    """A meeting obligation and its periods, for a page that shows them."""

    obligation: Obligation
    periods: list[PeriodRecord]
    list_queries: list[str]  # per period: the meeting list's query string that shows its meetings

    @property
    def rows(self) -> list[tuple[PeriodRecord, str]]:
        return list(zip(self.periods, self.list_queries, strict=True))


def meeting_records(agreement: Agreement, as_of: datetime.date | None = None) -> list[ObligationRecord]:
    """Each meeting obligation of the agreement with its periods' records (none: no obligation)."""
    obligations = list(Obligation.objects.meetings().filter(agreement=agreement).select_related("section"))
    if not obligations:
        return []
    meetings = list(Meeting.objects.filter(agreement=agreement, is_cancelled=False))
    for o in obligations:
        o.agreement = agreement
    records = []
    for o in obligations:
        periods = meeting_record(o, as_of=as_of, meetings=meetings)
        queries = ["?" + urlencode({"agreement": agreement.slug, **period_query(r.period)}) for r in periods]
        records.append(ObligationRecord(o, periods, queries))
    return records


def term_bounds(agreement: Agreement) -> tuple[datetime.date | None, datetime.date | None]:
    """The term's first day and the day it stops being in force (None: no end known)."""
    return agreement.executed_on, agreement.ends_on


def obligation_periods(obligation: Obligation, until: datetime.date | None = None) -> list[Period]:
    """The owed periods of the term (for an open-ended term: up to the one containing `until`)."""
    starts_on, ends_before = term_bounds(obligation.agreement)
    if ends_before is None and until is None:
        until = today()
    return owed_periods(
        Rule.of(obligation), starts_on, ends_before, until=until if ends_before is None else None
    )


def current_period(obligation: Obligation, on: datetime.date) -> Period | None:
    """The owed period `on` falls in, if any."""
    starts_on, ends_before = term_bounds(obligation.agreement)
    return period_containing(Rule.of(obligation), starts_on, ends_before, on)


def counts_for(obligation: Obligation, meeting: Meeting) -> bool:
    """Whether a meeting is of a kind the obligation counts (any kind when it names none)."""
    return not meeting.is_cancelled and (
        not obligation.meeting_kinds or meeting.kind in obligation.meeting_kinds
    )


def counting_meetings(obligation: Obligation) -> QuerySet[Meeting]:
    """The agreement's meetings, not cancelled, of the kinds the obligation counts."""
    meetings = Meeting.objects.filter(agreement_id=obligation.agreement_id, is_cancelled=False)
    if obligation.meeting_kinds:
        meetings = meetings.filter(kind__in=obligation.meeting_kinds)
    return meetings


def meeting_record(
    obligation: Obligation, as_of: datetime.date | None = None, meetings: Iterable[Meeting] | None = None
) -> list[PeriodRecord]:
    """Held, missed or upcoming for each owed period of the term, as things stood on `as_of`.

    Pass `meetings` (the agreement's meetings) to avoid a query when many are shown at once;
    those of other kinds are left out here.
    """
    as_of = as_of or today()
    # Each meeting's local day once (a time-zone conversion each), not once per period: the
    # periods of a ten-year term times its meetings were 1,600 conversions per obligation.
    found = sorted(
        (
            (local_date(m.starts_at), m)
            for m in (counting_meetings(obligation) if meetings is None else meetings)
            if counts_for(obligation, m)
        ),
        key=lambda dated: dated[1].starts_at,
    )
    records = []
    for p in obligation_periods(obligation, until=as_of):
        last_counted = min(p.ends_on, p.due_on)
        in_period = [(day, m) for day, m in found if p.starts_on <= day <= last_counted]
        happened = [(day, m) for day, m in in_period if day <= as_of]
        held = [(day, m) for day, m in happened if m.has_minutes or not obligation.requires_minutes]
        if held:
            day, m = held[0]
            records.append(PeriodRecord(p, PeriodState.HELD, m, f"Met on {day}."))
        elif as_of <= p.due_on:
            scheduled = [(day, m) for day, m in in_period if day > as_of]
            reason = f"Scheduled for {scheduled[0][0]}." if scheduled else "No meeting scheduled yet."
            records.append(
                PeriodRecord(p, PeriodState.UPCOMING, scheduled[0][1] if scheduled else None, reason)
            )
        elif happened:
            day, m = happened[-1]
            records.append(PeriodRecord(p, PeriodState.MISSED, m, f"The meeting on {day} has no minutes."))
        else:
            records.append(PeriodRecord(p, PeriodState.MISSED, None, "No meeting took place."))
    return records
