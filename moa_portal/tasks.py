"""Jobs that need two sibling apps: moa_portal wires them (compliance and notifications may not
import each other).

The quarterly report by e-mail: compliance decides which reports are due and draws each PDF
(only for a notice the claim wins); notifications claims each once per subscription and quarter
and delivers it like every notice (retries, failed state, resend).
"""

from __future__ import annotations

import datetime

from celery import shared_task

from compliance.reports import quarterly_reports_due
from notifications.jobs import claim_due
from notifications.models import Kind, Notification
from notifications.services import notices_send


def quarterly_reports_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the last ended quarter's report for each subscriber; the ones this run won."""
    return claim_due(Kind.QUARTERLY_REPORT, quarterly_reports_due(on))


def quarterly_reports_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the due reports and send the ones this run won."""
    return notices_send(claimed=quarterly_reports_claim(on=on))


@shared_task(acks_late=True)
def send_quarterly_reports(on: str | None = None) -> int:
    """Each subscriber's quarterly report (PDF) after the quarter's end: how many were sent."""
    return len(quarterly_reports_send(on=datetime.date.fromisoformat(on) if on else None))
