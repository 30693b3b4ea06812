"""Scheduled jobs of the agreements app: small, safe to run twice, all logic in countdown.py."""

import datetime

from celery import shared_task

from .countdown import term_notices_send


@shared_task(acks_late=True)
def send_term_notices(on: str | None = None) -> int:
    """The term countdown (VII) as of today (or the ISO day given): how many notices were sent."""
    return len(term_notices_send(on=datetime.date.fromisoformat(on) if on else None))
