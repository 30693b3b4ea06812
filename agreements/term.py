"""The term of an agreement as it stood on a day: one value every page reads.

The agreement page, the dashboard's term panel, the printable report, the term countdown and
the calendar all ask `Agreement.term_on(day)`, so they cannot disagree about when the term ends
or which modification moved it. Only modifications every party had executed by the day count.

A term runs a length from its start, until a fixed day, without end (until terminated), or
until an event an admin records (`TermRules`). A renewing term's end moves forward one
renewal period at a time once the last day to give notice of non-renewal has passed without
one; a pending termination notice ends the term on its effective day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db import models

if TYPE_CHECKING:
    from .models import Modification


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


@dataclass(frozen=True)
class TermChange:
    """An executed modification that moved the end of the term, and from when."""

    modification: Modification
    effective_on: datetime.date
    from_date: datetime.date | None
    to_date: datetime.date


@dataclass(frozen=True)
class TermRules:
    """What the agreement says about its term, as plain values (see Agreement.term_rules).

    `length` and `renewal_length` are relativedelta; `ends` is one of "after", "on_date",
    "open", "event" (agreements.models.TermEnd).
    """

    executed_on: datetime.date | None
    starts_on: datetime.date | None
    ends: str
    length: relativedelta | None = None
    ends_on: datetime.date | None = None
    end_event: str = ""
    end_event_on: datetime.date | None = None
    renews: bool = False
    renewal_automatic: bool = True
    renewal_periods: int | None = None
    renewal_length: relativedelta | None = None
    renewal_notice_days: int | None = None
    non_renewal_notice_on: datetime.date | None = None
    clause: str = ""
    renewal_clause: str = ""
    modification_clause: str = ""

    @property
    def initial_end(self) -> datetime.date | None:
        """The end of the initial term (the first day it is no longer in force); None without one."""
        if self.ends == "after" and self.starts_on and self.length:
            return self.starts_on + self.length
        if self.ends == "on_date":
            return self.ends_on
        if self.ends == "event":
            return self.end_event_on
        return None

    def notice_deadline_for(self, end: datetime.date) -> datetime.date:
        """The last day a party may give notice of non-renewal for a term ending on `end`."""
        return end - datetime.timedelta(days=self.renewal_notice_days or 0)

    def end_as_of(self, day: datetime.date | None) -> tuple[datetime.date | None, int]:
        """(the end of the term, renewals taken) as decided by `day`; `day` None: the final end.

        A renewal is decided when the last day to give notice passes without a notice of
        non-renewal recorded on or before it; without a limit and without such a notice, the
        final end is None (it renews for ever).
        """
        end = self.initial_end
        taken = 0
        if end is None or not (self.renews and self.renewal_automatic and self.renewal_length):
            return end, taken
        while self.renewal_periods is None or taken < self.renewal_periods:
            deadline = self.notice_deadline_for(end)
            if self.non_renewal_notice_on is not None and self.non_renewal_notice_on <= deadline:
                break
            if day is None:
                if self.renewal_periods is None:
                    return None, taken
            elif day <= deadline:
                break
            end, taken = end + self.renewal_length, taken + 1
        return end, taken


@dataclass(frozen=True)
class Term:
    """The term on `day`: its status, its dates, how much of it is left or gone."""

    day: datetime.date
    status: AgreementStatus
    starts_on: datetime.date | None  # the term starts here: execution or the stated effective date
    original_expires_on: datetime.date | None
    expires_on: datetime.date | None  # moved by the latest executed extension, if any
    terminated_on: datetime.date | None  # only a termination on or before `day`
    ends_on: datetime.date | None  # termination or expiry, whichever comes first
    days_left: int | None  # while in force: days until expiry
    days_since_end: int | None  # once ended: days since the end
    elapsed_percent: int | None
    set_by: Modification | None  # the modification that set the end; None when the original holds
    changes: list[TermChange] = field(default_factory=list)
    ends: str = "after"  # agreements.models.TermEnd
    end_event: str = ""  # for a term until an event, the event
    clause: str = ""  # the clause that states the term
    renewal_clause: str = ""
    modification_clause: str = ""
    renews: bool = False  # renews automatically at its end unless a party gives notice
    renewals: int = 0  # renewals taken by `day`
    notice_deadline: datetime.date | None = None  # renewing: the last day to give notice of non-renewal
    termination_on: datetime.date | None = None  # a termination (notice) not yet in effect on `day`

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.status).label

    @property
    def has_end_date(self) -> bool:
        return self.ends_on is not None

    @property
    def summary(self) -> str:
        """The status in a few words: "In force, no end date" for an open or event-ended term."""
        if self.status == AgreementStatus.IN_FORCE and self.ends_on is None:
            return "In force, no end date"
        return self.status_label

    @property
    def is_in_force(self) -> bool:
        return self.status == AgreementStatus.IN_FORCE

    @property
    def days_to_expiry(self) -> int | None:
        """Days to expiry from `day`: negative once expired; None before execution."""
        return (self.expires_on - self.day).days if self.expires_on else None


def executed_modifications(
    modifications: Iterable[Modification], party_count: int, day: datetime.date
) -> list[tuple[datetime.date, Modification]]:
    """(effective day, modification) for those every party had executed by `day`, in order of effect."""
    effective = []
    for modification in modifications:
        executions = list(modification.executions.all())
        if party_count and len({e.party_id for e in executions}) >= party_count:
            effective_on = max(e.executed_on for e in executions)
            if effective_on <= day:
                effective.append((effective_on, modification))
    return sorted(effective, key=lambda pair: (pair[0], pair[1].number))


def term_of(
    *,
    day: datetime.date,
    rules: TermRules,
    terminated_on: datetime.date | None,
    modifications: Iterable[Modification],
    party_count: int,
    termination_notice_on: datetime.date | None = None,
) -> Term:
    """The term on `day` from the agreement's rules, dates and modifications (see Agreement.term_on)."""
    original, renewals = rules.end_as_of(day)
    expires = original
    set_by = None
    changes = []
    for effective_on, modification in executed_modifications(modifications, party_count, day):
        if modification.extends_term_to:
            changes.append(TermChange(modification, effective_on, expires, modification.extends_term_to))
            expires, set_by = modification.extends_term_to, modification

    terminated = terminated_on if terminated_on and terminated_on <= day else None
    # A termination still to take effect is known from the day its notice was given.
    known = termination_notice_on is not None and termination_notice_on <= day
    pending = terminated_on if terminated_on and terminated_on > day and known else None
    starts_on = rules.starts_on
    ends_candidates = [d for d in (terminated, pending, expires) if d]
    ends_on = min(ends_candidates) if ends_candidates else None
    if terminated:
        status = AgreementStatus.TERMINATED
    elif rules.executed_on is None or day < rules.executed_on or (starts_on and day < starts_on):
        status = AgreementStatus.DRAFT
    elif expires and day >= expires:
        status = AgreementStatus.EXPIRED
        ends_on = expires
    else:
        status = AgreementStatus.IN_FORCE

    days_left = (ends_on - day).days if status == AgreementStatus.IN_FORCE and ends_on else None
    days_since_end = (day - ends_on).days if ends_on and ends_on <= day else None
    elapsed = None
    full = expires or ends_on
    if starts_on and full and ends_on and full > starts_on and day >= starts_on:
        done = (min(day, ends_on) - starts_on).days
        elapsed = max(0, min(100, round(100 * done / (full - starts_on).days)))
    renewing = rules.renews and rules.renewal_automatic and bool(rules.renewal_length)
    deadline = None
    if renewing and expires is not None and set_by is None and status == AgreementStatus.IN_FORCE:
        more = rules.renewal_periods is None or renewals < rules.renewal_periods
        stopped = rules.non_renewal_notice_on is not None and rules.non_renewal_notice_on <= (
            rules.notice_deadline_for(expires)
        )
        if more and not stopped:
            deadline = rules.notice_deadline_for(expires)
    return Term(
        day=day,
        status=status,
        starts_on=starts_on,
        original_expires_on=rules.initial_end,
        expires_on=expires,
        terminated_on=terminated,
        ends_on=ends_on,
        days_left=days_left,
        days_since_end=days_since_end,
        elapsed_percent=elapsed,
        set_by=set_by,
        changes=changes,
        ends=rules.ends,
        end_event=rules.end_event,
        clause=rules.clause,
        renewal_clause=rules.renewal_clause,
        modification_clause=rules.modification_clause,
        renews=renewing,
        renewals=renewals,
        notice_deadline=deadline,
        termination_on=pending,
    )
