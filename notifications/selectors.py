"""Reads of the notification log and the job runs, for pages, health and metrics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from .models import UNMUTABLE_KINDS, WEBHOOK_ONLY_KINDS, JobRun, Kind, Mute, Notification, WebhookSubscription

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("agreement")


def muted_kinds(user: User) -> set[str]:
    return set(Mute.objects.filter(user=user).values_list("kind", flat=True))


def mutable_kinds() -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in Kind.choices
        if value not in UNMUTABLE_KINDS and value not in WEBHOOK_ONLY_KINDS
    ]


# --- operations: the jobs' runs and the notices that did not go --------------------------


@dataclass(frozen=True)
class JobStatus:
    """A scheduled job as an operator sees it: its schedule, its last run and last success, how late."""

    name: str
    task: str
    schedule: str
    enabled: bool
    last_run: JobRun | None
    last_success: JobRun | None
    late_by: datetime.timedelta | None  # past the next run due after the last success (None: on time)

    @property
    def late_by_text(self) -> str:
        minutes = int(self.late_by.total_seconds() // 60) if self.late_by else 0
        return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"

    @property
    def state(self) -> str:
        """ok, warn (late, or never ran) or fail (a day late, or the last run failed)."""
        if not self.enabled:
            return "ok"
        if self.last_run is not None and self.last_run.outcome == JobRun.Outcome.FAILED:
            return "fail"
        if self.last_success is None:
            return "warn"
        if self.late_by is None:
            return "ok"
        return "fail" if self.late_by > datetime.timedelta(days=1) else "warn"


def job_statuses(now: datetime.datetime | None = None) -> list[JobStatus]:
    """Every scheduled job (django-celery-beat's entries), with its last run and lateness.

    A job is late once the run its schedule owed after the last success is more than
    JOB_LATE_GRACE_MINUTES overdue: beat, the broker or the worker is not doing its part.
    """
    now = now or timezone.now()
    grace = datetime.timedelta(minutes=settings.JOB_LATE_GRACE_MINUTES)
    statuses = []
    for entry in PeriodicTask.objects.select_related("crontab").exclude(task="").order_by("name"):
        runs = JobRun.objects.filter(job=entry.task)
        last_run = runs.first()
        last_success = runs.filter(outcome=JobRun.Outcome.SUCCEEDED).first()
        late_by = None
        if entry.crontab is not None and last_success is not None:
            remaining = entry.crontab.schedule.remaining_estimate(last_success.started_at)
            # remaining_estimate counts from the real clock; re-base it on `now`.
            remaining -= now - timezone.now()
            if remaining < -grace:
                late_by = -remaining
        statuses.append(
            JobStatus(
                name=entry.name,
                task=entry.task,
                schedule=str(entry.crontab.human_readable if entry.crontab else entry.interval),
                enabled=entry.enabled,
                last_run=last_run,
                last_success=last_success,
                late_by=late_by,
            )
        )
    return statuses


def notices_not_sent() -> QuerySet[Notification]:
    """The failed notices, and the pending ones that have failed at least once: newest first."""
    return (
        Notification.objects.filter(
            Q(status=Notification.Status.FAILED) | Q(status=Notification.Status.PENDING, attempts__gt=0)
        )
        .select_related("agreement", "webhook__party")
        .order_by("-created_at", "-pk")
    )


def notice_counts(now: datetime.datetime | None = None) -> dict[str, int]:
    """How many notices are failed, pending and overdue (pending past NOTIFICATION_OVERDUE_MINUTES)."""
    by_status = dict(
        Notification.objects.filter(status__in=[Notification.Status.FAILED, Notification.Status.PENDING])
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {
        "failed": by_status.get(Notification.Status.FAILED, 0),
        "pending": by_status.get(Notification.Status.PENDING, 0),
        "overdue": Notification.objects.overdue(now).count(),
    }


# --- webhooks ------------------------------------------------------------------------------------


def webhook_subscriptions_for(user: User) -> QuerySet[WebhookSubscription]:
    """The subscriptions of the parties the user keeps (permissions.webhook_parties)."""
    from .permissions import webhook_parties

    return WebhookSubscription.objects.filter(party__in=webhook_parties(user)).select_related("party")


def webhook_recent_deliveries(subscription: WebhookSubscription, limit: int = 10) -> QuerySet[Notification]:
    return Notification.objects.filter(webhook=subscription).select_related("agreement")[:limit]
