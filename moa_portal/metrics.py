"""Prometheus metrics: request latency (measured here), and the portal's state read at each scrape.

The latency histogram lives in the web process; with several gunicorn workers set
PROMETHEUS_MULTIPROC_DIR (an empty folder, cleared at each start) so the scrape adds them up.
The job and notice figures are read from the database when scraped, so any process answers
with the same numbers, and a worker that is down still shows (its jobs grow late).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUEST_LATENCY = Histogram(
    "moa_request_duration_seconds",
    "Time to answer a request, by view and status class.",
    ["view", "method", "status"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class RequestLatencyMiddleware:
    """Times every request; labelled by the URL pattern's name (a bounded set), never the path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unresolved"
        REQUEST_LATENCY.labels(view, request.method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


class PortalCollector:
    """Notices by state, each job's last run and lateness, the worker's heartbeat: read at scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from notifications import selectors
        from notifications.worker import last_heartbeat

        now = timezone.now()
        notices = GaugeMetricFamily("moa_notices", "Notices not sent, by state.", labels=["state"])
        for state, n in selectors.notice_counts(now).items():
            notices.add_metric([state], n)
        yield notices

        duration = GaugeMetricFamily("moa_job_last_duration_seconds", "Each job's last run.", labels=["job"])
        age = GaugeMetricFamily(
            "moa_job_last_success_age_seconds", "Since each job's last successful run.", labels=["job"]
        )
        late = GaugeMetricFamily(
            "moa_job_late_seconds", "How late each job's owed run is (0: on time).", labels=["job"]
        )
        counts = GaugeMetricFamily(
            "moa_job_last_run_notices",
            "What each job's last run claimed, sent, failed.",
            labels=["job", "what"],
        )
        failed = GaugeMetricFamily(
            "moa_job_last_run_failed", "1 if the job's last run failed.", labels=["job"]
        )
        for job in selectors.job_statuses(now):
            run, success = job.last_run, job.last_success
            if run is not None and run.duration is not None:
                duration.add_metric([job.task], run.duration.total_seconds())
                for what in ("claimed", "sent", "failed"):
                    counts.add_metric([job.task, what], getattr(run, what))
                failed.add_metric([job.task], 1 if run.outcome == "failed" else 0)
            if success is not None:
                age.add_metric([job.task], (now - success.started_at).total_seconds())
            late.add_metric([job.task], job.late_by.total_seconds() if job.late_by else 0)
        yield from (duration, age, late, counts, failed)

        beat = last_heartbeat()
        heartbeat = GaugeMetricFamily(
            "moa_worker_heartbeat_age_seconds", "Since a worker last wrote its heartbeat."
        )
        heartbeat.add_metric([], (now - beat).total_seconds() if beat else float("inf"))
        yield heartbeat


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(PortalCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
