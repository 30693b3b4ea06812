"""The term countdown: which notices the parties' managers and admins are due as an end nears.

This module only decides (plain data: `core.notices.DueNotice`); notifications claims each
notice exactly once and delivers it (notifications/jobs.py, run by notifications/tasks.py).

A countdown runs only toward a real day: the end of a term that has one; for a term that
renews by itself, the last day to give notice of non-renewal; for a standing termination
notice, the day it takes effect. An open-ended term, or one until an event not yet recorded,
gets no countdown.

What is due is computed from the database as of a day, not from a job having fired on the
exact day: the notice due is the latest milestone the countdown has reached, so a worker
that was down on the day of the 30-day notice sends it on its next run, and never sends the
90-day notice that the 30-day one has superseded. The occasion names the target day, so an
executed modification that extends the term (or a renewal) starts a countdown afresh.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from core.notices import DueNotice
from core.time import today

from .models import Agreement
from .permissions import MANAGER, party_users_with_role_by_party

#: Days before expiry on which the parties' managers and admins are told; 0 is the day itself.
TERM_NOTICE_DAYS = (365, 180, 90, 30, 7, 0)


class Target:
    """What a countdown runs toward (the `target` in the notice's context)."""

    EXPIRY = "expiry"  # the end of the term
    NOTICE_DEADLINE = "notice_deadline"  # the last day to give notice of non-renewal
    TERMINATION = "termination"  # the day a termination notice takes effect


OCCASION_WORDS = {
    Target.EXPIRY: "expires",
    Target.NOTICE_DEADLINE: "notice of non-renewal due",
    Target.TERMINATION: "terminates",
}


@dataclass(frozen=True)
class TermNotice:
    """The countdown milestone an agreement has reached toward its target day, as of a day."""

    agreement: Agreement
    target: str  # Target.*
    target_on: datetime.date
    days_before: int  # the milestone: 365, 180, 90, 30, 7 or 0
    days_left: int  # the actual days left on the day it is decided
    clause: str  # the agreement's clause that governs what happens at the target

    @property
    def expires_on(self) -> datetime.date:
        """The target day (the name the notice e-mails have always used)."""
        return self.target_on

    @property
    def occasion(self) -> str:
        return f"{OCCASION_WORDS[self.target]} {self.target_on.isoformat()}, {self.days_before} days before"


def latest_milestone(days_left: int) -> int | None:
    """The smallest milestone the countdown has reached (None when more than a year is left)."""
    reached = [m for m in TERM_NOTICE_DAYS if days_left <= m]
    return min(reached) if reached else None


def agreements_counting_down(on: datetime.date, slug: str | None = None) -> QuerySet[Agreement]:
    """Agreements executed by the day that have not ended before it, and those whose term ended in
    the last NOTICE_CATCH_UP_DAYS (their 0-day notice is decided late, once, if no run decided it
    on the day: the worker was down).

    An agreement that has expired or been terminated gets no more notices; one without a
    stored end is kept, and its term decides (a renewing term's end moves).
    """
    since = on - datetime.timedelta(days=settings.NOTICE_CATCH_UP_DAYS)
    agreements = (
        Agreement.objects.filter(Q(expires_on__gte=since) | Q(expires_on__isnull=True), executed_on__lte=on)
        .exclude(terminated_on__lt=on)
        .prefetch_related("parties", "modifications__executions")
    )
    return agreements.filter(slug=slug) if slug else agreements


def countdown_target(agreement: Agreement, on: datetime.date) -> tuple[str, datetime.date, str] | None:
    """(target, its day, the governing clause) the agreement counts down to on `on`, or None."""
    if agreement.terminated_on is not None and agreement.terminated_on >= on:
        return Target.TERMINATION, agreement.terminated_on, agreement.termination_clause
    term = agreement.term_on(on)
    if term.notice_deadline is not None and term.notice_deadline >= on:
        return Target.NOTICE_DEADLINE, term.notice_deadline, agreement.renewal_clause
    caught_up_since = on - datetime.timedelta(days=settings.NOTICE_CATCH_UP_DAYS)
    if term.expires_on is not None and term.expires_on >= caught_up_since and term.notice_deadline is None:
        return Target.EXPIRY, term.expires_on, agreement.modification_clause
    return None


def term_notices_due(on: datetime.date | None = None, *, slug: str | None = None) -> list[TermNotice]:
    """The milestone each counting-down agreement has reached on the day (optionally one agreement)."""
    on = on or today()
    due = []
    for agreement in agreements_counting_down(on, slug):
        target = countdown_target(agreement, on)
        if target is None:
            continue
        kind, target_on, clause = target
        days_left = (target_on - on).days
        milestone = latest_milestone(days_left)
        if milestone is not None:
            due.append(TermNotice(agreement, kind, target_on, milestone, days_left, clause))
    return due


def term_notices_to_send(on: datetime.date | None = None, *, slug: str | None = None) -> list[DueNotice]:
    """The term notices due on the day, each to the managers (and admins) of the agreement's parties.

    The managers of every due agreement's parties are read in one query.
    """
    due = term_notices_due(on, slug=slug)
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
                    "target": notice.target,
                    "expires_on": notice.target_on,
                    "days_left": notice.days_left,
                    "days_before": notice.days_before,
                    "clause": notice.clause,
                },
                link=agreement.get_absolute_url(),
            )
        )
    return notices
