"""Two updates posted at once leave the item's status equal to its latest update (issue 20:
2 of 15 tries used to leave the earlier update's status). Real PostgreSQL, two connections.

The interleaving is forced, not hoped for: the first writer keeps its transaction open until
the database shows the second writer waiting on a lock, then commits. Without the item's row
lock the second writer computes the status from what it can see (its own, earlier update) and
its write lands last.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from activities import services
from agreements.models import Commitment, CommitmentStatus

WAIT_LIMIT_SECONDS = 30


def _create(item_pk, doc, author, as_of, status):
    services.progress_update_create(
        commitment=Commitment.objects.get(pk=item_pk),
        acting_user=author,
        reporting_party=doc,
        as_of=as_of,
        status=status,
        percent_complete=50,
        narrative="At once.",
    )


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_updates_posted_at_once_leave_the_status_of_the_latest(moa, doc, doc_staff):
    item = moa.commitments.get(code="DOC-A1")
    later_day, earlier_day = datetime.date(2019, 2, 1), datetime.date(2019, 1, 1)
    second_pid: list[int] = []
    second_ready, second_go, first_holding = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                _create(item.pk, doc, doc_staff, later_day, CommitmentStatus.AT_RISK)
                first_holding.set()
                second_go.set()
                deadline = time.monotonic() + WAIT_LIMIT_SECONDS
                while not _waiting_on_a_lock(second_pid[0]):
                    assert time.monotonic() < deadline, "the second writer never waited on the item"
                    time.sleep(0.05)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connection.close()

    def second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            second_ready.set()
            second_go.wait(WAIT_LIMIT_SECONDS)
            _create(item.pk, doc, doc_staff, earlier_day, CommitmentStatus.BLOCKED)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connection.close()

    t2 = threading.Thread(target=second)
    t2.start()
    assert second_ready.wait(WAIT_LIMIT_SECONDS)
    t1 = threading.Thread(target=first)
    t1.start()
    t1.join(WAIT_LIMIT_SECONDS * 2)
    t2.join(WAIT_LIMIT_SECONDS * 2)
    assert not errors, errors
    item.refresh_from_db()
    assert item.updates.latest_first().first().as_of == later_day
    assert item.status == CommitmentStatus.AT_RISK
