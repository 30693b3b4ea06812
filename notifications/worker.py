"""What the Celery worker does around the jobs (connected in moa_portal/celery.py).

- Every task is recorded as a `JobRun`, with what it claimed, sent and failed to send.
- At start, the worker frees the notices its previous self had taken and never marked (it was
  killed), and queues the sweep on its own queue: what was claimed goes out within a minute
  of the restart, not when the leases run out.
- A heartbeat in the cache, every WORKER_HEARTBEAT_SECONDS, that `/healthz/detail` reads.
"""

from __future__ import annotations

import datetime
import logging
import threading
import traceback

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from . import runs
from .models import JobRun

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "notifications:worker-heartbeat"
_runs: dict[str, JobRun] = {}


def task_started(*, task_id: str, task_name: str, hostname: str) -> None:
    try:
        _runs[task_id] = runs.job_run_start(job=task_name, worker=hostname or "")
    except Exception:  # a run not recorded must not stop the job (the database may be coming back)
        logger.exception("Could not record the start of %s", task_name)


def task_finished(*, task_id: str, state: str | None, error: BaseException | None = None) -> None:
    run = _runs.pop(task_id, None)
    if run is None:
        return
    message = ""
    if error is not None:
        message = "".join(traceback.format_exception_only(type(error), error)).strip()
    elif state not in (None, "SUCCESS"):
        message = f"ended {state}"
    try:
        runs.job_run_finish(run, error=message)
    except Exception:
        logger.exception("Could not record the end of %s", run.job)


def heartbeat() -> None:
    """Write the time now as the worker's heartbeat (kept three intervals)."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=settings.WORKER_HEARTBEAT_SECONDS * 3 + 60)


def last_heartbeat() -> datetime.datetime | None:
    """When a worker last wrote its heartbeat (None: never, or too long ago)."""
    value = cache.get(HEARTBEAT_KEY)
    return datetime.datetime.fromisoformat(value) if value else None


_heartbeat: threading.Thread | None = None


def start_heartbeat() -> threading.Thread:
    """One heartbeat thread per process (a worker_ready signalled twice starts no second one)."""
    global _heartbeat
    if _heartbeat is not None and _heartbeat.is_alive():
        return _heartbeat
    stop = threading.Event()

    def beat() -> None:
        while True:
            try:
                heartbeat()
            except Exception as exc:
                logger.warning("Worker heartbeat not written: %s", exc)
            if stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                break

    _heartbeat = threading.Thread(target=beat, name="moa-heartbeat", daemon=True)
    _heartbeat.start()
    return _heartbeat


def worker_ready(*, hostname: str, queues: list[str]) -> None:
    """Free what this worker's previous self had taken, and sweep now on each of its queues."""
    from .services import notices_release_leases
    from .tasks import deliver_pending_notices

    try:
        freed = notices_release_leases(owner=hostname)
        if freed:
            logger.warning("Freed %s notice(s) taken by this worker before it stopped", freed)
        runs.job_runs_interrupted(worker=hostname)
    except Exception:
        logger.exception("Could not free this worker's earlier leases")
    finally:
        if not connection.in_atomic_block:  # the main process's; the pool's processes open their own
            connection.close()
    for queue in queues[:1]:
        deliver_pending_notices.apply_async(queue=queue)
    start_heartbeat()
