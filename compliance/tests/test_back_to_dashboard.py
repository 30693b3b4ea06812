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


# Every list the dashboard's numbers link to (compliance/links.py), with filters and a sort of its own.
LISTS_FROM_THE_DASHBOARD = (
    reverse("activities:commitment_list") + "?agreement=pact&status=at_risk&sort=-status",
    reverse("activities:update_list") + "?agreement=pact&party=ABC&sort=-as_of",
    reverse("activities:meeting_list") + "?agreement=pact&sort=when",
    reverse("activities:event_list") + "?agreement=pact&sort=-held_on",
    reverse("contacts:list") + "?agreement=pact&sort=person",
)
SHOWN = {"agreement": "pact", "as_of": "2021-06-30", "party": "ABC"}
BACK = f"{DASHBOARD}?agreement=pact&as_of=2021-06-30&party=ABC"


@pytest.mark.parametrize("url", LISTS_FROM_THE_DASHBOARD, ids=lambda u: u.split("?")[0])
def test_every_list_reached_from_the_dashboard_leads_back_with_the_dashboards_filters(
    client, pact, manager, url
):
    client.force_login(manager)
    client.get(DASHBOARD, SHOWN)
    response = client.get(url)
    assert response.status_code == 200
    assert f'href="{BACK.replace("&", "&amp;")}" data-back-to-dashboard' in response.content.decode()


@pytest.mark.parametrize("url", LISTS_FROM_THE_DASHBOARD, ids=lambda u: u.split("?")[0])
def test_a_lists_own_filters_and_sort_do_not_change_the_way_back(client, pact, manager, url):
    client.force_login(manager)
    client.get(DASHBOARD, SHOWN)
    client.get(url)
    client.get(url + "&page=1")
    assert client.get(url).context["dashboard_return_url"]() == BACK


@pytest.mark.parametrize("url", LISTS_FROM_THE_DASHBOARD, ids=lambda u: u.split("?")[0])
def test_leaving_a_list_for_the_dashboard_and_returning_keeps_both_filters(client, pact, manager, url):
    client.force_login(manager)
    client.get(DASHBOARD, SHOWN)
    before = client.get(url)
    back = client.get(BACK)  # the link's address, as a browser follows it
    assert back.status_code == 200
    form = back.context["board"].html
    assert 'value="2021-06-30"' in form
    returned = client.get(url)  # the list's own address, as the browser's Back button returns to it
    assert returned.status_code == before.status_code == 200
    assert returned.context["dashboard_return_url"]() == BACK
    assert returned.wsgi_request.GET.urlencode() == url.split("?", 1)[1]
    assert returned.context["sort"] == before.context["sort"]
