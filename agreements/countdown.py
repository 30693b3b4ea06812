"""The term countdown (VII): which notices the parties' managers and admins are due as expiry nears.

This module only decides (plain data: `core.notices.DueNotice`); notifications claims each
notice exactly once and delivers it (notifications/jobs.py, run by notifications/tasks.py).

What is due is computed from the database as of a day, not from a job having fired on the
exact day: the notice due is the latest milestone the countdown has reached, so a worker
that was down on the day of the 30-day notice sends it on its next run, and never sends the
90-day notice that the 30-day one has superseded. The occasion names the expiry date, so an
executed modification that extends the term starts the countdown of the new term afresh.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from core.notices import DueNotice
from core.time import today

from .models import Agreement
from .permissions import MANAGER, party_users_with_role_by_party

#: Days before expiry on which the parties' managers and admins are told; 0 is the day itself.
TERM_NOTICE_DAYS = (365, 180, 90, 30, 7, 0)


@dataclass(frozen=True)
class TermNotice:
    """The countdown milestone an agreement has reached, as of a day."""

    agreement: Agreement
    expires_on: datetime.date
    days_before: int  # the milestone: 365, 180, 90, 30, 7 or 0
    days_left: int  # the actual days left on the day it is decided

    @property
    def occasion(self) -> str:
        return f"expires {self.expires_on.isoformat()}, {self.days_before} days before"


def latest_milestone(days_left: int) -> int | None:
    """The smallest milestone the countdown has reached (None when more than a year is left)."""
    reached = [m for m in TERM_NOTICE_DAYS if days_left <= m]
    return min(reached) if reached else None


def agreements_counting_down(on: datetime.date) -> QuerySet[Agreement]:
    """Agreements in force on the day, and those whose term ended in the last NOTICE_CATCH_UP_DAYS.

    The latter still owe their 0-day notice if no run decided it on the day (the worker was
    down): it is decided late, once. A terminated agreement gets no more notices.
    """
    since = on - datetime.timedelta(days=settings.NOTICE_CATCH_UP_DAYS)
    return (
        Agreement.objects.filter(executed_on__lte=on, expires_on__gte=since)
        .exclude(terminated_on__lte=on)
        .prefetch_related("parties", "modifications__executions")
    )


def term_notices_due(on: datetime.date | None = None) -> list[TermNotice]:
    on = on or today()
    due = []
    for agreement in agreements_counting_down(on):
        term = agreement.term_on(on)
        days_left = term.days_to_expiry
        if term.expires_on is None or days_left is None:
            continue
        milestone = latest_milestone(days_left)
        if milestone is not None:
            due.append(TermNotice(agreement, term.expires_on, milestone, days_left))
    return due


def term_notices_to_send(on: datetime.date | None = None) -> list[DueNotice]:
    """The term notices due on the day, each to the managers (and admins) of the agreement's parties.

    The managers of every due agreement's parties are read in one query.
    """
    due = term_notices_due(on)
    parties = {party for notice in due for party in notice.agreement.parties.all()}
    managers = party_users_with_role_by_party(parties=parties, role=MANAGER)
    notices: list[DueNotice] = []
    for notice in due:
        agreement = notice.agreement
        users = sorted(
            {u for party in agreement.parties.all() for u in managers.get(party.pk, [])}, key=lambda u: u.pk
        )
        notices.append(
            DueNotice(
                agreement=agreement,
                occasion=notice.occasion,
                users=users,
                context={
                    "expires_on": notice.expires_on,
                    "days_left": notice.days_left,
                    "days_before": notice.days_before,
                },
                link=agreement.get_absolute_url(),
            )
        )
    return notices
