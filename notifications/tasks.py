"""Retrying notices whose send failed, from their rows (never deciding them again)."""

from celery import shared_task

from .services import notices_deliver_pending


@shared_task(acks_late=True)
def deliver_pending_notices() -> int:
    return notices_deliver_pending()
