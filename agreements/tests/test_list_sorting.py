"""Sorting the agreements list by a column (`?sort=`, core/sorting.py), kept across its pages."""

import datetime

import pytest
from django.urls import reverse

from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("agreements:list")


@pytest.fixture
def own():
    return PartyFactory(acronym="OWN")


@pytest.fixture
def viewer(client, own):
    client.force_login(UserFactory(party=own, roles=[STAFF]))
    return client


@pytest.fixture
def agreements(own):
    made = {}
    for name, executed in (("Bravo", 2019), ("Alpha", 2021), ("Charlie", 2020)):
        made[name] = AgreementFactory(
            short_name=name, parties=[own, PartyFactory()], executed_on=datetime.date(executed, 3, 1)
        )
    return made


def names(response) -> list[str]:
    return [a.short_name for a in response.context["agreements"]]


def test_without_a_sort_the_newest_executed_come_first_and_the_header_says_so(viewer, agreements):
    response = viewer.get(LIST)
    assert names(response) == ["Alpha", "Charlie", "Bravo"]
    assert response.context["sort"]["executed"].aria_sort == "descending"
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_list_is_sorted_by_name(viewer, agreements):
    response = viewer.get(LIST, {"sort": "agreement"})
    assert names(response) == ["Alpha", "Bravo", "Charlie"]
    assert response.context["sort"]["agreement"].aria_sort == "ascending"
    assert response.context["sort"]["agreement"].url == "?sort=-agreement"


def test_the_list_is_sorted_by_expiry_descending(viewer, agreements):
    response = viewer.get(LIST, {"sort": "-expires"})
    assert names(response) == ["Alpha", "Charlie", "Bravo"]


@pytest.mark.parametrize("value", ["nonsense", "-", "parties", "status", "x" * 300])
def test_an_unknown_sort_keeps_the_default_order(viewer, agreements, value):
    response = viewer.get(LIST, {"sort": value})
    assert response.status_code == 200
    assert names(response) == ["Alpha", "Charlie", "Bravo"]


def test_the_pages_keep_the_sort(viewer, own):
    for n in range(30):
        AgreementFactory(short_name=f"Pact {n:02}", parties=[own])
    response = viewer.get(LIST, {"sort": "-agreement"})
    assert "?sort=-agreement&amp;page=2" in response.content.decode()
    assert names(viewer.get(LIST, {"sort": "-agreement", "page": "2"}))[0] == "Pact 04"


def test_a_header_link_starts_again_at_page_one(viewer, own):
    for n in range(30):
        AgreementFactory(short_name=f"Pact {n:02}", parties=[own])
    response = viewer.get(LIST, {"sort": "agreement", "page": "2"})
    assert response.context["sort"]["expires"].url == "?sort=expires"
