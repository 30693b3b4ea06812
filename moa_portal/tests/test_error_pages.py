"""The site's own 403, 404 and 500 pages: the layout (navigation, a way back, viewport), the reason."""

import copy

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _templates(response) -> list[str]:
    return [t.name for t in response.templates]


def test_a_refusal_renders_the_sites_403_page_with_its_reason_and_navigation(client, doc_staff):
    client.force_login(doc_staff)
    response = client.get(reverse("compliance:dashboard"))
    assert response.status_code == 403
    assert {"403.html", "base.html"} <= set(_templates(response))
    html = response.content.decode()
    assert "You cannot do that here" in html
    assert "The compliance dashboard is for managers." in html
    assert f'href="{reverse("activities:commitment_list")}"' in html  # the signed-in user's navigation
    assert f'href="{reverse("my_work")}">Back to My work' in html
    assert VIEWPORT in html


def test_an_item_refusal_from_activities_goes_through_the_same_403_page(client, dhs_staff, moa):
    client.force_login(dhs_staff)
    url = reverse("activities:update_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    response = client.get(url)
    assert response.status_code == 403
    assert "403.html" in _templates(response)
    assert escape("DOC-A1 is led by DOC. Only staff of the lead party") in response.content.decode()


def test_an_unknown_address_renders_the_sites_404_page_without_the_resolvers_jargon(client, doc_staff):
    client.force_login(doc_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert {"404.html", "base.html"} <= set(_templates(response))
    html = response.content.decode()
    assert "Page not found" in html and "/no-such-page/" in html
    assert "Resolver404" not in html
    assert f'href="{reverse("activities:commitment_list")}"' in html
    assert VIEWPORT in html


def test_a_404_with_a_plain_reason_shows_it(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:commitment", kwargs={"slug": moa.slug, "code": "NO-SUCH"}))
    assert response.status_code == 404
    assert "No such commitment in this agreement." in response.content.decode()


@pytest.mark.urls("moa_portal.tests.error_urls")
def test_a_failing_view_renders_the_sites_500_page(doc_staff):
    client = Client(raise_request_exception=False)
    client.force_login(doc_staff)
    response = client.get("/fails/")
    assert response.status_code == 500
    assert {"500.html", "minimal_base.html"} <= set(_templates(response))
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'href="/">Back to My work' in html
    assert VIEWPORT in html
    assert "A view failed" not in html  # the error itself is for the log, not the page


def test_the_500_page_renders_when_the_request_context_cannot_be_built(settings, doc_staff):
    """My work fails while building its request context; the 500 page needs none, so it shows."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append("moa_portal.tests.error_urls.broken_context")
    settings.TEMPLATES = templates
    client = Client(raise_request_exception=False)
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    assert response.status_code == 500
    assert "500.html" in _templates(response)
    assert "Something went wrong" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_is_refused_on_the_sites_page(doc_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(doc_staff)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 403
    assert "403_csrf.html" in _templates(response)
    html = response.content.decode()
    assert "security check failed" in html
    assert VIEWPORT in html
