"""The lists count their rows only as far as the page asked for (core/paging.py): past the
cap the total says "more than", and every page, the last included, can still be reached."""

import pytest
from django.urls import reverse

from activities.models import ProgressUpdate
from activities.selectors import commitments_visible_to
from activities.tests.factories import ProgressUpdateFactory
from activities.views import PAGE_SIZE
from agreements.models import Commitment
from agreements.tests.factories import AgreementFactory, CommitmentFactory
from core import paging
from core.paging import CappedCountPaginator

# The cap these tests count up to: two pages and a bit of the lists' 25 rows a page.
CAP = 2 * PAGE_SIZE + 5


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(paging, "COUNT_UP_TO", CAP)


@pytest.fixture
def many_items(doc, dhs):
    """4 pages and a bit of items: more than CAP."""
    agreement = AgreementFactory(parties=[doc, dhs])
    for position in range(4 * PAGE_SIZE + 3):
        CommitmentFactory(agreement=agreement, position=position, code=f"K{position:03}")
    return Commitment.objects.filter(agreement=agreement).order_by("position")


def test_a_total_within_the_cap_is_exact(many_items):
    paginator = CappedCountPaginator(many_items, PAGE_SIZE, up_to=1000)
    assert paginator.get_page(1).paginator.count == many_items.count()
    assert paginator.count_is_exact


def test_a_total_past_the_cap_is_one_more_than_the_cap_and_not_exact(many_items):
    paginator = CappedCountPaginator(many_items, PAGE_SIZE, up_to=CAP)
    page = paginator.get_page(1)
    assert (paginator.count, paginator.count_is_exact) == (CAP + 1, False)
    assert paginator.pages_counted == CAP // PAGE_SIZE
    assert page.has_next() and [c.code for c in page] == [f"K{n:03}" for n in range(PAGE_SIZE)]


def test_a_page_past_the_cap_is_read_and_counted_as_far_as_it_reaches(many_items):
    paginator = CappedCountPaginator(many_items, PAGE_SIZE, up_to=CAP)
    page = paginator.get_page(4)
    assert [c.code for c in page] == [f"K{n:03}" for n in range(3 * PAGE_SIZE, 4 * PAGE_SIZE)]
    assert page.has_next() and not paginator.count_is_exact


def test_the_last_page_counts_every_row(many_items):
    paginator = CappedCountPaginator(many_items, PAGE_SIZE, up_to=CAP)
    page = paginator.get_page("last")
    assert (paginator.count, paginator.count_is_exact) == (many_items.count(), True)
    assert page.number == 5 and [c.code for c in page] == ["K100", "K101", "K102"]


def test_pages_past_the_middle_read_from_the_far_end_hold_the_same_rows_in_the_same_order(many_items):
    forward = [c.code for c in many_items]
    paginator = CappedCountPaginator(many_items, PAGE_SIZE, up_to=1000)
    for number in range(1, paginator.get_page(1).paginator.num_pages + 1):
        page = paginator.page(number)
        assert [c.code for c in page] == forward[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]


def test_the_updates_lists_last_page_is_its_oldest_updates_oldest_last(
    client, doc_staff, doc, moa, small_cap
):
    item = moa.commitments.get(code="DOC-A1")
    for _ in range(CAP + 3):
        ProgressUpdateFactory(commitment=item, reporting_party=doc)
    client.force_login(doc_staff)
    url = reverse("activities:update_list")
    newest_first = list(
        ProgressUpdate.objects.filter(commitment=item).latest_first().values_list("pk", flat=True)
    )
    last = client.get(url, {"page": "last"}).context["page_obj"]
    assert [u.pk for u in last] == newest_first[(last.number - 1) * PAGE_SIZE :]


@pytest.mark.parametrize("asked", ["6", "99999999999999999999999", "-3"])
def test_a_page_past_the_end_is_the_last_page(many_items, asked):
    page = CappedCountPaginator(many_items, PAGE_SIZE, up_to=CAP).get_page(asked)
    assert page.object_list and not page.has_next()


def test_a_malformed_page_is_the_first(many_items):
    assert CappedCountPaginator(many_items, PAGE_SIZE, up_to=CAP).get_page("x1").number == 1


def test_the_item_list_says_more_than_the_cap_and_offers_the_last_page(
    client, doc_staff, many_items, small_cap
):
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    body = client.get(url).content.decode()
    assert f"More than {CAP} commitments." in body
    assert f"Page 1 of more than {CAP // PAGE_SIZE}" in body
    assert "data-last-page" in body and "page=last" in body
    last = client.get(url, {"page": "last"})
    total = commitments_visible_to(doc_staff).count()
    assert last.context["total"] == total
    body = last.content.decode()
    assert f"{total} commitments." in body and "data-last-page" not in body
    assert last.context["page_obj"].number == -(-total // PAGE_SIZE)


def test_a_list_within_the_cap_shows_its_exact_total_and_no_last_page_link(
    client, doc_staff, doc, moa, small_cap
):
    item = moa.commitments.get(code="DOC-A1")
    for _ in range(3):
        ProgressUpdateFactory(commitment=item, reporting_party=doc)
    client.force_login(doc_staff)
    body = client.get(reverse("activities:update_list")).content.decode()
    assert "3 updates." in body and "More than" not in body and "data-last-page" not in body


def test_my_work_says_more_than_the_cap_and_still_shows_the_first_items_in_list_order(
    client, doc_staff, doc, many_items, small_cap
):
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    assert response.context["commitments_count_is_exact"] is False
    assert f"of more than {CAP}." in response.content.decode()
    listed = client.get(reverse("activities:commitment_list"), {"party": doc.acronym})
    assert [c.pk for c in response.context["commitments"]] == [c.pk for c in listed.context["page_obj"]]


# The totals are kept until the records change (core.cache.kept): per view and filters, never stale.


def test_a_kept_total_counts_an_item_added_after_it(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    before = client.get(url).context["total"]
    CommitmentFactory(agreement=moa, code="NEW-1", position=999)
    assert client.get(url).context["total"] == before + 1


def test_a_kept_total_is_kept_apart_for_other_filters(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    client.get(url)
    objectives = client.get(url, {"kind": Commitment.Kind.OBJECTIVE})
    assert objectives.context["total"] == moa.commitments.filter(kind=Commitment.Kind.OBJECTIVE).count()


def test_a_kept_total_is_not_shown_to_another_partys_view(client, doc_staff, outsider, moa):
    client.force_login(doc_staff)
    assert client.get(reverse("activities:commitment_list")).context["total"] > 0
    client.force_login(outsider)
    assert client.get(reverse("activities:commitment_list")).context["total"] == 0


def test_another_page_or_order_of_the_same_filters_shows_the_same_total(client, doc_staff, many_items):
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    first = client.get(url).context["total"]
    assert client.get(url, {"page": 2, "sort": "-status"}).context["total"] == first
