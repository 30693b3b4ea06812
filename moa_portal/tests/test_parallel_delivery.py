"""A large run of notices goes over several SMTP connections at once, each notice still once."""

import datetime
from collections import Counter

import pytest

from agreements.permissions import MANAGER
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from moa_portal.tests.smtp import RecordingSMTP
from notifications import runs
from notifications.jobs import term_notices_send
from notifications.models import Notification

ON = datetime.date(2024, 12, 16)  # 30 days before the factory agreement's expiry


# Committed data: the delivery's threads read it over connections of their own.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_run_sent_over_several_smtp_connections_sends_each_notice_once(settings):
    """A run of NOTIFICATION_PARALLEL_FROM or more is split over threads, each with its own mail
    and database connections; each notice still goes once, is marked, and is counted in the run."""
    settings.NOTIFICATION_PARALLEL_FROM, settings.NOTIFICATION_DELIVERY_THREADS = 2, 3
    server = RecordingSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    parties = [PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")]
    AgreementFactory(parties=parties)
    for i in range(7):
        UserFactory(username=f"manager{i}", party=parties[i % 2], roles=[MANAGER])
    server.start()
    try:
        run = runs.job_run_start(job="term countdown")
        sent = term_notices_send(on=ON)
        run = runs.job_run_finish(run)
    finally:
        server.stop()

    assert len(sent) == 7
    assert server.received() == Counter({f"manager{i}@example.gov": 1 for i in range(7)})
    rows = list(Notification.objects.values_list("status", "attempts", "lease_owner"))
    assert rows == [("sent", 1, "")] * 7
    assert (run.claimed, run.sent, run.failed) == (7, 7, 0)
