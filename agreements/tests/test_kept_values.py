"""Whose view a kept value is: the scope comes from the same decision as the agreements a user sees."""

import itertools
import threading
import time
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from agreements.permissions import MANAGER, STAFF, viewer_scope, visibility_of, visible_agreements
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from core import cache

pytestmark = pytest.mark.django_db


def test_staff_and_managers_of_one_party_share_a_view():
    party = PartyFactory()
    staff = UserFactory(party=party, roles=[STAFF])
    manager = UserFactory(party=party, roles=[MANAGER])
    assert viewer_scope(staff) == viewer_scope(manager)


def test_a_member_without_a_role_does_not_share_the_partys_view():
    party = PartyFactory()
    assert viewer_scope(UserFactory(party=party)) != viewer_scope(UserFactory(party=party, roles=[STAFF]))


def test_two_parties_have_views_of_their_own():
    assert viewer_scope(UserFactory(party=PartyFactory(), roles=[STAFF])) != viewer_scope(
        UserFactory(party=PartyFactory(), roles=[STAFF])
    )


def test_a_superuser_sees_every_agreement_whatever_their_party():
    superuser = UserFactory(party=PartyFactory(), is_superuser=True)
    assert viewer_scope(superuser) == "all"


def test_users_who_see_different_agreements_never_share_a_scope():
    """The safety the kept pages rely on: a shared key means the same agreements are seen."""
    doc, dhs, cbp = PartyFactory(), PartyFactory(), PartyFactory()
    AgreementFactory(parties=[doc, dhs])
    AgreementFactory(parties=[doc, cbp])
    AgreementFactory(parties=[dhs, cbp])
    users = [
        AnonymousUser(),
        UserFactory(),  # no party, no role
        UserFactory(roles=[STAFF]),  # a role but no party
        UserFactory(party=doc),  # a party but no role
        UserFactory(party=doc, roles=[STAFF]),
        UserFactory(party=doc, roles=[MANAGER]),
        UserFactory(party=dhs, roles=[STAFF]),
        UserFactory(party=cbp, roles=[MANAGER]),
        UserFactory(party=doc, roles=[STAFF], is_active=False),
        UserFactory(is_superuser=True),
    ]
    for a, b in itertools.combinations(users, 2):
        if viewer_scope(a) == viewer_scope(b):
            assert set(visible_agreements(a)) == set(visible_agreements(b)), (a, b)


def test_the_scope_and_the_agreements_come_from_one_decision():
    party = PartyFactory()
    agreement = AgreementFactory(parties=[party, PartyFactory()])
    AgreementFactory()  # another parties' agreement
    seen = visibility_of(UserFactory(party=party, roles=[STAFF]))
    assert (list(seen.agreements), seen.scope) == ([agreement], f"party-{party.pk}")


def test_a_kept_value_is_computed_once_until_the_records_change():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    name = f"test-{uuid.uuid4().hex}"  # nothing kept under it by an earlier run
    assert cache.kept(name, ["x"], compute) == 1
    assert cache.kept(name, ["x"], compute) == 1
    PartyFactory()
    assert cache.kept(name, ["x"], compute) == 2


def _at_once(count: int, call):
    """`call()` in `count` threads released together; their results in thread order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_requests_that_miss_a_kept_value_together_compute_it_once():
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.3)  # long enough for the others to find it being computed
        return "counted"

    name = f"test-{uuid.uuid4().hex}"
    assert _at_once(4, lambda: cache.kept(name, ["x"], compute)) == ["counted"] * 4
    assert len(calls) == 1


def test_a_computation_that_fails_lets_the_next_request_compute_at_once():
    name = f"test-{uuid.uuid4().hex}"

    def fail():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cache.kept(name, ["x"], fail)
    started = time.monotonic()
    assert cache.kept(name, ["x"], lambda: "counted") == "counted"
    assert time.monotonic() - started < cache.WAIT_SECONDS / 2  # no wait for the failed one's mark


def test_a_request_waits_no_longer_than_the_limit_for_another_that_hangs(monkeypatch):
    name = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr(cache, "WAIT_SECONDS", 0.2)
    release = threading.Event()

    def hang():
        release.wait(timeout=10)
        return "late"

    hanging = threading.Thread(target=lambda: cache.kept(name, ["x"], hang))
    hanging.start()
    try:
        time.sleep(0.1)  # the hanging request has marked the value as being computed
        started = time.monotonic()
        assert cache.kept(name, ["x"], lambda: "its own") == "its own"
        assert time.monotonic() - started < 2
    finally:
        release.set()
        hanging.join(timeout=10)
