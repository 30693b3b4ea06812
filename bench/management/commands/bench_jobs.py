"""Time each daily job over the benchmark dataset, with its query count (issue 8).

Adding a job is one entry in JOBS: (name, dotted path of the service the Celery task calls,
keyword arguments[, dotted path of the service's claim half]). A notice job's service is
"claim, then `notices_deliver` what was claimed"; given its claim half, the command runs exactly
those two calls, so the claim and the delivery are timed separately as well as together.

Each job runs twice, as in production: every transaction commits (a per-notice delivery is a
real BEGIN ... COMMIT, not a savepoint), so the first run decides and sends the day's notices
and the re-run (as the next day's run would, or a retried task) finds them claimed. Afterwards
the command deletes exactly the notification rows it created (those with a primary key above
the largest one before it started), so the dataset is left as it was. Do not run it while
something else writes notices to the same database. Mail goes over SMTP to a loopback server
the command starts in a process of its own (bench/smtp_sink.py, which accepts and counts every
message): the delivery is timed as production sends, one SMTP connection per run, and the
server's count is checked against what the job says it sent. The delivery rate is notices sent
per second of the delivery half (target: TARGET_RATE). Like every bench command it refuses to
run outside the bench settings: it commits notices and deletes rows.

With `--mail-workers N` the delivery half is production's instead: the job's own
`notices_send`, which queues a large claim in chunks on the mail queue (CELERY_TASK_ROUTES),
and N Celery worker processes the command starts on that queue (`--pool=solo`, each chunk over
NOTIFICATION_DELIVERY_THREADS connections) send them to the same loopback server. The delivery
is timed from the queueing until no claimed notice is pending, and the CPU seconds of the
workers and of the SMTP server are read from /proc, so a busy machine's figures can be read as
CPU per notice. `--only` keeps the jobs whose name contains the word given.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max
from django.test.utils import override_settings

from bench.guard import require_bench_settings
from notifications.models import Notification
from notifications.services import notices_deliver, notices_send

# The daily jobs (issue 6): the service each Celery task in */tasks.py calls, as of today.
JOBS: list[tuple] = [
    (
        "term countdown",
        "notifications.jobs.term_notices_send",
        {},
        "notifications.jobs.term_notices_claim",
    ),
    (
        "meeting reminders",
        "notifications.jobs.meeting_reminders_send",
        {},
        "notifications.jobs.meeting_reminders_claim",
    ),
    (
        "unscheduled quarter notices",
        "notifications.jobs.unscheduled_quarter_notices_send",
        {},
        "notifications.jobs.unscheduled_quarter_notices_claim",
    ),
    (
        "minutes nudges",
        "notifications.jobs.minutes_nudges_send",
        {},
        "notifications.jobs.minutes_nudges_claim",
    ),
    (
        "stale digests",
        "notifications.jobs.stale_digests_send",
        {},
        "notifications.jobs.stale_digests_claim",
    ),
    ("deliver pending notices", "notifications.services.notices_deliver_pending", {}),
]
#: Issue 19's targets at scale 10 (2,000 agreements): each job's run, and notices sent a second.
TARGET_SECONDS = 30.0
TARGET_RATE = 200.0


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process so far, all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _function(path: str):
    module, _, attribute = path.rpartition(".")
    return getattr(import_module(module), attribute)


class _Timed:
    """Seconds, this process's CPU seconds and queries of one call.

    Queries are counted with execute_wrapper (the debug log stops at 9,000). CPU seconds leave
    out the database's own work and waiting, so they vary less with other load on the machine.
    """

    def __init__(self, call, **kwargs) -> None:
        self.queries = 0

        def count(execute, sql, params, many, context):
            self.queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started, cpu = time.perf_counter(), time.process_time()
            self.result = call(**kwargs)
            self.seconds = time.perf_counter() - started
            self.cpu = time.process_time() - cpu


@dataclass
class _Run:
    seconds: float
    cpu: float
    queries: int
    notices: int
    parts: list[_Timed] = field(default_factory=list)  # the claim and the delivery, when split
    sent: int = 0
    received: int = 0  # by the SMTP server during the run
    workers_cpu: float = 0.0  # the mail workers' CPU seconds during the delivery (--mail-workers)
    sink_cpu: float = 0.0  # the SMTP server's
    load: str = ""


class Command(BaseCommand):
    help = "Time each daily job over the benchmark dataset (real commits, own rows deleted after)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mail-workers", type=int, default=0, help="deliver through N mail workers")
        parser.add_argument("--only", default="", help="only the jobs whose name contains this")

    def handle(self, *args, **options) -> None:
        require_bench_settings("bench_jobs")
        if not JOBS:
            self.stdout.write("No jobs registered in bench_jobs.JOBS yet.")
            return
        self.workers: list[subprocess.Popen] = []
        before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        sink = subprocess.Popen(  # noqa: S603  (this interpreter, a module of ours)
            [sys.executable, "-m", "bench.smtp_sink"],
            cwd=settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert sink.stdin is not None and sink.stdout is not None  # noqa: S101  (both are pipes)
        self.to_sink, self.from_sink = sink.stdin, sink.stdout
        port = int(self.from_sink.readline())
        self.sink_pid = sink.pid
        self.stdout.write(f"  (notices go to the loopback SMTP server on 127.0.0.1:{port}; load {_load()})")
        self.stdout.write(
            f"  {'job':<28} {'first run':>9} {'queries':>7} {'notices':>7} {'cpu':>6}"
            f" {'claim':>14} {'deliver':>14} {'sent/s':>7}   {'re-run':>7} {'queries':>7}"
        )
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
        }
        try:
            if options["mail_workers"]:
                self._start_workers(options["mail_workers"], port)
            with override_settings(**smtp):
                for name, path, kwargs, *claim in JOBS:
                    if options["only"] not in name:
                        continue
                    first, again = (self._run(path, kwargs, *claim) for _ in range(2))
                    self._report(name, first, again)
        finally:
            for worker in self.workers:
                worker.terminate()
                worker.wait(timeout=60)
            deleted, _ = Notification.objects.filter(pk__gt=before).delete()
            self.stdout.write(f"  (deleted the {deleted} notification rows this run created)")
            self.to_sink.close()
            sink.wait(timeout=30)

    def _start_workers(self, count: int, port: int) -> None:
        """N solo Celery workers on the mail queue, sending to the loopback server; wait until ready."""
        queue = settings.CELERY_TASK_ROUTES["notifications.tasks.deliver_notices"]["queue"]
        env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "LOG_LEVEL": "INFO"}
        logs = Path(settings.BASE_DIR) / "var" / "bench"
        logs.mkdir(parents=True, exist_ok=True)
        for n in range(count):
            log = (logs / f"mail-worker-{n}.log").open("w")
            self.workers.append(
                subprocess.Popen(  # noqa: S603  (this interpreter, Celery's own command)
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "moa_portal",
                        "worker",
                        "--pool=solo",
                        f"--queues={queue}",
                        f"--hostname=bench-mail{n}@%h",
                        "--loglevel=INFO",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 180
        while not all("ready." in (logs / f"mail-worker-{n}.log").read_text() for n in range(count)):
            if time.monotonic() > deadline:
                raise CommandError(f"The mail workers did not start: see {logs}/mail-worker-*.log")
            time.sleep(0.5)
        self.stdout.write(f"  ({count} mail workers on the '{queue}' queue)")

    def _deliver_queued(self, claimed: list[Notification]) -> _Timed:
        """The job's own delivery (queued in chunks when large), timed until nothing claimed is pending."""
        # The claim's rows by their claim batch (a list of 35,000 ids in each poll was itself a load).
        mine = Notification.objects.filter(claim_batch__in={n.claim_batch for n in claimed})
        pks = [n.pk for n in claimed]

        def send() -> int:
            sent_here = len(notices_send(claimed=claimed))
            pending = mine.filter(status=Notification.Status.PENDING)
            deadline = time.monotonic() + 900
            while sent_here < len(pks) and pending.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            return mine.filter(status=Notification.Status.SENT).count()

        return _Timed(send)

    def _received(self) -> int:
        """How many messages the SMTP server has accepted so far."""
        self.to_sink.write("count\n")
        self.to_sink.flush()
        return int(self.from_sink.readline())

    def _run(self, path: str, kwargs: dict, claim_path: str | None = None) -> _Run:
        received = self._received()
        cpu_before = [_cpu(w.pid) for w in self.workers], _cpu(self.sink_pid)
        load = _load()
        if claim_path is None:
            run = _Timed(_function(path), **kwargs)
            notices = run.result if isinstance(run.result, int) else len(run.result)
            timed = _Run(run.seconds, run.cpu, run.queries, notices, sent=notices)
        else:
            claim = _Timed(_function(claim_path), **kwargs)
            if self.workers:
                deliver = self._deliver_queued(claim.result)
            else:
                deliver = _Timed(notices_deliver, notices=claim.result)
            timed = _Run(
                claim.seconds + deliver.seconds,
                claim.cpu + deliver.cpu,
                claim.queries + deliver.queries,
                len(claim.result),
                [claim, deliver],
                sent=deliver.result,
            )
        timed.received = self._received() - received
        timed.workers_cpu = sum(_cpu(w.pid) for w in self.workers) - sum(cpu_before[0])
        timed.sink_cpu = _cpu(self.sink_pid) - cpu_before[1]
        timed.load = f"{load} -> {_load()}"
        if timed.received != timed.sent:
            raise CommandError(
                f"{path}: sent {timed.sent} notices, the SMTP server received {timed.received}"
            )
        return timed

    def _report(self, name: str, first: _Run, again: _Run) -> None:
        split = "".join(f" {p.seconds:6.2f} s {p.queries:5d} q" for p in first.parts) or " " * 32
        rate = first.sent / first.parts[1].seconds if first.parts and first.sent else None
        verdict = "met" if max(first.seconds, again.seconds) < TARGET_SECONDS else "MISSED"
        if rate is not None and rate < TARGET_RATE:
            verdict += f"; rate under {TARGET_RATE:.0f}/s: MISSED"
        self.stdout.write(
            f"  {name:<28} {first.seconds:7.2f} s {first.queries:7d} {first.notices:7d} {first.cpu:4.2f} s"
            f"{split} {f'{rate:7.0f}' if rate is not None else ' ' * 7}"
            f"   {again.seconds:5.2f} s {again.queries:7d}  (target < {TARGET_SECONDS:.0f} s: {verdict})"
        )
        if first.parts:
            claim, deliver = first.parts
            self.stdout.write(
                f"      claim cpu {claim.cpu:.2f} s; delivery cpu: this process {deliver.cpu:.2f} s,"
                f" mail workers {first.workers_cpu:.2f} s, SMTP server {first.sink_cpu:.2f} s;"
                f" load {first.load}"
            )
