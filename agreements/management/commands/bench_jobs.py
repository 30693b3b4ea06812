"""Time each daily job over the benchmark dataset, with its query count (issue 8).

Adding a job is one line in JOBS: (name, dotted path of the service the Celery task calls,
keyword arguments). Each job runs inside a transaction that is rolled back afterwards, so a
second run measures the same work (and anything queued on commit is not sent). Mail goes to
Django's in-memory backend: the job's own work is timed, not an SMTP server's.
"""

import time
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings

# The daily jobs (issue 6): the service each Celery task in */tasks.py calls, as of today.
JOBS: list[tuple[str, str, dict]] = [
    ("term countdown", "agreements.countdown.term_notices_send", {}),
    ("meeting reminders", "activities.reminders.meeting_reminders_send", {}),
    ("unscheduled quarter notices", "activities.reminders.unscheduled_quarter_notices_send", {}),
    ("minutes nudges", "activities.reminders.minutes_nudges_send", {}),
    ("stale digests", "activities.reminders.stale_digests_send", {}),
    ("deliver pending notices", "notifications.services.notices_deliver_pending", {}),
]
TARGET_SECONDS = 5.0


class Command(BaseCommand):
    help = "Time each daily job over the benchmark dataset and count its queries."

    def handle(self, *args, **options) -> None:
        if not JOBS:
            self.stdout.write("No jobs registered in bench_jobs.JOBS yet.")
            return
        self.stdout.write(
            f"  {'job':<30} {'first run':>10} {'queries':>8} {'notices':>8}   {'re-run':>8} {'queries':>8}"
        )
        for name, path, kwargs in JOBS:
            module, _, attribute = path.rpartition(".")
            job = getattr(import_module(module), attribute)
            runs = []
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                # The first run decides and sends the day's notices; the re-run (as the next
                # day's run would, or a retried task) finds them claimed.
                for _ in range(2):
                    queries = []

                    def count(execute, sql, params, many, context, queries=queries):
                        queries.append(1)
                        return execute(sql, params, many, context)

                    with connection.execute_wrapper(count):
                        started = time.perf_counter()
                        result = job(**kwargs)
                        seconds = time.perf_counter() - started
                    runs.append((seconds, len(queries), result if isinstance(result, int) else len(result)))
                transaction.set_rollback(True)
            (first, first_queries, notices), (again, again_queries, _) = runs
            verdict = "met" if max(first, again) < TARGET_SECONDS else "MISSED"
            self.stdout.write(
                f"  {name:<30} {first:8.2f} s {first_queries:8d} {notices:8d}"
                f"   {again:6.2f} s {again_queries:8d}"
                f"  (target < {TARGET_SECONDS:.0f} s: {verdict})"
            )
