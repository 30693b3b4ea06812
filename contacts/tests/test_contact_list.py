"""The points-of-contact list at scale: whole agreements per page, filters kept across pages, a
fixed number of queries however many contacts there are."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.tests.factories import AgreementFactory
from contacts.models import PointOfContact
from contacts.selectors import AGREEMENTS_PER_PAGE
from contacts.tests.factories import PointOfContactFactory


def add_agreements(doc, dhs, how_many: int, contacts_per_party: int = 2) -> None:
    """DOC–DHS agreements, each with contacts for both parties, the last of each deactivated."""
    for _ in range(how_many):
        agreement = AgreementFactory(parties=[doc, dhs])
        for party in (doc, dhs):
            for n in range(contacts_per_party):
                gone = n == contacts_per_party - 1
                PointOfContactFactory(
                    agreement=agreement,
                    party=party,
                    position=n,
                    active_to=datetime.date(2021, 1, 1) if gone else None,
                )


def pages(client, url: str) -> list[str]:
    """The HTML of every page of the list from `url`, following its "Next" links to the end."""
    path = urlsplit(url).path
    shown = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        shown.append(html)
        following = re.search(r'href="([^"]+)" rel="next"', html)
        url = path + unescape(following.group(1)) if following else None
    return shown


def contacts_on(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-contact="(\d+)"', html)]


@pytest.fixture
def many(moa, doc, dhs):
    """Enough agreements for three pages of the list."""
    add_agreements(doc, dhs, 2 * AGREEMENTS_PER_PAGE)


def test_every_contact_is_listed_exactly_once_across_the_pages(client, doc_staff, many):
    client.force_login(doc_staff)
    listed = [pk for html in pages(client, reverse("contacts:list")) for pk in contacts_on(html)]
    assert sorted(listed) == sorted(PointOfContact.objects.values_list("pk", flat=True))


def test_the_list_is_paged_by_whole_agreements(client, doc_staff, many):
    client.force_login(doc_staff)
    shown = pages(client, reverse("contacts:list"))
    assert len(shown) == 3  # the MOA and 8 more agreements, 4 a page
    for html in shown:
        agreements_on_page = set(
            PointOfContact.objects.filter(pk__in=contacts_on(html)).values_list("agreement", flat=True)
        )
        assert len(agreements_on_page) <= AGREEMENTS_PER_PAGE
        on_page = set(contacts_on(html))
        whole = set(
            PointOfContact.objects.filter(agreement__in=agreements_on_page).values_list("pk", flat=True)
        )
        assert on_page == whole


def test_paging_keeps_the_party_filter(client, doc_staff, dhs, many):
    client.force_login(doc_staff)
    shown = pages(client, reverse("contacts:list") + "?party=DHS")
    assert len(shown) == 3
    for html in shown[:-1]:
        following = unescape(re.search(r'href="([^"]+)" rel="next"', html).group(1))
        assert parse_qs(urlsplit(following).query)["party"] == ["DHS"]
    listed = [pk for html in shown for pk in contacts_on(html)]
    assert sorted(listed) == sorted(PointOfContact.objects.filter(party=dhs).values_list("pk", flat=True))


def test_agreement_filter_shows_that_agreement_only_on_one_page(client, doc_staff, moa, many):
    client.force_login(doc_staff)
    shown = pages(client, reverse("contacts:list") + f"?agreement={moa.slug}")
    assert len(shown) == 1
    assert sorted(contacts_on(shown[0])) == sorted(moa.points_of_contact.values_list("pk", flat=True))


def test_agreement_and_party_filters_together_show_that_partys_contacts_there(
    client, doc_staff, moa, dhs, many
):
    client.force_login(doc_staff)
    page = client.get(reverse("contacts:list"), {"agreement": moa.slug, "party": "DHS"}).content.decode()
    assert sorted(contacts_on(page)) == sorted(
        moa.points_of_contact.filter(party=dhs).values_list("pk", flat=True)
    )


def test_an_agreement_the_user_cannot_see_is_404(client, doc_staff, moa):
    hidden = AgreementFactory()
    client.force_login(doc_staff)
    assert client.get(reverse("contacts:list"), {"agreement": hidden.slug}).status_code == 404


def test_query_count_does_not_grow_with_the_number_of_contacts(client, doc_admin, doc, dhs, moa):
    """An admin's page, with its edit, deactivate and history links on every row."""
    client.force_login(doc_admin)
    add_agreements(doc, dhs, AGREEMENTS_PER_PAGE, contacts_per_party=1)
    client.get(reverse("contacts:list"))  # the session and caches warm
    with CaptureQueriesContext(connection) as before:
        rows_before = len(contacts_on(client.get(reverse("contacts:list")).content.decode()))
    for agreement in doc.agreements.all():
        for party in (doc, dhs):
            PointOfContactFactory.create_batch(5, agreement=agreement, party=party)
    with CaptureQueriesContext(connection) as after:
        rows_after = len(contacts_on(client.get(reverse("contacts:list")).content.decode()))
    assert rows_after == rows_before + AGREEMENTS_PER_PAGE * 2 * 5
    assert len(after) == len(before)
