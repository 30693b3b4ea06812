"""Scheduled jobs of the agreements app: small, safe to run twice, all logic in countdown.py."""

from celery import shared_task

from .countdown import term_notices_send


@shared_task(acks_late=True)
def send_term_notices() -> int:
    """The term countdown (VII), as of today: how many notices this run claimed."""
    return len(term_notices_send())
