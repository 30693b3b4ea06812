"""The owner picker (core.pickers, activities.forms.OwnerPickerField): a <select> of who may own
the item while they are at most PORTAL_PICKER_LIMIT, past it a text box taking an e-mail address
or user name, with suggestions from activities:commitment_owners for whoever may assign."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.permissions import STAFF
from agreements.tests.factories import UserFactory

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.PORTAL_PICKER_LIMIT = LIMIT


@pytest.fixture
def item(moa):
    return moa.commitments.get(code="DOC-A1")  # led by DOC


def _doc_staff(doc, count: int, start: int = 0) -> list:
    return [
        UserFactory(
            username=f"doc.person{n:02}",
            first_name="Person",
            last_name=f"Number{n:02}",
            party=doc,
            roles=[STAFF],
        )
        for n in range(start, start + count)
    ]


def _page(item) -> str:
    return item.get_absolute_url()


def _assign_url(item) -> str:
    return reverse("activities:commitment_assign", args=[item.agreement.slug, item.code])


def _owners_url(item) -> str:
    return reverse("activities:commitment_owners", args=[item.agreement.slug, item.code])


def _control(html: str) -> str:
    found = re.search(r'<select name="owner".*?</select>|<input type="text" name="owner"[^>]*>', html, re.S)
    assert found, "no owner control on the page"
    return found.group(0)


def test_the_owner_is_a_select_while_those_who_may_own_the_item_are_few(client, doc_manager, item):
    client.force_login(doc_manager)
    control = _control(client.get(_page(item)).content.decode())
    assert control.startswith("<select")
    assert f'value="{doc_manager.pk}"' in control


def test_past_the_limit_the_owner_is_a_text_box_asking_the_items_owner_lookup(client, doc, doc_manager, item):
    people = _doc_staff(doc, LIMIT + 3)
    client.force_login(doc_manager)
    html = client.get(_page(item)).content.decode()
    control = _control(html)
    assert f'data-picker="{_owners_url(item)}"' in control
    assert "Type part of the person" in html
    assert not [p for p in people if p.last_name in html]


def test_the_item_page_does_not_grow_with_the_users_of_the_lead_party(client, doc, doc_manager, item):
    _doc_staff(doc, LIMIT + 1)
    client.force_login(doc_manager)
    client.get(_page(item))
    with CaptureQueriesContext(connection) as few_queries:
        few = client.get(_page(item)).content
    _doc_staff(doc, 4 * LIMIT, start=50)
    with CaptureQueriesContext(connection) as many_queries:
        many = client.get(_page(item)).content
    assert len(many_queries) == len(few_queries)
    assert len(many) == len(few)


def test_the_box_shows_the_current_owners_email_address(client, doc, doc_manager, item):
    people = _doc_staff(doc, LIMIT + 1)
    item.owner = people[2]
    item.save()
    client.force_login(doc_manager)
    assert f'value="{people[2].email}"' in _control(client.get(_page(item)).content.decode())


def _post(owner: str, opened_owner: str = "") -> dict:
    return {"owner": owner, "target_date": "", "opened_owner": opened_owner, "opened_target_date": ""}


def test_a_typed_email_address_assigns_the_owner(client, doc, doc_manager, item):
    people = _doc_staff(doc, LIMIT + 1)
    client.force_login(doc_manager)
    response = client.post(_assign_url(item), _post(people[1].email.upper()))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner == people[1]


def test_an_unknown_address_is_refused_beside_the_field_and_nothing_is_saved(client, doc, doc_manager, item):
    _doc_staff(doc, LIMIT + 1)
    client.force_login(doc_manager)
    response = client.post(_assign_url(item), _post("nobody@example.gov"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in _control(html)
    assert "“nobody@example.gov” is not a user of a party that leads the item" in html
    item.refresh_from_db()
    assert item.owner is None


def test_a_user_of_a_party_that_does_not_lead_the_item_is_refused(client, doc, doc_manager, dhs_staff, item):
    _doc_staff(doc, LIMIT + 1)
    client.force_login(doc_manager)
    html = client.post(_assign_url(item), _post(dhs_staff.email)).content.decode()
    assert f"“{dhs_staff.email}” is not a user of a party that leads the item" in html
    item.refresh_from_db()
    assert item.owner is None


# --- the lookup -----------------------------------------------------------------------------------


def test_the_lookup_suggests_who_may_own_the_item_by_part_of_the_name(client, doc, doc_manager, item):
    people = _doc_staff(doc, 5)
    client.force_login(doc_manager)
    results = client.get(_owners_url(item), {"q": "number03"}).json()["results"]
    assert results == [{"value": people[3].email, "label": f"Person Number03 (DOC), {people[3].email}"}]


def test_the_lookup_never_suggests_a_user_of_a_party_that_does_not_lead_the_item(
    client, doc_manager, dhs_staff, item
):
    client.force_login(doc_manager)
    values = [row["value"] for row in client.get(_owners_url(item), {"q": "staff"}).json()["results"]]
    assert dhs_staff.email not in values


def test_the_lookup_answers_at_most_twenty_suggestions(client, doc, doc_manager, item):
    _doc_staff(doc, 25)
    client.force_login(doc_manager)
    assert len(client.get(_owners_url(item), {"q": "person"}).json()["results"]) == 20


def test_the_lookup_is_refused_to_staff_who_may_not_assign(client, doc_staff, item):
    client.force_login(doc_staff)
    assert client.get(_owners_url(item), {"q": "a"}).status_code == 403


def test_the_lookup_refuses_the_anonymous(client, item):
    response = client.get(_owners_url(item), {"q": "a"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
