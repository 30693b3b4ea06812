"""Health for the load balancer (`/healthz`), for an operator (`/healthz/detail`) and Prometheus (`/metrics`).

`/healthz` is public and answers 200 while the database answers (the portal works without the
broker: jobs wait, pages do not), 503 otherwise. The broker check gives up after
HEALTHZ_BROKER_TIMEOUT seconds so a dead Redis never holds the request.

`/healthz/detail` and `/metrics` open to a monitor with `Authorization: Bearer <HEALTHZ_TOKEN>`
or to a signed-in admin, and to nobody else. The detail reports each check as ok, warn or
fail, and the worst of them as "state" (alert on that, or on the metrics).
"""

from __future__ import annotations

import contextlib
import hmac
import os
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agreements import permissions

from .metrics import exposition


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def broker_status() -> str:
    url = str(settings.CELERY_BROKER_URL)
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            timeout = settings.HEALTHZ_BROKER_TIMEOUT
            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            try:
                client.ping()
            finally:
                client.close()
        elif url.startswith("filesystem://"):
            options: dict[str, Any] = settings.CELERY_BROKER_TRANSPORT_OPTIONS
            folder = Path(options["data_folder_in"])
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                return "error: broker folder missing or not writable"
        else:
            return "error: unknown broker"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def cache_status() -> str:
    try:
        key = "healthz:probe"
        cache.set(key, "1", timeout=10)
        if cache.get(key) != "1" and not settings.CACHES["default"]["BACKEND"].endswith("DummyCache"):
            return "error: the cache does not keep values"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_status()
    broker = broker_status()
    return JsonResponse({"database": database, "broker": broker}, status=200 if database == "ok" else 503)


def may_read_detail(request: HttpRequest) -> bool:
    """A monitor with the token, or a signed-in admin."""
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and permissions.is_admin(user))


def _check(status: str) -> dict:
    return {"state": "ok" if status == "ok" else "fail", "detail": status}


def detail_report() -> dict:
    """Every check as {"state": ok|warn|fail, ...}, and the worst as the overall state."""
    from notifications import selectors
    from notifications.worker import last_heartbeat

    now = timezone.now()
    report: dict = {
        "database": _check(database_status()),
        "broker": _check(broker_status()),
        "cache": _check(cache_status()),
    }
    if report["database"]["state"] == "ok":
        jobs = {}
        for job in selectors.job_statuses(now):
            success = job.last_success
            jobs[job.task] = {
                "state": job.state,
                "schedule": job.schedule,
                "last_success": success.started_at.isoformat() if success else None,
                "age_seconds": round((now - success.started_at).total_seconds()) if success else None,
                "late_seconds": round(job.late_by.total_seconds()) if job.late_by else 0,
            }
        report["jobs"] = jobs
        counts = selectors.notice_counts(now)
        report["notices"] = {
            "state": "fail" if counts["failed"] else "warn" if counts["overdue"] else "ok",
            **counts,
        }
    beat = None
    with contextlib.suppress(Exception):  # the cache is down: reported above
        beat = last_heartbeat()
    interval = settings.WORKER_HEARTBEAT_SECONDS
    age = (now - beat).total_seconds() if beat else None
    report["worker"] = {
        "state": "fail" if age is None or age > interval * 10 else "warn" if age > interval * 3 else "ok",
        "heartbeat_age_seconds": round(age) if age is not None else None,
    }
    states = [v["state"] for k, v in report.items() if k != "jobs"] + [
        j["state"] for j in report.get("jobs", {}).values()
    ]
    report["state"] = "fail" if "fail" in states else "warn" if "warn" in states else "ok"
    return report


@login_not_required
@never_cache
def healthz_detail(request: HttpRequest) -> JsonResponse:
    if not may_read_detail(request):
        raise PermissionDenied("The health detail needs the monitor's token or an admin's session.")
    return JsonResponse(detail_report())


@login_not_required
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_detail(request):
        raise PermissionDenied("The metrics need the monitor's token or an admin's session.")
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
