"""Editing, deactivating and concurrent edits of points of contact (services)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from contacts import services
from contacts.models import PointOfContact


@pytest.fixture
def contact(moa, doc) -> PointOfContact:
    return moa.points_of_contact.filter(party=doc).first()


def test_update_raises_the_version(contact):
    opened = contact.version
    services.contact_update(contact=contact, expected_version=opened, person_name="Jane Roe")
    contact.refresh_from_db()
    assert contact.version == opened + 1
    assert contact.person_name == "Jane Roe"


def test_second_save_from_the_same_opened_version_is_refused(contact):
    opened = contact.version
    services.contact_update(contact=contact, expected_version=opened, email="first@example.gov")
    with pytest.raises(services.ContactEditConflict):
        services.contact_update(contact=contact, expected_version=opened, email="second@example.gov")
    contact.refresh_from_db()
    assert contact.email == "first@example.gov"


def test_refusal_lists_what_changed_since_the_form_was_opened(contact, doc_admin):
    opened = contact.version
    contact._history_user = doc_admin
    services.contact_update(contact=contact, expected_version=opened, phone="202-555-0199")
    with pytest.raises(services.ContactEditConflict) as refused:
        services.contact_update(contact=contact, expected_version=opened, phone="202-555-0111")
    changes = {c.field: (c.when_opened, c.now) for c in refused.value.changes}
    assert changes == {"phone": ("", "202-555-0199")}


def test_deactivation_keeps_the_contact_and_its_history(contact):
    before = contact.history.count()
    services.contact_deactivate(
        contact=contact, expected_version=contact.version, active_to=datetime.date(2024, 3, 1)
    )
    contact = PointOfContact.objects.get(pk=contact.pk)
    assert contact.active_to == datetime.date(2024, 3, 1)
    assert not contact.is_active
    assert contact.history.count() == before + 1
    assert contact.history.first().active_to == datetime.date(2024, 3, 1)


def test_deactivation_before_the_contact_started_is_refused(contact):
    with pytest.raises(ValidationError):
        services.contact_deactivate(
            contact=contact, expected_version=contact.version, active_to=datetime.date(2010, 1, 1)
        )
    contact.refresh_from_db()
    assert contact.active_to is None


def test_deactivated_contact_no_longer_counts_as_active_for_its_party(contact, moa, doc):
    for c in moa.points_of_contact.filter(party=doc):
        services.contact_deactivate(
            contact=c, expected_version=c.version, active_to=datetime.date(2024, 3, 1)
        )
    assert not PointOfContact.objects.filter(agreement=moa, party=doc).active().exists()
    assert PointOfContact.objects.filter(agreement=moa, party=doc).count() == 3


def test_contact_cannot_be_added_for_a_party_not_on_the_agreement(moa):
    from agreements.tests.factories import PartyFactory

    with pytest.raises(ValidationError):
        services.contact_create(
            agreement=moa,
            party=PartyFactory(acronym="NPA"),
            role_title="Director",
            active_from=moa.executed_on,
        )


@pytest.mark.parametrize("forged", [999, -1, 0])
def test_unknown_version_is_refused_and_nothing_is_written(contact, forged):
    services.contact_update(contact=contact, expected_version=contact.version, email="kept@example.gov")
    with pytest.raises(services.ContactEditConflict):
        services.contact_update(contact=contact, expected_version=forged, email="forged@example.gov")
    contact.refresh_from_db()
    assert contact.email == "kept@example.gov"
