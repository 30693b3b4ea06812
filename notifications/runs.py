"""Job runs: each run of a scheduled job recorded with what it claimed, sent and failed to send.

The worker opens a run before a task and closes it after (moa_portal/celery.py connects the
signals), and the delivery counts into the run in progress, so the jobs themselves (in
agreements and activities) need not know they are recorded. Outside a worker nothing counts.
"""

from __future__ import annotations

import datetime
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import JobRun


@dataclass
class RunCounts:
    claimed: int = 0
    sent: int = 0
    failed: int = 0


_counts: ContextVar[RunCounts | None] = ContextVar("notifications_run_counts", default=None)


def count(*, claimed: int = 0, sent: int = 0, failed: int = 0) -> None:
    """Add to the counts of the job run in progress (none outside a recorded run)."""
    counts = _counts.get()
    if counts is not None:
        counts.claimed += claimed
        counts.sent += sent
        counts.failed += failed


def job_run_start(*, job: str, worker: str = "") -> JobRun:
    """Record that a job started, and count what it does from now on."""
    _counts.set(RunCounts())
    return JobRun.objects.create(job=job, worker=worker[:200])


def job_run_finish(run: JobRun, *, error: str = "") -> JobRun:
    """Record how the run ended, with its counts; stop counting."""
    counts = _counts.get() or RunCounts()
    _counts.set(None)
    run.finished_at = timezone.now()
    run.outcome = JobRun.Outcome.FAILED if error else JobRun.Outcome.SUCCEEDED
    run.error = error[:2000]
    run.claimed, run.sent, run.failed = counts.claimed, counts.sent, counts.failed
    run.save(update_fields=["finished_at", "outcome", "error", "claimed", "sent", "failed"])
    return run


def job_runs_prune(now: datetime.datetime | None = None) -> int:
    """Delete the runs older than JOB_RUN_KEEP_DAYS."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.JOB_RUN_KEEP_DAYS)
    return JobRun.objects.filter(started_at__lt=since).delete()[0]


def job_runs_interrupted(*, worker: str) -> int:
    """Close the runs a worker left open when it was killed: failed, "the worker stopped"."""
    return JobRun.objects.filter(worker=worker, outcome=JobRun.Outcome.RUNNING).update(
        outcome=JobRun.Outcome.FAILED, finished_at=timezone.now(), error="The worker stopped during the run."
    )
