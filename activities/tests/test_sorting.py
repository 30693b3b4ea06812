"""Sorting the lists by their columns (core/sorting.py): the order, the headers, the filters kept."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from activities.tests.factories import MeetingFactory, OutreachEventFactory, ProgressUpdateFactory
from agreements.models import CommitmentStatus
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own():
    return PartyFactory(acronym="OWN")


@pytest.fixture
def pact(own):
    return AgreementFactory(short_name="Pact", parties=[own, PartyFactory()])


@pytest.fixture
def reader(client, own):
    client.force_login(UserFactory(party=own, roles=[STAFF]))
    return client


def _query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_commitments_are_sorted_by_the_column_asked_for(reader, pact):
    CommitmentFactory(agreement=pact, code="A", status=CommitmentStatus.ON_TRACK)
    CommitmentFactory(agreement=pact, code="B", status=CommitmentStatus.AT_RISK)
    CommitmentFactory(agreement=pact, code="C", status=CommitmentStatus.COMPLETE)
    response = reader.get(reverse("activities:commitment_list"), {"sort": "status"})
    assert [c.code for c in response.context["page_obj"]] == ["B", "C", "A"]  # at_risk, complete, on_track
    response = reader.get(reverse("activities:commitment_list"), {"sort": "-status"})
    assert [c.code for c in response.context["page_obj"]] == ["A", "C", "B"]


def test_the_sorted_column_says_so_and_its_link_turns_the_order_round(reader, pact):
    response = reader.get(reverse("activities:commitment_list"), {"sort": "status"})
    header = response.context["sort"]["status"]
    assert header.aria_sort == "ascending"
    assert _query(header.url)["sort"] == "-status"
    assert response.context["sort"]["kind"].aria_sort == ""
    assert 'aria-sort="ascending"' in response.content.decode()
    assert response.content.decode().count("aria-sort=") == 1


def test_unsorted_the_list_says_it_is_in_its_own_order(reader, pact):
    response = reader.get(reverse("activities:commitment_list"))
    assert response.context["sort"]["commitment"].aria_sort == "ascending"


def test_header_links_keep_the_filters_and_start_at_the_first_page(reader, pact):
    response = reader.get(
        reverse("activities:commitment_list"), {"party": "OWN", "status": "at_risk", "page": "3"}
    )
    query = _query(response.context["sort"]["updated"].url)
    assert query == {"party": "OWN", "status": "at_risk", "sort": "-updated"}  # dates: newest first


def test_an_unknown_sort_is_ignored(reader, pact):
    CommitmentFactory(agreement=pact, code="A")
    for value in ("nonsense", "-", "title;drop", "status,kind", "x" * 500):
        response = reader.get(reverse("activities:commitment_list"), {"sort": value})
        assert response.status_code == 200
        assert [c.code for c in response.context["page_obj"]] == ["A"]


def test_commitments_with_no_update_sort_last_either_way(reader, pact):
    never = CommitmentFactory(agreement=pact, code="NEVER")
    old = CommitmentFactory(agreement=pact, code="OLD")
    new = CommitmentFactory(agreement=pact, code="NEW")
    ProgressUpdateFactory(commitment=old, as_of=datetime.date(2021, 1, 1))
    ProgressUpdateFactory(commitment=new, as_of=datetime.date(2022, 1, 1))
    url = reverse("activities:commitment_list")
    assert [c.code for c in reader.get(url, {"sort": "-updated"}).context["page_obj"]] == [
        "NEW",
        "OLD",
        "NEVER",
    ]
    assert [c.code for c in reader.get(url, {"sort": "updated"}).context["page_obj"]] == [
        "OLD",
        "NEW",
        "NEVER",
    ]
    assert never  # listed last both ways


def test_updates_are_sorted_oldest_first_when_asked(reader, pact):
    item = CommitmentFactory(agreement=pact)
    late = ProgressUpdateFactory(commitment=item, as_of=datetime.date(2022, 1, 1))
    early = ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 1, 1))
    response = reader.get(reverse("activities:update_list"), {"sort": "as_of"})
    assert list(response.context["page_obj"]) == [early, late]
    assert list(reader.get(reverse("activities:update_list")).context["page_obj"]) == [late, early]


def test_meetings_and_events_are_sorted_by_title(reader, pact):
    MeetingFactory(agreement=pact, title="Beta")
    MeetingFactory(agreement=pact, title="Alpha")
    response = reader.get(reverse("activities:meeting_list"), {"sort": "title"})
    assert [m.title for m in response.context["page_obj"]] == ["Alpha", "Beta"]
    OutreachEventFactory(agreement=pact, title="Zeta")
    OutreachEventFactory(agreement=pact, title="Eta")
    response = reader.get(reverse("activities:event_list"), {"sort": "-title"})
    assert [e.title for e in response.context["page_obj"]] == ["Zeta", "Eta"]


def test_the_filter_form_keeps_the_sort(reader, pact):
    response = reader.get(reverse("activities:meeting_list"), {"sort": "title"})
    assert '<option value="title" selected>' in response.content.decode()
