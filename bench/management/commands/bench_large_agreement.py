"""Time the import of large agreements and their page (issue 19: 2,000 and 20,000 clauses).

For each size: write the file (generate_large_agreement), delete the agreement if a previous
run left it, then import it in a child process (``manage.py import_agreement``) whose wall
time and peak resident memory (getrusage of the finished child) are reported, and import it
again (a re-run that finds nothing to change). Then the agreement page, and the text page of
its first article, are requested in-process through the test client as a manager of one of
its parties: query count, bytes, and p50/p95 over `--repeat` requests. The load test against
gunicorn is bench/large.sh. Refuses to run outside the bench settings: it deletes agreements.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Party, PartyMembership, Section
from agreements.obligations import Obligation, VocabularyEntry
from agreements.permissions import MANAGER, role_groups
from bench.guard import require_bench_settings

LARGE_USERNAME = "bench.large"


#: Runs manage.py and then prints its own peak resident memory (kB) and CPU seconds (user and
#: system: what a busy machine does not inflate, unlike the wall time) as its last line. The peak
#: is VmHWM, the high-water mark of the child's own memory: Linux starts `ru_maxrss` of a new
#: program at the peak of the process it was started from, here this command (139 MB once it
#: has served the 2,000-clause page, more than the import of 2,000 clauses needs).
_MEASURED = (
    "import re, resource, runpy, sys\n"
    "sys.argv = ['manage.py', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_path('manage.py', run_name='__main__')\n"
    "finally:\n"
    "    used = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    try:\n"
    "        peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "    except (OSError, AttributeError):\n"
    "        peak = used.ru_maxrss\n"
    "    print(peak, used.ru_utime + used.ru_stime, file=sys.stderr)\n"
)


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run manage.py with `args` in a child: (seconds, its peak RSS in MB, its output).

    The output ends with a line of the child's CPU seconds and the load average as it ended.
    """
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed: {done.stderr[-2000:]}")
    peak_kb, cpu = done.stderr.strip().splitlines()[-1].split()
    stdout = done.stdout.strip() + "\n" + json.dumps({"cpu_s": round(float(cpu), 2), "load": _load_average()})
    return seconds, int(peak_kb) / 1024, stdout


def _remove(slug: str) -> None:
    """Delete a generated agreement a previous run left (clauses are protected by what they create)."""
    agreement = Agreement.objects.filter(slug=slug).first()
    if agreement is None:
        return
    Obligation.objects.filter(agreement=agreement).delete()
    VocabularyEntry.objects.filter(agreement=agreement).delete()
    agreement.commitments.all().delete()
    agreement.authorities.all().delete()
    clauses = Section.objects.filter(agreement=agreement)
    clauses.update(parent=None)
    clauses._raw_delete(clauses.db)  # nothing else refers to them now; no cascade to collect
    agreement.delete()


def _viewer(slug: str):
    """A manager of the agreement's first party, made once."""
    User = get_user_model()
    user = User.objects.filter(username=LARGE_USERNAME).first()
    party = Party.objects.get(agreements__slug=slug, acronym="NSA")
    if user is None:
        user = User.objects.create(username=LARGE_USERNAME, email="bench.large@example.gov")
        user.set_unusable_password()
        user.save()
        user.groups.set(role_groups([MANAGER]))
    PartyMembership.objects.update_or_create(user=user, defaults={"party": party})
    return User.objects.get(pk=user.pk)


def _page(client: Client, path: str, repeat: int) -> dict:
    client.get(path)  # warm up
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # noqa: ANN001 - Django's wrapper signature
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper, not CaptureQueriesContext: a request's start clears the debug log it reads.
    with connection.execute_wrapper(count):
        response = client.get(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "path": path,
        "status": response.status_code,
        "queries": len(queries),
        "kB": round(len(response.content) / 1024, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "load": _load_average(),
    }


class Command(BaseCommand):
    help = "Import agreements of 2,000 and 20,000 clauses and time their page (issue 19)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clauses", type=int, nargs="+", default=[2000, 20000])
        parser.add_argument("--repeat", type=int, default=40)
        parser.add_argument("--dir", dest="out_dir", default="var/bench")
        parser.add_argument("--json", dest="json_path", default=None, help="Also write the results here.")

    def handle(
        self, *args, clauses: list[int], repeat: int, out_dir: str, json_path: str | None, **options
    ) -> None:
        require_bench_settings("bench_large_agreement")
        results = []
        for n in clauses:
            slug = f"large-{n}"
            path = str(Path(out_dir) / f"{slug}.yaml")
            _child(["generate_large_agreement", "--clauses", str(n), "--out", path])
            _remove(slug)
            first, first_mb, out = _child(["bench_import_once", path])
            again, again_mb, out_again = _child(["bench_import_once", path])
            inside, inside_again = _loads(out), _loads(out_again)
            self.stdout.write(
                f"{n:>6,} clauses: import {first:.2f} s in all (read {inside['read_s']} s, "
                f"write {inside['write_s']} s; {inside['cpu_s']} CPU s; load {inside['load']}), "
                f"peak {first_mb:.0f} MB; {inside['summary'][:120]}"
            )
            self.stdout.write(
                f"{'':>14} re-import {again:.2f} s in all (read {inside_again['read_s']} s, "
                f"write {inside_again['write_s']} s; {inside_again['cpu_s']} CPU s; "
                f"load {inside_again['load']}), peak {again_mb:.0f} MB; {inside_again['summary'][:80]}"
            )
            client = Client()
            client.force_login(_viewer(slug))
            agreement = Agreement.objects.get(slug=slug)
            pages = [_page(client, agreement.get_absolute_url(), repeat)]
            first_article = agreement.sections.filter(parent=None).order_by("position").first()
            if first_article is not None:
                part = reverse("agreements:text_part", kwargs={"slug": slug, "pk": first_article.pk})
                pages.extend(
                    [_page(client, part, repeat), _page(client, first_article.get_absolute_url(), repeat)]
                )
            for p in pages:
                self.stdout.write(
                    f"{'':>14} {p['path']}: {p['status']}, {p['queries']} queries, {p['kB']} kB, "
                    f"p50 {p['p50_ms']} ms, p95 {p['p95_ms']} ms (in-process, {repeat} requests; "
                    f"load {p['load']})"
                )
            results.append(
                {
                    "clauses": n,
                    "import_s": round(first, 2),
                    **{f"import_{k}": v for k, v in inside.items() if k != "summary"},
                    "import_peak_mb": round(first_mb),
                    "reimport_s": round(again, 2),
                    **{f"reimport_{k}": v for k, v in inside_again.items() if k != "summary"},
                    "pages": pages,
                }
            )
        if json_path:
            Path(json_path).write_text(_dumps(results))


def _loads(text: str) -> dict:
    """bench_import_once's line (the times, the summary) and _child's (CPU seconds, load)."""
    *_, inside, measured = text.splitlines()
    return json.loads(inside) | json.loads(measured)


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2)
