"""A large claim is queued in chunks on the mail queue; mail workers send each notice once."""

import datetime
from collections import Counter

import pytest

from agreements.permissions import MANAGER
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from moa_portal.tests.smtp import RecordingSMTP
from moa_portal.tests.test_resilience_jobs import Worker, wait_until
from notifications import runs
from notifications.jobs import term_notices_send
from notifications.models import JobRun, Notification
from notifications.tasks import deliver_notices

ON = datetime.date(2024, 12, 16)  # 30 days before the factory agreement's expiry
MANAGERS = 11


# Committed data the workers read; serialized_rollback puts back the roles' groups.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_claim_queued_in_chunks_is_sent_by_two_mail_workers_each_notice_once(
    own_redis, tmp_path, settings
):
    """11 notices in chunks of 3 (one chunk queued twice, as a redelivered task would be), two
    mail worker processes, each chunk over two SMTP connections: each notice reaches the real
    SMTP server once, every row is marked sent after one attempt, and the chunks' runs count them."""
    settings.NOTIFICATION_QUEUE_FROM, settings.NOTIFICATION_CHUNK_SIZE = 5, 3
    server = RecordingSMTP()
    server.start()
    parties = [PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")]
    AgreementFactory(parties=parties)
    for i in range(MANAGERS):
        UserFactory(username=f"manager{i}", party=parties[i % 2], roles=[MANAGER])
    workers = []
    for n in range(2):
        worker = Worker(
            own_redis.url,
            tmp_path / f"mail{n}.log",
            "moa_portal.tests.smtp_mail",
            MOA_TEST_SMTP_PORT=str(server.port),
            NOTIFICATION_PARALLEL_FROM="2",
            NOTIFICATION_DELIVERY_THREADS="2",
        )
        worker.queue = settings.CELERY_TASK_ROUTES["notifications.tasks.deliver_notices"]["queue"]
        workers.append(worker)
    try:
        for worker in workers:
            worker.start()
        # Both ready (each frees the leases of its node name at start) before anything is claimed.
        wait_until(lambda: all("ready." in w.log.read_text() for w in workers), "the mail workers ready")
        run = runs.job_run_start(job="term countdown")
        sent_here = term_notices_send(on=ON)
        run = runs.job_run_finish(run)
        first = sorted(Notification.objects.values_list("pk", flat=True))[:3]
        deliver_notices.apply_async(args=[first])  # a chunk delivered twice
        pending = Notification.objects.filter(status=Notification.Status.PENDING)
        wait_until(lambda: not pending.exists(), "every notice sent")
        chunks = JobRun.objects.filter(job=deliver_notices.name)
        wait_until(
            lambda: chunks.filter(outcome=JobRun.Outcome.SUCCEEDED).count() == 5, "every chunk's run closed"
        )
    finally:
        for worker in workers:
            worker.stop()
        server.stop()

    assert sent_here == []  # the job only claimed and queued
    assert (run.claimed, run.sent) == (MANAGERS, 0)
    assert server.received() == Counter({f"manager{i}@example.gov": 1 for i in range(MANAGERS)})
    rows = list(Notification.objects.values_list("status", "attempts", "lease_owner"))
    assert rows == [("sent", 1, "")] * MANAGERS
    # Sent by the chunks (a worker's sweep at start may have taken a few first: the take decides).
    others = JobRun.objects.exclude(pk=run.pk)
    assert sum(others.values_list("sent", flat=True)) == MANAGERS
