"""Where each role lands: managers and admins on the dashboard, staff on My work."""

import pytest
from django.urls import reverse

from agreements.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [
        ("doc_staff", "my_work"),
        ("dhs_staff", "my_work"),
        ("doc_manager", "compliance:dashboard"),
        ("doc_admin", "compliance:dashboard"),
    ],
)
def test_each_role_lands_on_its_page(client, request, who, lands_on):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("landing"))
    assert response.status_code == 302
    assert response["Location"] == reverse(lands_on)


def test_signing_in_as_a_manager_lands_on_the_dashboard(client, doc_manager):
    response = client.post(
        reverse("login"), {"username": doc_manager.username, "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("compliance:dashboard")
    assert response.status_code == 200


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get(reverse("landing"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_my_work_links_to_the_dashboard_for_a_manager_only(client, doc_manager, doc_staff):
    client.force_login(doc_manager)
    assert b"data-dashboard-link" in client.get(reverse("my_work")).content
    client.force_login(doc_staff)
    assert b"data-dashboard-link" not in client.get(reverse("my_work")).content


def test_the_dashboard_links_to_my_work(client, doc_manager, moa):
    client.force_login(doc_manager)
    html = client.get(reverse("compliance:dashboard"), {"agreement": moa.slug}).content.decode()
    assert f'href="{reverse("my_work")}"' in html and "data-my-work-link" in html


def test_my_work_puts_what_is_overdue_before_the_list_of_commitments(client, doc_staff, moa):
    client.force_login(doc_staff)
    html = client.get(reverse("my_work")).content.decode()
    assert (
        html.index('id="overdue-heading"') < html.index('id="due-heading"') < html.index('id="items-heading"')
    )
