"""The agreement picker (core.pickers, agreements.forms.AgreementPickerField): a <select> while
the user sees at most PORTAL_PICKER_LIMIT agreements, past it a text box that lists none of them
and asks agreements:lookup for suggestions; what it accepts is the same either way."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.permissions import MANAGER, STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from core.cache import move_data_version

LIMIT = 3
ITEMS = reverse("activities:commitment_list")
LOOKUP = reverse("agreements:lookup")


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.PORTAL_PICKER_LIMIT = LIMIT


@pytest.fixture
def agency(db):
    return PartyFactory(acronym="AGY")


@pytest.fixture
def staff(agency):
    return UserFactory(username="agy.staff", party=agency, roles=[STAFF])


def _agreements(agency, count: int, start: int = 0) -> list:
    """Agreements of the agency with one partner (the party filter stays the same size)."""
    partner = PartyFactory(acronym="PTR")
    return [
        AgreementFactory(slug=f"pact-{n:03}", short_name=f"Pact {n:03}", parties=[agency, partner])
        for n in range(start, start + count)
    ]


def _control(html: str) -> str:
    """The agreement filter's control: its <select>…</select> or its <input>."""
    pattern = r'<select name="agreement".*?</select>|<input type="text" name="agreement"[^>]*>'
    found = re.search(pattern, html, re.S)
    assert found, "no agreement control on the page"
    return found.group(0)


def test_the_filter_is_a_select_of_every_agreement_while_they_are_at_most_the_limit(client, staff, agency):
    pacts = _agreements(agency, LIMIT)
    client.force_login(staff)
    control = _control(client.get(ITEMS).content.decode())
    assert control.startswith("<select")
    for pact in pacts:
        assert f'value="{pact.slug}"' in control


def test_past_the_limit_the_filter_is_a_labelled_text_box_asking_the_lookup(client, staff, agency):
    _agreements(agency, LIMIT + 1)
    client.force_login(staff)
    html = client.get(ITEMS).content.decode()
    control = _control(html)
    assert f'data-picker="{LOOKUP}"' in control
    assert 'autocomplete="off"' in control
    assert '<label for="id_agreement"' in html
    assert 'aria-describedby="id_agreement_helptext"' in control
    assert "Type part of the agreement&#x27;s name" in html or "Type part of the agreement's name" in html


def test_past_the_limit_the_page_lists_none_of_the_agreements(client, staff, agency):
    pacts = _agreements(agency, LIMIT + 5)
    client.force_login(staff)
    html = client.get(ITEMS).content.decode()
    assert not [p.short_name for p in pacts if p.short_name in html]


def test_the_page_does_not_grow_with_the_number_of_agreements(client, staff, agency):
    _agreements(agency, LIMIT + 1)
    client.force_login(staff)
    client.get(ITEMS)  # warm up
    move_data_version()  # both pages computed afresh: the list's total is kept until a save
    with CaptureQueriesContext(connection) as few_queries:
        few = client.get(ITEMS).content
    _agreements(agency, 4 * LIMIT, start=100)
    with CaptureQueriesContext(connection) as many_queries:
        many = client.get(ITEMS).content
    assert len(many_queries) == len(few_queries)
    assert len(many) == len(few)


def test_a_typed_slug_filters_the_list_and_stays_in_the_box(client, staff, agency):
    pacts = _agreements(agency, LIMIT + 1)
    CommitmentFactory(agreement=pacts[0], title="Chosen pact's item")
    CommitmentFactory(agreement=pacts[1], title="Other pact's item")
    client.force_login(staff)
    html = client.get(ITEMS, {"agreement": pacts[0].slug}).content.decode()
    assert "Chosen pact&#x27;s item" in html
    assert "Other pact&#x27;s item" not in html
    assert f'value="{pacts[0].slug}"' in _control(html)


def test_the_short_name_typed_in_full_filters_the_list_and_shows_as_the_slug(client, staff, agency):
    pacts = _agreements(agency, LIMIT + 1)
    CommitmentFactory(agreement=pacts[2], title="Named pact's item")
    CommitmentFactory(agreement=pacts[1], title="Other pact's item")
    client.force_login(staff)
    html = client.get(ITEMS, {"agreement": "pact 002"}).content.decode()
    assert "Named pact&#x27;s item" in html
    assert "Other pact&#x27;s item" not in html
    assert f'value="{pacts[2].slug}"' in _control(html)


def test_an_unknown_agreement_is_refused_beside_the_field(client, staff, agency):
    _agreements(agency, LIMIT + 1)
    client.force_login(staff)
    response = client.get(ITEMS, {"agreement": "no-such-pact"})
    html = response.content.decode()
    assert response.status_code == 200
    control = _control(html)
    assert 'value="no-such-pact"' in control
    assert "is-invalid" in control
    assert 'id="id_agreement_error"' in html
    assert "No agreement you can see is called “no-such-pact”" in html


