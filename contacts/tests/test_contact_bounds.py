"""Issue 20: a contact serves from a plausible day, is deactivated on a day that has come, is
not added twice without a word, and an edit naming an unknown version is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts import services
from contacts.models import PointOfContact
from contacts.tests.test_contact_pages import _form_data
from core.time import today


@pytest.fixture
def contact(moa, doc) -> PointOfContact:
    return moa.points_of_contact.filter(party=doc).order_by("position").first()


def _new_contact(moa, doc, **changes) -> dict:
    data = {
        "agreement": str(moa.pk),
        "party": str(doc.pk),
        "role_title": "Deputy Director",
        "person_name": "Jane Roe",
        "email": "jane.roe@example.gov",
        "active_from": "2021-01-04",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_contact_serving_since_an_implausibly_early_day_is_refused(client, doc_admin, moa, doc, day):
    client.force_login(doc_admin)
    response = client.post(reverse("contacts:create"), _new_contact(moa, doc, active_from=day))
    assert "active_from" in response.context["form"].errors
    assert not PointOfContact.objects.filter(person_name="Jane Roe").exists()


def test_contact_serving_from_years_ahead_is_refused(client, doc_admin, moa, doc):
    client.force_login(doc_admin)
    ahead = (today() + datetime.timedelta(days=4 * 365)).isoformat()
    response = client.post(reverse("contacts:create"), _new_contact(moa, doc, active_from=ahead))
    assert "days ahead" in response.context["form"].errors["active_from"][0]
    assert not PointOfContact.objects.filter(person_name="Jane Roe").exists()


def test_deactivation_in_the_future_is_refused_by_page_and_service(client, doc_admin, contact):
    later = today() + datetime.timedelta(days=365 * 5)
    client.force_login(doc_admin)
    url = reverse("contacts:deactivate", kwargs={"pk": contact.pk})
    response = client.post(url, {"active_to": later.isoformat(), "version": contact.version})
    assert "in the future" in response.context["form"].errors["active_to"][0]
    with pytest.raises(ValidationError):
        services.contact_deactivate(contact=contact, expected_version=contact.version, active_to=later)
    contact.refresh_from_db()
    assert contact.active_to is None


def test_same_person_added_twice_is_asked_about_then_added_when_confirmed(client, doc_admin, moa, doc):
    client.force_login(doc_admin)
    assert client.post(reverse("contacts:create"), _new_contact(moa, doc)).status_code == 302
    again = client.post(reverse("contacts:create"), _new_contact(moa, doc, role_title="Director"))
    assert "already a contact" in again.context["form"].errors["confirm_duplicate"][0]
    assert PointOfContact.objects.filter(person_name="Jane Roe").count() == 1
    confirmed = _new_contact(moa, doc, role_title="Director", confirm_duplicate="on")
    assert client.post(reverse("contacts:create"), confirmed).status_code == 302
    assert PointOfContact.objects.filter(person_name="Jane Roe").count() == 2


@pytest.mark.parametrize("version", [999, 0])
def test_edit_naming_a_version_the_contact_never_had_is_refused(contact, version):
    with pytest.raises(services.ContactEditConflict):
        services.contact_update(contact=contact, expected_version=version, person_name="Taken over")
    contact.refresh_from_db()
    assert contact.person_name != "Taken over"


def test_edit_page_with_an_unknown_version_saves_nothing(client, doc_admin, contact):
    client.force_login(doc_admin)
    url = reverse("contacts:edit", kwargs={"pk": contact.pk})
    response = client.post(url, _form_data(contact, person_name="Taken over", version=999))
    assert response.status_code == 409  # the conflict page: what the record holds now
    contact.refresh_from_db()
    assert contact.person_name != "Taken over"
