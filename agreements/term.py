"""The term of an agreement as it stood on a day (VII, VIII): one value every page reads.

The agreement page, the dashboard's term panel, the printable report, the term countdown and
the calendar all ask `Agreement.term_on(day)`, so they cannot disagree about when the term ends
or which modification moved it. Only modifications every party had executed by the day count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
class Term:
    """The term on `day`: its status, its dates, how much of it is left or gone."""

    day: datetime.date
    status: AgreementStatus
    starts_on: datetime.date | None  # the execution date: the term starts here (VII)
    original_expires_on: datetime.date | None
    expires_on: datetime.date | None  # moved by the latest executed extension, if any
    terminated_on: datetime.date | None  # only a termination on or before `day`
    ends_on: datetime.date | None  # termination or expiry, whichever comes first
    days_left: int | None  # while in force: days until expiry
    days_since_end: int | None  # once ended: days since the end
    elapsed_percent: int | None
    set_by: Modification | None  # the modification that set the end; None when the original holds
    changes: list[TermChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.status).label

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
    executed_on: datetime.date | None,
    original_expires_on: datetime.date | None,
    terminated_on: datetime.date | None,
    modifications: Iterable[Modification],
    party_count: int,
) -> Term:
    """The term on `day` from the agreement's dates and its modifications (see Agreement.term_on)."""
    expires = original_expires_on
    set_by = None
    changes = []
    for effective_on, modification in executed_modifications(modifications, party_count, day):
        if modification.extends_term_to:
            changes.append(TermChange(modification, effective_on, expires, modification.extends_term_to))
            expires, set_by = modification.extends_term_to, modification

    terminated = terminated_on if terminated_on and terminated_on <= day else None
    ends_on = min(d for d in (terminated, expires) if d) if (terminated or expires) else None
    if terminated:
        status = AgreementStatus.TERMINATED
    elif executed_on is None or day < executed_on:
        status = AgreementStatus.DRAFT
    elif expires and day >= expires:
        status = AgreementStatus.EXPIRED
    else:
        status = AgreementStatus.IN_FORCE

    days_left = (expires - day).days if status == AgreementStatus.IN_FORCE and expires else None
    days_since_end = (day - ends_on).days if ends_on and ends_on <= day else None
    elapsed = None
    if executed_on and expires and expires > executed_on and day >= executed_on:
        done = (min(day, ends_on or day) - executed_on).days
        elapsed = max(0, min(100, round(100 * done / (expires - executed_on).days)))
    return Term(
        day=day,
        status=status,
        starts_on=executed_on,
        original_expires_on=original_expires_on,
        expires_on=expires,
        terminated_on=terminated,
        ends_on=ends_on,
        days_left=days_left,
        days_since_end=days_since_end,
        elapsed_percent=elapsed,
        set_by=set_by,
        changes=changes,
    )