def test_another_agencys_agreement_is_refused_like_an_unknown_one(client, staff, agency):
    _agreements(agency, LIMIT + 1)
    hidden = AgreementFactory(slug="hidden-pact", short_name="Hidden pact")
    CommitmentFactory(agreement=hidden, title="A hidden item")
    client.force_login(staff)
    html = client.get(ITEMS, {"agreement": hidden.slug}).content.decode()
    assert "No agreement you can see is called “hidden-pact”" in html
    assert "A hidden item" not in html


def test_a_short_name_two_agreements_share_is_refused_as_ambiguous(client, staff, agency):
    _agreements(agency, LIMIT + 1)
    AgreementFactory(slug="twin-a", short_name="Twin", parties=[agency, PartyFactory()])
    AgreementFactory(slug="twin-b", short_name="Twin", parties=[agency, PartyFactory()])
    client.force_login(staff)
    html = client.get(ITEMS, {"agreement": "Twin"}).content.decode()
    assert "More than one agreement is called “Twin”" in html


# --- the lookup -----------------------------------------------------------------------------------


def test_the_lookup_suggests_the_agreements_whose_name_contains_the_text(client, staff, agency):
    _agreements(agency, 12)
    client.force_login(staff)
    results = client.get(LOOKUP, {"q": "pact 00"}).json()["results"]
    assert results == [{"value": f"pact-{n:03}", "label": f"Pact {n:03}"} for n in range(10)]


def test_the_lookup_finds_an_agreement_by_part_of_its_slug(client, staff, agency):
    _agreements(agency, 3)
    client.force_login(staff)
    results = client.get(LOOKUP, {"q": "ct-001"}).json()["results"]
    assert results == [{"value": "pact-001", "label": "Pact 001"}]


def test_the_lookup_never_lists_another_agencys_agreement(client, staff, agency):
    _agreements(agency, 2)
    AgreementFactory(slug="pact-hidden", short_name="Pact hidden")
    client.force_login(staff)
    values = [row["value"] for row in client.get(LOOKUP, {"q": "pact"}).json()["results"]]
    assert values == ["pact-000", "pact-001"]


def test_the_lookup_answers_at_most_twenty_suggestions(client, staff, agency):
    _agreements(agency, 25)
    client.force_login(staff)
    assert len(client.get(LOOKUP, {"q": ""}).json()["results"]) == 20


def test_the_lookup_asks_the_database_the_same_whatever_the_number_of_agreements(client, staff, agency):
    _agreements(agency, 3)
    client.force_login(staff)
    client.get(LOOKUP, {"q": "pact"})
    with CaptureQueriesContext(connection) as few:
        client.get(LOOKUP, {"q": "pact"})
    _agreements(agency, 30, start=100)
    with CaptureQueriesContext(connection) as many:
        client.get(LOOKUP, {"q": "pact"})
    assert len(many) == len(few)


def test_the_lookup_refuses_the_anonymous(client, staff, agency):
    _agreements(agency, 2)
    response = client.get(LOOKUP, {"q": "pact"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- the dashboard and the contact list use the same picker --------------------------------------


@pytest.fixture
def manager(agency):
    return UserFactory(username="agy.manager", party=agency, roles=[MANAGER])


def test_past_the_limit_the_dashboard_offers_a_text_box_and_lists_no_agreement(client, manager, agency):
    pacts = _agreements(agency, LIMIT + 2)
    client.force_login(manager)
    html = client.get(reverse("compliance:dashboard")).content.decode()
    assert f'data-picker="{LOOKUP}"' in html
    # The agreement shown is named once in the page's heading, the others nowhere.
    assert len([p for p in pacts if p.short_name in html]) == 1


def test_the_dashboard_shows_the_agreement_whose_short_name_is_typed(client, manager, agency):
    _agreements(agency, LIMIT + 2)
    client.force_login(manager)
    html = client.get(reverse("compliance:dashboard"), {"agreement": "Pact 001"}).content.decode()
    assert "Compliance dashboard: Pact 001" in html or '<p class="lead mb-2">Pact 001' in html
    assert 'value="pact-001"' in html


def test_past_the_limit_the_contact_list_offers_a_text_box_and_no_other_agreement(client, staff, agency):
    pacts = _agreements(agency, LIMIT + 2)
    client.force_login(staff)
    html = client.get(reverse("contacts:list"), {"agreement": pacts[0].slug}).content.decode()
    assert re.search(r'<input type="text" name="agreement"[^>]*data-picker=', html)
    assert [p.short_name for p in pacts if p.short_name in html] == [pacts[0].short_name]
