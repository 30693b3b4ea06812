"""The lists a manager reaches from the dashboard lead back to it with its filters as they were."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("compliance:dashboard")


def test_a_list_leads_back_to_the_dashboard_with_its_filters(client, pact, manager):
    client.force_login(manager)
    client.get(DASHBOARD, {"agreement": "pact", "as_of": "2021-06-30", "party": "ABC"})
    for url in (
        reverse("activities:commitment_list") + "?agreement=pact&status=at_risk&sort=-status",
        reverse("activities:meeting_list"),
        reverse("contacts:list") + "?agreement=pact",
    ):
        response = client.get(url)
        assert response.context["dashboard_return_url"]() == (
            f"{DASHBOARD}?agreement=pact&as_of=2021-06-30&party=ABC"
        )
        assert b"Back to the dashboard" in response.content


def test_the_way_back_follows_the_dashboard_last_shown(client, pact, manager):
    client.force_login(manager)
    client.get(DASHBOARD, {"agreement": "pact", "as_of": "2021-06-30"})
    client.get(DASHBOARD, {"agreement": "pact", "as_of": "2022-03-31"})
    response = client.get(reverse("activities:commitment_list"))
    assert response.context["dashboard_return_url"]() == f"{DASHBOARD}?agreement=pact&as_of=2022-03-31"


def test_no_way_back_before_the_dashboard_was_opened(client, pact, manager):
    client.force_login(manager)
    assert b"Back to the dashboard" not in client.get(reverse("activities:commitment_list")).content


def test_staff_have_no_way_back_to_a_dashboard_they_may_not_see(client, pact, staff):
    client.force_login(staff)
    client.get(DASHBOARD, {"agreement": "pact"})  # refused
    assert b"Back to the dashboard" not in client.get(reverse("activities:commitment_list")).content
