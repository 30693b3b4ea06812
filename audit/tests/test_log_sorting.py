"""Sorting the audit trail by its time (`?sort=when`, core/sorting.py), with its filters kept."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
LOG = reverse("audit:log")


@pytest.fixture
def changes(moa):
    for n in range(3):
        moa.purpose = f"Purpose {n}"
        moa.save()
    return moa


def whens(response) -> list:
    return [e.when for e in response.context["entries"]]


def test_the_trail_is_newest_first_and_the_header_says_so(client, changes, doc_admin):
    client.force_login(doc_admin)
    response = client.get(LOG)
    assert whens(response) == sorted(whens(response), reverse=True)
    assert response.context["sort"]["when"].aria_sort == "descending"
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_trail_sorted_oldest_first_across_every_model(client, changes, doc_admin):
    client.force_login(doc_admin)
    response = client.get(LOG, {"sort": "when"})
    assert len(whens(response)) > 3
    assert whens(response) == sorted(whens(response))
    assert response.context["sort"]["when"].aria_sort == "ascending"


def test_the_sort_is_kept_with_the_filters(client, changes, doc_admin):
    client.force_login(doc_admin)
    response = client.get(LOG, {"model": "agreement", "sort": "when"})
    entries = response.context["entries"]
    assert {e.model_key for e in entries} == {"agreement"}
    assert whens(response) == sorted(whens(response))
    html = response.content.decode()
    assert '<input type="hidden" name="sort" value="when">' in html
    assert response.context["sort"]["when"].url == "?model=agreement&sort=-when"


def test_the_pages_keep_the_sort(client, moa, doc_admin):
    for n in range(60):
        moa.purpose = f"Purpose {n}"
        moa.save()
    client.force_login(doc_admin)
    response = client.get(LOG, {"model": "agreement", "sort": "when"})
    assert "?model=agreement&amp;sort=when&amp;page=2" in response.content.decode()
    first_page = whens(response)
    second_page = whens(client.get(LOG, {"model": "agreement", "sort": "when", "page": "2"}))
    assert max(first_page) <= min(second_page)


@pytest.mark.parametrize("value", ["nonsense", "who", "-", "history_user__password"])
def test_an_unknown_sort_keeps_the_newest_first(client, changes, doc_admin, value):
    client.force_login(doc_admin)
    response = client.get(LOG, {"sort": value})
    assert response.status_code == 200
    assert whens(response) == sorted(whens(response), reverse=True)


def test_a_records_history_has_no_sort_links(client, changes, doc_admin):
    client.force_login(doc_admin)
    response = client.get(reverse("audit:object_history", args=["agreement", changes.pk]))
    assert "sort-link" not in response.content.decode()
