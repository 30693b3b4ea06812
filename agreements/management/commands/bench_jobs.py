"""Time each daily job over the benchmark dataset, with its query count (issue 8).

Adding a job is one line in JOBS: (name, dotted path of the service the Celery task calls,
keyword arguments). Each job runs inside a transaction that is rolled back afterwards, so a
second run measures the same work (and anything queued on commit is not sent).
"""

import time
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

# The daily jobs go here once merged (issue 6), e.g.:
# ("due notices", "notifications.services.send_due_notices", {}),
JOBS: list[tuple[str, str, dict]] = []
TARGET_SECONDS = 5.0


class Command(BaseCommand):
    help = "Time each daily job over the benchmark dataset and count its queries."

    def handle(self, *args, **options) -> None:
        if not JOBS:
            self.stdout.write("No jobs registered in bench_jobs.JOBS yet.")
            return
        for name, path, kwargs in JOBS:
            module, _, attribute = path.rpartition(".")
            job = getattr(import_module(module), attribute)
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                job(**kwargs)
                seconds = time.perf_counter() - started
                transaction.set_rollback(True)
            verdict = "met" if seconds < TARGET_SECONDS else "MISSED"
            self.stdout.write(
                f"  {name:<30} {seconds:7.2f} s  {len(queries):6d} queries  "
                f"(target < {TARGET_SECONDS:.0f} s: {verdict})"
            )
