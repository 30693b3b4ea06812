"""Two runs of a job at the same moment (two beat processes, a retry) still send each notice once."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from agreements.permissions import MANAGER
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from notifications.jobs import term_notices_send
from notifications.models import Notification

ON = datetime.date(2024, 12, 16)  # 30 days before the factory agreement's expiry


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_runs_claim_and_send_each_notice_once():
    parties = [PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")]
    AgreementFactory(parties=parties)
    for i, party in enumerate(parties * 3):
        UserFactory(username=f"manager{i}", party=party, roles=[MANAGER])

    start = threading.Barrier(2)
    claimed: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            claimed.append(len(term_notices_send(on=ON)))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(claimed) == 6
    assert Notification.objects.count() == 6
    assert len(mail.outbox) == 6
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
