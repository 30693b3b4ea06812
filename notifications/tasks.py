"""The sweep: every minute, send the pending notices that are due, from their rows (never deciding again)."""

from celery import shared_task

from .jobs import job_runs_prune
from .services import notices_deliver_pending


@shared_task(acks_late=True)
def deliver_pending_notices() -> int:
    """Retries after their pause, and what a killed worker had claimed; how many were sent."""
    sent = notices_deliver_pending()
    job_runs_prune()
    return sent
