"""The agreement file's rules for one value, as plain functions: the file reader and the portal's
draft editing (agreements/drafts.py) both ask them, so a rule and its wording live once.

Each returns the problem in the file's words (None when there is none); the caller says where
(a field path in the file, a form field on a page).
"""

from __future__ import annotations

import datetime
import itertools

from dateutil.rrule import rrulestr

from .document import CADENCE_LONGEST_DAYS, CADENCE_SHORTEST_DAYS, CadenceKind
from .reading import code_problem

__all__ = ["RuleProblem", "code_problem", "due_problem", "period_days", "rrule_text"]

#: An RRULE's periods are measured over its first occurrences from this day.
#: Naive, as an RRULE's UNTIL without "Z" must be for dateutil; only days are compared.
RRULE_PROBE_START = datetime.datetime(2001, 1, 1)  # noqa: DTZ001
RRULE_PROBE_COUNT = 60


class RuleProblem(ValueError):
    """A value the file's rules refuse; the message is the problem, in the file's words."""


def rrule_text(text: str) -> str:
    """The RRULE as kept (without "RRULE:"); refused unless it is one line that recurs."""
    text = text.strip().removeprefix("RRULE:")
    if "\n" in text or "DTSTART" in text.upper():
        raise RuleProblem("give one RRULE line; the periods start with the term")
    return text


def period_days(kind: str, rrule: str = "") -> tuple[int, int] | None:
    """The fewest and most days one period of the cadence can have (None: continuous, no periods)."""
    if kind == CadenceKind.CONTINUOUS:
        return None
    if kind == CadenceKind.RRULE:
        try:
            rule = rrulestr(rrule, dtstart=RRULE_PROBE_START)
            days = [d.date() for d in itertools.islice(iter(rule), RRULE_PROBE_COUNT)]
        except (ValueError, TypeError) as exc:
            raise RuleProblem(f"{rrule!r} is not an iCalendar RRULE: {exc}") from None
        if len(days) < 2:
            raise RuleProblem(f"{rrule!r} happens fewer than twice: it does not recur")
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        return min(gaps), max(gaps)
    kind = CadenceKind(kind)
    return CADENCE_SHORTEST_DAYS[kind], CADENCE_LONGEST_DAYS[kind]


def due_problem(
    *, kind: str, is_rrule: bool, span: tuple[int, int] | None, window_days: int | None, due_day: int | None
) -> tuple[str, str] | None:
    """(field, problem) when the due rule does not fit the cadence: window_days or due_day, not
    both; neither for a continuous obligation; neither longer than the shortest period allows."""
    if window_days is not None and due_day is not None:
        return "due_day", "give window_days or due_day, not both"
    if (window_days is not None or due_day is not None) and span is None:
        return "cadence", "a continuous obligation has no period to be due in"
    if span is None:
        return None
    shortest, longest = span
    period = "the RRULE's period" if is_rrule else f"a {kind} period"
    if window_days is not None and window_days > longest:
        return (
            "window_days",
            f"a window of {window_days} days is longer than its period ({period} is at most {longest} days)",
        )
    if due_day is not None and due_day > shortest:
        return (
            "due_day",
            f"day {due_day} is past the end of some periods ({period} can be as short as {shortest} days)",
        )
    return None
