"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app's tasks.py.

The worker's signals are wired here (what they do lives in notifications/worker.py): each task
is recorded as a job run; at start the worker frees its earlier self's leases, sweeps, and starts
its heartbeat; a production worker or beat refuses a broken configuration.
"""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moa_portal.settings.local")

app = Celery("moa_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_broken_configuration(**kwargs) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from moa_portal.checks import refuse_broken_configuration

    try:
        refuse_broken_configuration()
    except ImproperlyConfigured as exc:
        # Celery logs and ignores a receiver's Exception; SystemExit stops the process.
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc


@task_prerun.connect
def _job_run_started(task_id=None, task=None, **kwargs) -> None:
    from notifications.worker import task_started

    task_started(task_id=task_id, task_name=task.name, hostname=getattr(task.request, "hostname", "") or "")


@task_postrun.connect
def _job_run_finished(task_id=None, state=None, retval=None, **kwargs) -> None:
    from notifications.worker import task_finished

    task_finished(task_id=task_id, state=state, error=retval if isinstance(retval, BaseException) else None)


@worker_ready.connect
def _worker_ready(sender=None, **kwargs) -> None:
    from notifications.worker import worker_ready

    queues = sorted(sender.app.amqp.queues.consume_from or sender.app.amqp.queues)
    worker_ready(hostname=sender.hostname, queues=queues)
