"""Resilience: the portal, served by gunicorn, keeps answering and keeps what it saved.

These tests start their own throwaway PostgreSQL (initdb/pg_ctl on a free loopback port, in
a temporary directory, as the `postgres` user when the suite runs as root, as CI does) and
their own gunicorn (2 workers, the bench settings: production's plus the bench app, whose
dataset and sessions they use) pointed at it, so stopping the database
never touches the one the rest of the suite uses. Everything is on 127.0.0.1 and each test
is bounded in time. The Redis-stopped and Celery-worker-killed tests are in
moa_portal/tests/test_resilience_jobs.py.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from bench.data import BENCH_USERNAME

ROOT = Path(__file__).resolve().parents[2]
LOAD_SECONDS = 30
LOAD_CLIENTS = 20
# Each worker's resident memory may grow by at most this much over the sustained load,
# measured after a warm-up at the same load (templates, URL maps and connections cached).
RSS_GROWTH_BOUND_KIB = 20 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("PostgreSQL's initdb is not installed (apt-get install postgresql).")
    return Path(found[-1]).parent


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own: trust auth on 127.0.0.1 only, removed afterwards."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="moa-resilience-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.bin = postgres_bin()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self.url = f"postgres://moa@127.0.0.1:{self.port}/moa"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "moa", "-A", "trust", "--no-sync")
        self.start()
        conn = psycopg2.connect(f"postgres://moa@127.0.0.1:{self.port}/postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE moa")
        conn.close()

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
        log = str(self.dir / "postgres.log")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        conn = psycopg2.connect(self.url)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Portal:
    """gunicorn serving the portal on a throwaway database, and sessions to load it with."""

    base_port: int
    pg: ThrowawayPostgres
    gunicorn: subprocess.Popen
    reader_cookie: str
    admin_cookie: str
    csrf: str

    def request(self, method: str, path: str, *, cookie: str | None = None, body: str = "") -> int:
        """One request; the status, or 0 when no HTTP answer came at all."""
        headers = {"Cookie": f"{cookie or self.reader_cookie}; csrftoken={self.csrf}"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.base_port, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError:
            return 0
        finally:
            conn.close()

    def add_party(self, acronym: str) -> int:
        """Save a record through the portal (the admin's add form): 302 means it confirmed the save."""
        body = (
            f"key={acronym.lower()}&acronym={acronym}&name=Resilience+{acronym}&department=Tests"
            f"&_save=Save&csrfmiddlewaretoken={self.csrf}"
        )
        return self.request("POST", "/admin/agreements/party/add/", cookie=self.admin_cookie, body=body)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children").read_text()
        return sorted(int(p) for p in children.split())


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout.strip()


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    pg = ThrowawayPostgres()
    gunicorn = None
    try:
        pg.init()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "moa_portal.settings.bench",
            "DATABASE_URL": pg.url,
            "SECRET_KEY": secrets.token_hex(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            # What production refuses to start without (moa_portal/checks.py); no mail is sent here.
            "EMAIL_URL": "smtp://127.0.0.1:25",
            "PORTAL_URL": "https://moa.example.gov",
            "DEFAULT_FROM_EMAIL": "moa-portal@example.gov",
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
            # collectstatic and uploads write here, not into the checkout's var/.
            "STATIC_ROOT": str(tmp_path_factory.mktemp("staticfiles")),
            "MEDIA_ROOT": str(tmp_path_factory.mktemp("evidence")),
        }
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "generate_bench_data", "--scale", "0.01")
        manage(env, "collectstatic", "--no-input", "-v0")
        manage(
            env, "createsuperuser", "--no-input", "--username", "resilience.admin", "--email", "r@example.gov"
        )
        reader = manage(env, "bench_session", "--username", BENCH_USERNAME)
        admin = manage(env, "bench_session", "--username", "resilience.admin")
        port = free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "moa_portal.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        running = Portal(port, pg, gunicorn, reader, admin, secrets.token_hex(16))
        deadline = time.monotonic() + 60
        while running.request("GET", "/bench/floor") != 200:
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.5)
        yield running
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        pg.remove()


PAGES = [
    "/bench/floor",
    "/agreements/",
    "/agreements/bench-001/",
    "/agreements/bench-001/commitments/IV.2.a/",
]


def warm_up(portal: Portal) -> None:
    """Enough requests that both workers hold a database connection (CONN_MAX_AGE)."""
    for _ in range(3):
        for path in PAGES:
            assert portal.request("GET", path) == 200


def test_requests_right_after_a_postgresql_restart_succeed(portal):
    warm_up(portal)
    portal.pg.stop("fast")
    portal.pg.start()
    # Each worker's persistent connection is now dead; CONN_HEALTH_CHECKS replaces it.
    statuses = [portal.request("GET", path) for _ in range(3) for path in PAGES]
    assert statuses == [200] * len(statuses)


def test_every_save_the_portal_confirmed_survives_a_postgresql_crash(portal):
    warm_up(portal)
    confirmed, refused = [], []
    for n in range(30):
        acronym = f"RZ{n}"
        if n == 10:
            portal.pg.stop("immediate")  # a crash: no checkpoint, recovery replays the WAL
        if n == 20:
            portal.pg.start()
        (confirmed if portal.add_party(acronym) == 302 else refused).append(acronym)
    kept = {
        row[0] for row in portal.pg.query("SELECT acronym FROM agreements_party WHERE acronym LIKE 'RZ%%'")
    }
    assert len(confirmed) >= 20 and len(refused) >= 10  # the outage was real and the portal came back
    assert set(confirmed) <= kept


def test_sustained_load_has_no_errors_and_bounded_worker_memory(portal):
    warm_up(portal)
    workers = portal.worker_pids()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client(stop_at: float, index: int) -> None:
        n = index
        while time.monotonic() < stop_at:
            status = portal.request("GET", PAGES[n % len(PAGES)])
            n += 1
            with lock:
                statuses[status] += 1

    def load(seconds: float) -> None:
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(stop_at, i)) for i in range(LOAD_CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 60)

    load(5)  # warm-up at the same load
    before = {pid: rss_kib(pid) for pid in workers}
    statuses.clear()
    load(LOAD_SECONDS)
    after = {pid: rss_kib(pid) for pid in workers}

    assert portal.worker_pids() == workers  # no worker crashed or was killed for a timeout
    assert set(statuses) == {200}, statuses
    growth = {pid: after[pid] - before[pid] for pid in workers}
    assert max(growth.values()) < RSS_GROWTH_BOUND_KIB, growth
