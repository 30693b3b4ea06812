"""Whose view a kept value is: the same rule as the agreements a user may see."""

import uuid

import pytest

from agreements import data_cache
from agreements.permissions import MANAGER, STAFF
from agreements.tests.factories import PartyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_and_managers_of_one_party_share_a_view():
    party = PartyFactory()
    staff = UserFactory(party=party, roles=[STAFF])
    manager = UserFactory(party=party, roles=[MANAGER])
    assert data_cache.viewer_scope(staff) == data_cache.viewer_scope(manager)


def test_a_member_without_a_role_does_not_share_the_partys_view():
    party = PartyFactory()
    assert data_cache.viewer_scope(UserFactory(party=party)) != data_cache.viewer_scope(
        UserFactory(party=party, roles=[STAFF])
    )


def test_two_parties_have_views_of_their_own():
    assert data_cache.viewer_scope(
        UserFactory(party=PartyFactory(), roles=[STAFF])
    ) != data_cache.viewer_scope(UserFactory(party=PartyFactory(), roles=[STAFF]))


def test_a_superuser_sees_every_agreement_whatever_their_party():
    superuser = UserFactory(party=PartyFactory(), is_superuser=True)
    assert data_cache.viewer_scope(superuser) == "all"


def test_a_kept_value_is_computed_once_until_the_records_change():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    name = f"test-{uuid.uuid4().hex}"  # nothing kept under it by an earlier run
    assert data_cache.kept(name, ["x"], compute) == 1
    assert data_cache.kept(name, ["x"], compute) == 1
    PartyFactory()
    assert data_cache.kept(name, ["x"], compute) == 2
