"""Sorting the users list an admin keeps by a column (`?sort=`, core/sorting.py)."""

import pytest
from django.urls import reverse

from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import PartyFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("people:list")


@pytest.fixture
def admin_client(client):
    party = PartyFactory(acronym="OWN")
    client.force_login(
        UserFactory(username="mia.admin", last_name="Young", party=party, roles=[ADMIN], is_staff=True)
    )
    UserFactory(
        username="ann.zed",
        first_name="Ann",
        last_name="Zed",
        email="z@example.gov",
        party=party,
        roles=[STAFF],
    )
    UserFactory(
        username="bob.alt",
        first_name="Bob",
        last_name="Alt",
        email="a@example.gov",
        party=party,
        roles=[STAFF],
    )
    UserFactory(username="cy.gone", last_name="Moe", email="m@example.gov", party=party, is_active=False)
    return client


def usernames(response) -> list[str]:
    return [u.username for u in response.context["users"]]


def test_without_a_sort_active_users_come_first_by_username(admin_client):
    assert usernames(admin_client.get(LIST)) == ["ann.zed", "bob.alt", "mia.admin", "cy.gone"]


def test_the_users_are_sorted_by_name(admin_client):
    response = admin_client.get(LIST, {"sort": "name"})
    assert usernames(response)[:2] == ["bob.alt", "cy.gone"]
    assert response.context["sort"]["name"].aria_sort == "ascending"
    assert 'aria-sort="ascending"' in response.content.decode()


def test_the_users_are_sorted_by_email_descending(admin_client):
    response = admin_client.get(LIST, {"sort": "-email"})
    assert usernames(response) == ["ann.zed", "mia.admin", "cy.gone", "bob.alt"]
    assert response.context["sort"]["email"].next == "ascending"


def test_inactive_users_come_first_when_sorted_by_status_ascending(admin_client):
    assert usernames(admin_client.get(LIST, {"sort": "status"}))[0] == "cy.gone"


@pytest.mark.parametrize("value", ["nonsense", "roles", "-", "password", "groups__name"])
def test_an_unknown_sort_keeps_the_default_order(admin_client, value):
    response = admin_client.get(LIST, {"sort": value})
    assert response.status_code == 200
    assert usernames(response) == ["ann.zed", "bob.alt", "mia.admin", "cy.gone"]


def test_a_header_is_a_link_with_its_next_order_for_screen_readers(admin_client):
    html = admin_client.get(LIST).content.decode()
    assert (
        '<a href="?sort=username" class="sort-link">Username<span class="visually-hidden"> (sort ascending)'
        in html
    )


def test_staff_may_not_sort_the_list_either(client):
    client.force_login(UserFactory(party=PartyFactory(), roles=[STAFF]))
    assert client.get(LIST, {"sort": "name"}).status_code == 403
