"""The kept dashboard: served again until the data under it changes, never across viewers."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from activities.tests.factories import ProgressUpdateFactory
from agreements.models import CommitmentStatus
from agreements.permissions import MANAGER
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from compliance.tests.conftest import NY
from core import cache as data_cache

pytestmark = pytest.mark.django_db
URL = reverse("compliance:dashboard")
QUERY = {"agreement": "pact", "as_of": "2021-06-30"}
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def _board_rendered(response) -> bool:
    return "compliance/_board.html" in [t.name for t in response.templates]


def test_a_second_view_with_nothing_changed_is_served_from_the_cache(client, pact, manager):
    client.force_login(manager)
    assert _board_rendered(client.get(URL, QUERY))
    again = client.get(URL, QUERY)
    assert again.status_code == 200
    assert not _board_rendered(again)
    assert b"Compliance dashboard" in again.content


def test_a_kept_dashboard_costs_a_handful_of_queries(client, pact, manager, django_assert_max_num_queries):
    client.force_login(manager)
    client.get(URL, QUERY)
    with django_assert_max_num_queries(5):  # session, user and party, roles, unread count
        assert client.get(URL, QUERY).status_code == 200


def test_a_progress_update_saved_after_a_view_shows_on_the_next_view(client, pact, abc, manager):
    item = CommitmentFactory(agreement=pact, lead_party=abc, title="Pilot the data exchange")
    client.force_login(manager)
    assert client.get(URL, QUERY).context["commitments"].total == 1
    ProgressUpdateFactory(commitment=item, reporting_party=abc, status=CommitmentStatus.AT_RISK)
    response = client.get(URL, QUERY)
    assert _board_rendered(response)
    totals = {t.status: t.n for t in response.context["commitments"].totals}
    assert totals[CommitmentStatus.AT_RISK] == 1


def test_a_new_item_shows_on_the_next_view(client, pact, abc, manager):
    client.force_login(manager)
    assert client.get(URL, QUERY).context["commitments"].total == 0
    CommitmentFactory(agreement=pact, lead_party=abc)
    assert client.get(URL, QUERY).context["commitments"].total == 1


def test_a_party_added_to_the_agreement_shows_on_the_next_view(client, pact, manager):
    new = PartyFactory(acronym="NEW")  # before the first view: only the link may move the version
    client.force_login(manager)
    client.get(URL, QUERY)
    pact.parties.add(new)
    response = client.get(URL, QUERY)
    assert _board_rendered(response)
    assert "NEW" in [p.acronym for p in response.context["parties"]]


def test_managers_of_different_parties_never_share_a_kept_dashboard(client, pact, abc, xyz, manager):
    AgreementFactory(slug="only-abc", short_name="Only ABC", parties=[abc, PartyFactory()])
    other = UserFactory(username="xyz.manager", party=xyz, roles=[MANAGER])
    client.force_login(manager)
    assert b"Only ABC" in client.get(URL, QUERY).content
    client.force_login(other)
    response = client.get(URL, QUERY)
    assert _board_rendered(response)
    assert b"Only ABC" not in response.content


def test_another_query_is_kept_apart(client, pact, manager):
    client.force_login(manager)
    client.get(URL, QUERY)
    response = client.get(URL, {**QUERY, "as_of": "2021-03-31"})
    assert _board_rendered(response)
    assert response.context["filters"].as_of == datetime.date(2021, 3, 31)


def test_the_next_day_the_dashboard_is_computed_again(client, pact, manager):
    before_midnight = datetime.datetime(2026, 11, 23, 23, 50, tzinfo=NY)
    with time_machine.travel(before_midnight, tick=False) as clock:
        client.force_login(manager)
        client.get(URL, {"agreement": "pact"})
        clock.shift(datetime.timedelta(minutes=20))
        response = client.get(URL, {"agreement": "pact"})
    assert _board_rendered(response)
    assert response.context["filters"].as_of == datetime.date(2026, 11, 24)


def test_a_staff_member_is_refused_even_when_a_manager_has_the_dashboard_kept(client, pact, manager, staff):
    client.force_login(manager)
    client.get(URL, QUERY)
    client.force_login(staff)
    assert client.get(URL, QUERY).status_code == 403


def test_the_data_version_moves_at_once_and_again_when_the_change_commits(
    pact, django_capture_on_commit_callbacks
):
    party = PartyFactory()  # saved first: only the link moves the version below
    before = data_cache.data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pact.parties.add(party)
        moved_at_once = data_cache.data_version()
    assert moved_at_once > before
    assert callbacks
    assert data_cache.data_version() > moved_at_once


def test_with_the_cache_unreachable_the_dashboard_still_answers(client, pact, manager, settings):
    settings.CACHES = UNREACHABLE
    client.force_login(manager)
    response = client.get(URL, QUERY)
    assert response.status_code == 200
    assert response.context["filters"].agreement == pact


def test_with_the_cache_unreachable_a_change_still_saves(pact, settings):
    settings.CACHES = UNREACHABLE
    CommitmentFactory(agreement=pact, title="Saved without a cache")
    assert pact.commitments.filter(title="Saved without a cache").exists()


def test_a_version_move_that_failed_is_made_before_anything_kept_is_read(pact, settings):
    before = data_cache.data_version()
    working = settings.CACHES
    settings.CACHES = UNREACHABLE
    data_cache.move_data_version()  # a save while the cache is unreachable
    settings.CACHES = working  # the cache is back
    assert data_cache.data_version() > before
