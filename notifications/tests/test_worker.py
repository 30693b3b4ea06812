"""A real Celery worker process, against the real Redis and PostgreSQL, runs every job twice.

The worker is started as `celery -A moa_portal worker` on the test database (the data is
committed: transactional_db), consumes from a queue of its own, and is stopped at the end.
"""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection

from activities.tests.factories import MeetingFactory, ProgressUpdateFactory
from agreements.permissions import MANAGER
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from moa_portal.celery import app as celery_app
from notifications.models import Kind, Notification
from notifications.tasks import (
    send_meeting_reminders,
    send_minutes_nudges,
    send_stale_digests,
    send_term_notices,
    send_unscheduled_quarter_notices,
)
from notifications.tests.factories import PointOfContactFactory

BASE_DIR = Path(settings.BASE_DIR)
NY = ZoneInfo("America/New_York")
ON = datetime.date(2021, 5, 11)  # day 41 of 2021 Q2
JOBS = [
    send_term_notices,
    send_meeting_reminders,
    send_unscheduled_quarter_notices,
    send_minutes_nudges,
    send_stale_digests,
]
WAIT_SECONDS = 120


def database_url() -> str:
    """The test database (pytest-django's `test_` + the configured name), for the worker."""
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """Start a worker on a queue of its own; stop it afterwards (terminate, then kill)."""
    queue = f"moa-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_BROKER_URL,
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "moa_portal",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        if process.returncode not in (0, -15):
            print((tmp_path / "worker.log").read_text())


def run_jobs(queue: str) -> list[int]:
    """Queue every job for the day, and wait (bounded) for each result from the worker."""
    backend = RedisBackend(app=celery_app, url=settings.CELERY_BROKER_URL)
    sent = [job.apply_async(kwargs={"on": ON.isoformat()}, queue=queue) for job in JOBS]
    return [AsyncResult(r.id, app=celery_app, backend=backend).get(timeout=WAIT_SECONDS) for r in sent]


def make_everything_due():
    """One notice of every kind is due on ON."""
    a_party, b_party = PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")
    ending = AgreementFactory(parties=[a_party, b_party], executed_on=datetime.date(2016, 6, 1))
    UserFactory(username="a.manager", party=a_party, roles=[MANAGER])
    UserFactory(username="b.manager", party=b_party, roles=[MANAGER])
    PointOfContactFactory(agreement=ending, party=a_party, email="coord@example.gov", is_coordinator=True)

    running = AgreementFactory(parties=[a_party, b_party])
    PointOfContactFactory(agreement=running, party=b_party, email="poc@example.gov")
    meeting = MeetingFactory(
        agreement=running, starts_at=datetime.datetime(2021, 5, 12, 10, tzinfo=NY), minutes=""
    )
    meeting.attendee_users.add(UserFactory(username="attendee"))
    MeetingFactory(
        agreement=running,
        kind="other",
        starts_at=datetime.datetime(2021, 5, 1, 10, tzinfo=NY),
        minutes="",
        organiser=UserFactory(username="organiser"),
    )
    item = CommitmentFactory(agreement=running, owner=UserFactory(username="owner"))
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2020, 12, 1))


# Committed data the worker can see; serialized_rollback puts back the roles' groups (made by a
# data migration) that the flush at the end removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_running_every_job_twice_sends_each_notice_once(worker):
    make_everything_due()

    first = run_jobs(worker)
    second = run_jobs(worker)

    assert first == [2, 2, 1, 1, 1]
    assert second == [0, 0, 0, 0, 0]
    notices = list(Notification.objects.values_list("kind", "recipient", "status", "attempts"))
    assert sorted(notices) == sorted(
        [
            (Kind.TERM_NOTICE, "a.manager@example.gov", "sent", 1),
            (Kind.TERM_NOTICE, "b.manager@example.gov", "sent", 1),
            (Kind.MEETING_REMINDER, "attendee@example.gov", "sent", 1),
            (Kind.MEETING_REMINDER, "poc@example.gov", "sent", 1),
            (Kind.MEETING_UNSCHEDULED, "coord@example.gov", "sent", 1),
            (Kind.MINUTES_MISSING, "organiser@example.gov", "sent", 1),
            (Kind.STALE_DIGEST, "owner@example.gov", "sent", 1),
        ]
    )
