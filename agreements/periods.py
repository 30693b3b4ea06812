"""The periods of a recurring obligation, and which of them the term makes owed.

An obligation's cadence cuts time into periods: calendar months, quarters, half-years or
years (anchor ``calendar``); the same lengths counted from the term's start (``term``, and
``rolling``, whose "at least once in any span" is checked on the records but listed in these
periods); or the spans between the occurrences of an iCalendar RRULE that starts with the
term. A ``continuous`` obligation has no periods: it holds on every day of the term.

**Which periods are owed.** A period is owed when the term is in force on at least half of
its days. The term's first and last periods usually overlap it only in part: one the term
covers mostly is owed (the parties had the time to meet), one it barely touches is not — a
quarter that ends on the signing day, or the last weeks of a quarter after the term ended,
owe nothing. Pure date arithmetic on plain values, so it is exact and cheap to test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from .agreement_file.document import CADENCE_MONTHS, Anchor, CadenceKind

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """An obligation's cadence and due rule, as plain values (from the model or the file)."""

    cadence: str  # a CadenceKind value
    anchor: str = Anchor.CALENDAR.value
    rrule: str = ""
    due_day: int | None = None
    window_days: int | None = None

    @classmethod
    def of(cls, obligation) -> Rule:
        """The rule of an `agreements.obligations.Obligation` row."""
        return cls(
            cadence=obligation.cadence,
            anchor=obligation.anchor,
            rrule=obligation.rrule,
            due_day=obligation.due_day,
            window_days=obligation.window_days,
        )


@dataclass(frozen=True)
class Period:
    """One period of a cadence: from `starts_on` to `ends_on` (both inclusive).

    `due_on` is the last day the obligation may be met for it: the period's last day, the
    `due_day`-th day of the period, or `window_days` after the period ends.
    """

    starts_on: datetime.date
    ends_on: datetime.date
    due_on: datetime.date
    label: str  # shown: "2020 Q2", "2020 H1", "2020", "March 2020", "2020-03-02 – 2020-06-01"
    code: str  # in web addresses and notices: "2020-Q2", "2020-H1", "2020", "2020-03", "2020-03-02"

    def __str__(self) -> str:
        return self.label

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def days_within(self, starts_on: datetime.date, ends_before: datetime.date | None) -> int:
        """How many of its days fall in the span from `starts_on` up to (not including) `ends_before`."""
        first = max(self.starts_on, starts_on)
        last = self.ends_on if ends_before is None else min(self.ends_on, ends_before - ONE_DAY)
        return max(0, (last - first).days + 1)


def _labelled(months: int, start: datetime.date, anchored_to_calendar: bool) -> tuple[str, str]:
    if not anchored_to_calendar:
        return start.isoformat(), start.isoformat()
    if months == 12:
        return str(start.year), str(start.year)
    if months == 6:
        half = 1 if start.month <= 6 else 2
        return f"{start.year} H{half}", f"{start.year}-H{half}"
    if months == 3:
        quarter = (start.month - 1) // 3 + 1
        return f"{start.year} Q{quarter}", f"{start.year}-Q{quarter}"
    return f"{start:%B %Y}", f"{start:%Y-%m}"


def _period(
    rule: Rule, starts_on: datetime.date, next_starts_on: datetime.date, label: str, code: str
) -> Period:
    ends_on = next_starts_on - ONE_DAY
    if rule.due_day:
        due_on = min(starts_on + datetime.timedelta(days=rule.due_day - 1), ends_on)
    elif rule.window_days:
        due_on = ends_on + datetime.timedelta(days=rule.window_days)
    else:
        due_on = ends_on
    return Period(starts_on, ends_on, due_on, label, code)


def periods_between(rule: Rule, term_starts_on: datetime.date, last_day: datetime.date) -> list[Period]:
    """Every period of the rule that has a day between the term's start and `last_day` (inclusive)."""
    if rule.cadence == CadenceKind.CONTINUOUS or last_day < term_starts_on:
        return []
    periods: list[Period] = []
    if rule.cadence == CadenceKind.RRULE:
        start = datetime.datetime.combine(term_starts_on, datetime.time.min)
        stop = datetime.datetime.combine(last_day, datetime.time.min)
        starts = [d.date() for d in rrulestr(rule.rrule, dtstart=start).between(start, stop, inc=True)]
        if not starts:
            return []
        # Each occurrence starts a period that runs to the day before the next one; the last
        # runs to the rule's next occurrence after `last_day`.
        following = rrulestr(rule.rrule, dtstart=start).after(stop)
        bounds = [*starts, following.date() if following else last_day + ONE_DAY]
        for begin, end in zip(bounds, bounds[1:], strict=False):
            label = f"{begin.isoformat()} – {(end - ONE_DAY).isoformat()}"
            periods.append(_period(rule, begin, end, label, begin.isoformat()))
        return periods

    months = CADENCE_MONTHS[CadenceKind(rule.cadence)]
    calendar = rule.anchor == Anchor.CALENDAR
    if calendar:
        first = datetime.date(term_starts_on.year, (term_starts_on.month - 1) // months * months + 1, 1)
    else:
        first = term_starts_on
    n = 0
    while True:
        # Counted from the first start each time, so 31 January plus a month stays at month ends.
        begin = first + relativedelta(months=months * n)
        if begin > last_day:
            return periods
        end = first + relativedelta(months=months * (n + 1))
        label, code = _labelled(months, begin, calendar)
        periods.append(_period(rule, begin, end, label, code))
        n += 1


def owed_periods(
    rule: Rule,
    term_starts_on: datetime.date | None,
    term_ends_before: datetime.date | None,
    until: datetime.date | None = None,
) -> list[Period]:
    """The periods owed under a term from `term_starts_on` to the day before `term_ends_before`.

    A period is owed when the term is in force on at least half of its days (see the module
    docstring). An open-ended term (`term_ends_before` None) needs `until`: the periods up to
    the one containing that day. `until` also cuts a fixed term short.
    """
    if term_starts_on is None:
        return []
    last_day = term_ends_before - ONE_DAY if term_ends_before else None
    if until is not None and (last_day is None or until < last_day):
        # The period containing `until` is listed whole, so generate to its end.
        last_day = until
    if last_day is None:
        raise ValueError("an open-ended term needs `until`")
    return [
        p
        for p in periods_between(rule, term_starts_on, last_day)
        if 2 * p.days_within(term_starts_on, term_ends_before) >= p.days
    ]


def period_containing(
    rule: Rule,
    term_starts_on: datetime.date | None,
    term_ends_before: datetime.date | None,
    day: datetime.date,
) -> Period | None:
    """The owed period `day` falls in, or None (before or after the term, or a period not owed)."""
    if term_starts_on is None or day < term_starts_on:
        return None
    for period in owed_periods(rule, term_starts_on, term_ends_before, until=day):
        if period.contains(day):
            return period
    return None
