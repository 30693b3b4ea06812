"""The points-of-contact pages: who may do what, and what each page shows."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from agreements.permissions import ADMIN
from agreements.tests.factories import PartyFactory, UserFactory
from contacts.models import PointOfContact


@pytest.fixture
def contact(moa, doc) -> PointOfContact:
    return moa.points_of_contact.filter(party=doc).order_by("position").first()


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])


def _form_data(contact: PointOfContact, **changes) -> dict:
    data = {
        "role_title": contact.role_title,
        "office": contact.office,
        "person_name": contact.person_name,
        "email": contact.email,
        "phone": contact.phone,
        "active_from": contact.active_from.isoformat(),
        "version": contact.version,
    }
    if contact.is_coordinator:
        data["is_coordinator"] = "on"
    data.update(changes)
    return data


def test_list_groups_contacts_by_party_with_role_office_and_details(client, doc_staff, moa, contact):
    contact.person_name, contact.email, contact.phone = "Pat Doe", "pat.doe@example.gov", "202-555-0142"
    contact.save()
    client.force_login(doc_staff)
    page = client.get(reverse("contacts:list"), {"agreement": moa.slug}).content.decode()
    for text in (
        "DOC",
        "DHS",
        contact.role_title,
        contact.office,
        "Pat Doe",
        "pat.doe@example.gov",
        "202-555-0142",
    ):
        assert text in page


def test_list_warns_when_a_party_has_no_active_contact(client, doc_staff, moa, dhs):
    moa.points_of_contact.filter(party=dhs).update(active_to=datetime.date(2020, 1, 1))
    client.force_login(doc_staff)
    page = client.get(reverse("contacts:list"), {"agreement": moa.slug}).content.decode()
    assert "No active point of contact for DHS" in page


def test_list_escapes_what_users_typed(client, doc_staff, moa, contact):
    contact.person_name = "<script>alert(1)</script>"
    contact.save()
    client.force_login(doc_staff)
    page = client.get(reverse("contacts:list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_admin_adds_a_contact_for_their_party(client, doc_admin, moa, doc):
    client.force_login(doc_admin)
    response = client.post(
        reverse("contacts:create"),
        {
            "agreement": moa.pk,
            "party": doc.pk,
            "role_title": "Trade Specialist",
            "office": "Office of E-Commerce",
            "person_name": "Sam Lee",
            "email": "sam.lee@example.gov",
            "phone": "202-555-0100",
            "active_from": "2024-01-02",
        },
    )
    assert response.status_code == 302
    added = PointOfContact.objects.get(person_name="Sam Lee")
    assert (added.agreement, added.party, added.is_active) == (moa, doc, True)
    assert added.history.get().history_user == doc_admin


def test_admin_cannot_add_a_contact_for_another_party(client, doc_admin, moa, dhs):
    client.force_login(doc_admin)
    response = client.post(
        reverse("contacts:create"),
        {"agreement": moa.pk, "party": dhs.pk, "role_title": "Director", "active_from": "2024-01-02"},
    )
    assert response.status_code == 200
    assert not PointOfContact.objects.filter(
        party=dhs, role_title="Director", active_from="2024-01-02"
    ).exists()


def test_admin_edits_a_contact_and_the_history_records_who(client, doc_admin, contact):
    client.force_login(doc_admin)
    response = client.post(
        reverse("contacts:edit", args=[contact.pk]), _form_data(contact, person_name="Pat Doe")
    )
    assert response.status_code == 302
    latest = contact.history.first()
    assert (latest.person_name, latest.history_user, latest.history_type) == ("Pat Doe", doc_admin, "~")


def test_admin_of_another_party_cannot_edit_the_contact(client, dhs_admin, contact):
    client.force_login(dhs_admin)
    response = client.post(reverse("contacts:edit", args=[contact.pk]), _form_data(contact, person_name="X"))
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.person_name != "X"


def test_second_of_two_concurrent_edits_is_refused_and_shows_what_changed(client, doc_admin, contact):
    second_admin = UserFactory(
        username="doc.admin2", party=contact.party, roles=[ADMIN], first_name="Robin", last_name="Ames"
    )
    opened = _form_data(contact)  # both admins open the form at the same version
    client.force_login(second_admin)
    assert (
        client.post(
            reverse("contacts:edit", args=[contact.pk]), {**opened, "email": "new@example.gov"}
        ).status_code
        == 302
    )

    second = Client()
    second.force_login(doc_admin)
    response = second.post(reverse("contacts:edit", args=[contact.pk]), {**opened, "phone": "202-555-0177"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: Robin Ames changed this contact after you opened it." in page
    assert "new@example.gov" in page
    contact.refresh_from_db()
    assert (contact.email, contact.phone) == ("new@example.gov", "")


def test_saving_again_after_seeing_the_conflict_applies_the_change(client, doc_admin, contact):
    opened = _form_data(contact)
    contact.email = "other@example.gov"
    contact.version += 1
    contact.save()
    client.force_login(doc_admin)
    refused = client.post(reverse("contacts:edit", args=[contact.pk]), {**opened, "phone": "202-555-0177"})
    assert refused.status_code == 409
    again = refused.context["form"].data.dict()
    assert client.post(reverse("contacts:edit", args=[contact.pk]), again).status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "202-555-0177"


def test_admin_deactivates_a_contact_which_stays_on_the_list_as_inactive(client, doc_admin, moa, contact):
    client.force_login(doc_admin)
    response = client.post(
        reverse("contacts:deactivate", args=[contact.pk]),
        {"active_to": "2024-05-01", "version": contact.version},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.active_to == datetime.date(2024, 5, 1)
    page = client.get(reverse("contacts:list"), {"agreement": moa.slug}).content.decode()
    assert "May 1, 2024" in page and "Inactive" in page


def test_history_page_shows_who_changed_what_from_old_to_new(client, doc_admin, contact):
    client.force_login(doc_admin)
    client.post(reverse("contacts:edit", args=[contact.pk]), _form_data(contact, phone="202-555-0188"))
    page = client.get(reverse("audit:contact_history", args=[contact.pk])).content.decode()
    assert "Phone:</span> — → 202-555-0188" in page
    assert doc_admin.get_full_name() in page


def test_history_page_is_404_for_an_admin_of_a_party_not_on_the_agreement(client, contact):
    client.force_login(UserFactory(username="npa.admin", party=PartyFactory(acronym="NPA"), roles=[ADMIN]))
    assert client.get(reverse("audit:contact_history", args=[contact.pk])).status_code == 404


def test_edit_page_is_404_for_an_admin_of_a_party_not_on_the_agreement(client, contact):
    client.force_login(UserFactory(username="npa.admin", party=PartyFactory(acronym="NPA"), roles=[ADMIN]))
    assert client.get(reverse("contacts:edit", args=[contact.pk])).status_code == 404
