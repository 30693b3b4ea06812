"""Sorting each party's points of contact by a column (`?sort=`)."""

import datetime

import pytest
from django.urls import reverse

from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from contacts.models import PointOfContact

pytestmark = pytest.mark.django_db


def test_contacts_are_sorted_by_person_within_their_party(client):
    own = PartyFactory(acronym="OWN")
    pact = AgreementFactory(parties=[own, PartyFactory()])
    for name in ("Bea Lin", "Al Kay", "Cy Dow"):
        PointOfContact.objects.create(
            agreement=pact,
            party=own,
            role_title="Director",
            person_name=name,
            active_from=datetime.date(2020, 2, 1),
        )
    client.force_login(UserFactory(party=own, roles=[STAFF]))
    response = client.get(reverse("contacts:list"), {"agreement": pact.slug, "sort": "-person"})
    block = next(p for p in response.context["blocks"][0]["parties"] if p["party"] == own)
    assert [c.person_name for c in block["active"]] == ["Cy Dow", "Bea Lin", "Al Kay"]
    assert response.context["sort"]["person"].aria_sort == "descending"
    assert "agreement=" in response.context["sort"]["role"].url
    assert client.get(reverse("contacts:list"), {"sort": "nonsense"}).status_code == 200
