"""Profile one page of the benchmark dataset in-process: query count, time, pyinstrument tree.

    DATABASE_URL=postgres://moa:moa@127.0.0.1:5432/moa_bench \\
    .venv/bin/python bench/profile_page.py /agreements/bench-003/

Uses the bench settings (production's, DEBUG off, plus the bench app) with the test client
signed in as the bench user. `--repeat N` (20) requests per figure; `--fresh` moves the data
version before every request, so what the portal keeps until the records change (counts, the
dashboard's panels, core/cache.py) is computed afresh each time, as after any save.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moa_portal.settings.bench")
os.environ.setdefault("SECRET_KEY", "profile-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from bench.data import BENCH_USERNAME  # noqa: E402
from core.cache import move_data_version  # noqa: E402


def main(path: str, repeat: int = 20, fresh: bool = False) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=BENCH_USERNAME))

    def get(path: str):
        if fresh:
            move_data_version()
        return client.get(path)

    get(path)  # warm up templates and connections
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = get(path)
        elapsed = time.perf_counter() - started
    print(f"{path}: {response.status_code}, {len(queries)} queries, {elapsed * 1000:.0f} ms")
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]
    for q in slowest:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        get(path)
    cpu = (time.process_time() - cpu_started) / repeat * 1000
    wall = (time.perf_counter() - wall_started) / repeat * 1000
    print(f"  mean of {repeat}: {cpu:.1f} ms CPU in the portal's process, {wall:.1f} ms wall")
    profiler = Profiler()
    with profiler:
        for _ in range(repeat):
            get(path)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    main(args.path, args.repeat, args.fresh)
