"""The agreement list and page: shown in full to a party's users, hidden from everyone else."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from agreements.models import Commitment


def test_anonymous_user_is_sent_to_login_from_the_agreement_list(client, moa):
    response = client.get(reverse("agreements:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_user_is_sent_to_login_from_the_agreement_page(client, moa):
    response = client.get(moa.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_agreement_list_shows_the_moa_to_its_party(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("agreements:list"))
    assert response.status_code == 200
    assert moa.short_name in response.content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))
def test_agreement_page_shows_the_term_truthfully_as_expired(client, doc_staff, moa):
    client.force_login(doc_staff)
    page = client.get(moa.get_absolute_url()).content.decode()
    assert "Expired 1496 days ago, on October 19, 2022." in page


def test_agreement_page_shows_every_tracked_item_and_signatory(client, dhs_staff, moa):
    client.force_login(dhs_staff)
    page = client.get(moa.get_absolute_url()).content.decode()
    for item in Commitment.objects.filter(agreement=moa):
        assert item.get_absolute_url() in page
    assert "Michael Dougherty" in page and "Anne Driscoll" in page
    assert "Branch Chief" in page


def test_agreement_page_links_each_clause_to_the_items_it_creates(client, doc_staff, moa):
    client.force_login(doc_staff)
    page = client.get(moa.get_absolute_url()).content.decode()
    section = moa.sections.get(number="VI.5")
    assert f'id="{section.anchor}"' in page
    assert 'href="' + moa.commitments.get(code="VI.5").get_absolute_url() in page


def test_agreement_page_is_404_for_a_party_not_on_the_agreement(client, outsider, moa):
    client.force_login(outsider)
    assert client.get(moa.get_absolute_url()).status_code == 404


def test_agreement_list_hides_agreements_of_other_parties(client, outsider, moa):
    client.force_login(outsider)
    assert moa.short_name not in client.get(reverse("agreements:list")).content.decode()


@pytest.mark.django_db
def test_login_page_renders_for_anonymous_user(client):
    assert client.get(reverse("login")).status_code == 200


def test_agreement_page_query_count_does_not_grow_with_its_clauses_and_items(
    client, doc_staff, moa, django_assert_max_num_queries
):
    client.force_login(doc_staff)
    client.get(moa.get_absolute_url())
    # 57 clauses and 30 items: one query per panel, none per clause or item.
    with django_assert_max_num_queries(20):
        assert client.get(moa.get_absolute_url()).status_code == 200


def test_agreement_list_is_paged_25_to_a_page(client, doc_staff, moa):
    from agreements.tests.factories import AgreementFactory

    for _ in range(30):
        AgreementFactory(parties=[doc_staff.membership.party])
    client.force_login(doc_staff)
    first = client.get(reverse("agreements:list"))
    second = client.get(reverse("agreements:list"), {"page": 2})
    assert len(first.context["agreements"]) == 25
    assert len(second.context["agreements"]) == 6
    assert "Agreements 1–25 of 31" in first.content.decode()
