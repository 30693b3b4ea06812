"""Resilience of the notice jobs: a Celery worker killed mid-job, and Redis stopped under the portal.

Each test starts its own throwaway redis-server on a free loopback port (no persistence) and
its own worker process on the test database (committed data: transaction=True), so stopping
Redis never touches the one the rest of the suite uses. Each is bounded in time.
"""

from __future__ import annotations

import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from activities.models import ProgressUpdate
from agreements.models import Commitment, Party
from agreements.permissions import MANAGER
from agreements.tests.factories import CommitmentFactory, UserFactory
from core.time import today
from moa_portal.celery import app as celery_app
from notifications.models import Kind, Notification
from notifications.tasks import send_term_notices
from notifications.tests.test_worker import ON, database_url, make_everything_due, run_jobs

ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 45


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of our own on 127.0.0.1, no persistence; stop() and start() keep the port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            assert time.monotonic() < deadline, "redis-server did not start within 15 s"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None


@pytest.fixture
def own_redis(settings):
    """A throwaway Redis, made the broker of this process (settings and the Celery app's pools)."""
    server = ThrowawayRedis()
    server.start()
    saved = celery_app.conf.broker_url

    def reset_pools():
        # Forget (do not close: kombu shares them by URL) the pools made for the other URL.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    settings.CELERY_BROKER_URL = server.url
    celery_app.conf.broker_url = server.url
    reset_pools()
    try:
        yield server
    finally:
        celery_app.conf.broker_url = saved
        reset_pools()
        server.stop()


class Worker:
    """`celery -A moa_portal worker` on the test database and the given broker, on a queue of its own."""

    def __init__(self, broker_url: str, log: Path, settings_module: str, **env: str) -> None:
        self.queue = f"moa-test-{uuid.uuid4().hex[:12]}"
        self.broker_url = broker_url
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "moa_portal",
                    "worker",
                    "--pool=solo",
                    "--queues",
                    self.queue,
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def result_of(task_id: str, broker_url: str):
    backend = RedisBackend(app=celery_app, url=broker_url)
    return AsyncResult(task_id, app=celery_app, backend=backend).get(timeout=WAIT_SECONDS)


def sent_to(mail_dir: Path) -> Counter:
    """Each recipient address in the messages the file backend wrote, with how often."""
    addresses: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                addresses[email.message_from_string(chunk.strip())["To"]] += 1
    return addresses


def wait_until(condition, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


# Committed data the worker can see; serialized_rollback puts back the roles' groups (made by a
# data migration) that the flush at the end removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_job_leaves_every_due_notice_sent_exactly_once(own_redis, tmp_path):
    make_everything_due()
    party = Party.objects.get(acronym="AAA")
    for n in range(4):
        UserFactory(username=f"a.manager{n}", party=party, roles=[MANAGER])
    managers = {f"{u}@example.gov" for u in ["a.manager", "b.manager"] + [f"a.manager{n}" for n in range(4)]}
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = Worker(
        own_redis.url,
        tmp_path / "worker.log",
        "moa_portal.tests.slow_mail",
        MOA_TEST_MAIL_DIR=str(mail_dir),
        MOA_TEST_MAIL_DELAY="1.5",
    )
    worker.start()
    try:
        job = send_term_notices.apply_async(kwargs={"on": ON.isoformat()}, queue=worker.queue)
        # Two of the six notices are out; the worker is pausing before the third: kill it there.
        wait_until(lambda: len(list(mail_dir.glob("*.log"))) >= 2, "two notices sent")
        time.sleep(0.5)
        worker.kill()
        sent_before = sent_to(mail_dir)
        assert 2 <= sum(sent_before.values()) < len(managers)
        assert Notification.objects.filter(kind=Kind.TERM_NOTICE).count() == len(managers)  # all claimed

        restarted = time.monotonic()
        worker.start()
        # At start the worker frees the notice its killed self had taken and sweeps at once: the
        # rest goes out within a minute of the restart (the killed job, acks_late, also comes back).
        wait_until(lambda: sum(sent_to(mail_dir).values()) >= len(managers), "the rest sent", seconds=60)
        print(f"FIGURE killed worker: the rest sent {time.monotonic() - restarted:.1f} s after the restart")
        assert result_of(job.id, own_redis.url) >= 0
    finally:
        worker.stop()

    assert sent_to(mail_dir) == Counter(dict.fromkeys(managers, 1))
    rows = Notification.objects.filter(kind=Kind.TERM_NOTICE)
    assert sorted(rows.values_list("recipient", "status")) == sorted(
        (address, Notification.Status.SENT) for address in managers
    )
    # The notice the killed worker had taken counts that attempt and the one that sent it.
    assert sorted(rows.values_list("attempts", flat=True)) == [1] * (len(managers) - 1) + [2]


def healthz_broker(client) -> str:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    return response.json()["broker"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_stopped_pages_answer_and_updates_save_and_notices_follow_once_it_is_back(
    own_redis, tmp_path, client
):
    make_everything_due()
    manager = get_user_model().objects.get(username="a.manager")
    running = Commitment.objects.get(owner__username="owner").agreement
    item = CommitmentFactory(agreement=running, owner=None, title="Reported while Redis is down")
    worker = Worker(own_redis.url, tmp_path / "worker.log", "moa_portal.tests.slow_mail")
    worker.start()
    try:
        client.force_login(manager)
        assert healthz_broker(client) == "ok"  # connected before the outage

        own_redis.stop()
        started = time.monotonic()
        pages = [
            reverse("my_work"),
            reverse("agreements:list"),
            running.get_absolute_url(),
            item.get_absolute_url(),
            reverse("activities:commitment_list") + f"?agreement={running.slug}&status=at_risk&party=AAA",
            reverse("activities:update_create", kwargs={"slug": running.slug, "code": item.code}),
            reverse("compliance:dashboard") + f"?agreement={running.slug}",
            reverse("notifications:list"),
        ]
        statuses = {page: client.get(page).status_code for page in pages}
        assert statuses == dict.fromkeys(pages, 200)
        assert healthz_broker(client).startswith("error")
        response = client.post(
            reverse("activities:update_create", kwargs={"slug": running.slug, "code": item.code}),
            {
                "as_of": min(today(), running.expires_on).isoformat(),  # within the term
                "status": "at_risk",
                "percent_complete": "40",
                "narrative": "Saved while Redis is down.",
                "next_steps": "",
                "reporting_party": Party.objects.get(acronym="AAA").pk,
            },
        )
        assert response.status_code == 302
        assert ProgressUpdate.objects.filter(commitment=item, narrative="Saved while Redis is down.").exists()
        assert time.monotonic() - started < 20  # no page waited long on the broker

        own_redis.start()
        # The next beat tick queues the day's jobs; the worker that lived through the outage runs them.
        assert run_jobs(worker.queue) == [2, 2, 1, 1, 1]
    finally:
        worker.stop()
    assert Notification.objects.count() == 7
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}
