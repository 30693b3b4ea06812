"""Points of contact kept through the API by their party's admins: partial edits and
deactivation, with the contact pages' permission function, services and version check."""

from __future__ import annotations

import datetime

import pytest

from agreements.permissions import ADMIN
from agreements.tests.factories import UserFactory
from contacts.models import PointOfContact
from core.time import today

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(moa, doc):
    return moa.points_of_contact.filter(party=doc, active_to__isnull=True).first()


def _url(contact, action=""):
    return f"/api/v1/contacts/{contact.pk}/" + (f"{action}/" if action else "")


def _as_read(contact) -> tuple:
    current = PointOfContact.objects.get(pk=contact.pk)
    return (current.version, current.role_title, current.office, current.email, current.active_to)


def test_an_edit_changes_only_the_fields_sent(doc_admin, contact):
    before = PointOfContact.objects.get(pk=contact.pk)
    response = client_with(make_token(doc_admin)).patch(
        _url(contact), {"person_name": "Pat Doe"}, format="json", HTTP_IF_MATCH=f'"{before.version}"'
    )
    assert response.status_code == 200, response.json()
    after = PointOfContact.objects.get(pk=contact.pk)
    assert after.person_name == "Pat Doe"
    assert (after.role_title, after.office, after.email, after.phone, after.is_coordinator) == (
        before.role_title,
        before.office,
        before.email,
        before.phone,
        before.is_coordinator,
    )


def test_an_admin_deactivates_their_partys_contact_on_a_day(doc_admin, contact):
    day = max(contact.active_from, today() - datetime.timedelta(days=1))
    response = client_with(make_token(doc_admin)).post(
        _url(contact, "deactivate"),
        {"active_to": day.isoformat()},
        format="json",
        HTTP_IF_MATCH=f'"{contact.version}"',
    )
    assert response.status_code == 200, response.json()
    assert response.json()["is_active"] is False
    current = PointOfContact.objects.get(pk=contact.pk)
    assert (current.active_to, current.version) == (day, contact.version + 1)
    assert response["ETag"] == f'"{current.version}"'


@pytest.mark.parametrize("who", ["doc_staff", "dhs_admin"])
def test_only_an_admin_of_the_contacts_party_deactivates_it(who, request, dhs, contact):
    user = UserFactory(party=dhs, roles=[ADMIN]) if who == "dhs_admin" else request.getfixturevalue(who)
    before = _as_read(contact)
    response = client_with(make_token(user)).post(
        _url(contact, "deactivate"), {}, format="json", HTTP_IF_MATCH=f'"{contact.version}"'
    )
    assert response.status_code == 403
    assert _as_read(contact) == before


def test_a_deactivation_in_the_future_is_refused(doc_admin, contact):
    before = _as_read(contact)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = client_with(make_token(doc_admin)).post(
        _url(contact, "deactivate"),
        {"active_to": tomorrow},
        format="json",
        HTTP_IF_MATCH=f'"{contact.version}"',
    )
    assert response.status_code == 400 and "active_to" in response.json()
    assert _as_read(contact) == before


def test_a_deactivation_at_a_stale_version_is_a_409(doc_admin, contact):
    before = _as_read(contact)
    response = client_with(make_token(doc_admin)).post(
        _url(contact, "deactivate"), {"version": contact.version + 5}, format="json"
    )
    assert response.status_code == 409
    assert _as_read(contact) == before


def test_a_deactivation_without_the_version_is_a_428(doc_admin, contact):
    before = _as_read(contact)
    response = client_with(make_token(doc_admin)).post(_url(contact, "deactivate"), {}, format="json")
    assert response.status_code == 428
    assert _as_read(contact) == before


def test_a_second_deactivation_is_refused_and_the_first_day_stays(doc_admin, contact):
    api = client_with(make_token(doc_admin))
    api.post(_url(contact, "deactivate"), {}, format="json", HTTP_IF_MATCH=f'"{contact.version}"')
    first = _as_read(contact)
    response = api.post(
        _url(contact, "deactivate"), {}, format="json", HTTP_IF_MATCH=f'"{contact.version + 1}"'
    )
    assert response.status_code == 400
    assert _as_read(contact) == first
