"""`/healthz`: is the database up, is the broker up, each reported on its own.

The answer is 200 while the database answers (the portal works without the broker: jobs
wait, pages do not), 503 otherwise. The broker check gives up after HEALTHZ_BROKER_TIMEOUT
seconds so a dead Redis never holds the request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


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


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_status()
    broker = broker_status()
    return JsonResponse({"database": database, "broker": broker}, status=200 if database == "ok" else 503)
