"""A duty owed by some of an agreement's parties reaches only those parties' staff."""

from pathlib import Path

import pytest
from django.urls import reverse

from activities.permissions import can_report_on
from agreements.agreement_file import read_agreement
from agreements.models import Party
from agreements.permissions import STAFF
from agreements.services import import_agreement
from agreements.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGISTICS = Path(__file__).resolve().parents[2] / "agreements" / "tests" / "data" / "logistics-moa-1978.yaml"


@pytest.fixture
def staff():
    import_agreement(doc=read_agreement(LOGISTICS))
    return {a: UserFactory(party=Party.objects.get(acronym=a), roles=[STAFF]) for a in ("NAVY", "DOE", "DOI")}


def my_work_codes(client, user) -> set[str]:
    client.force_login(user)
    return {item.code for item in client.get(reverse("my_work")).context["commitments"]}


def test_duty_owed_by_two_of_three_parties_is_in_only_their_my_work(client, staff):
    assert "7.a" in my_work_codes(client, staff["DOE"])
    assert "7.a" in my_work_codes(client, staff["DOI"])
    assert "7.a" not in my_work_codes(client, staff["NAVY"])


def test_only_the_owing_parties_staff_report_on_it(staff):
    item = Party.objects.get(acronym="DOE").led_commitments.get(code="7.a")
    assert [can_report_on(staff[a], item) for a in ("NAVY", "DOE", "DOI")] == [False, True, True]


def test_item_list_filtered_by_party_shows_the_items_it_owes(client, staff):
    client.force_login(staff["NAVY"])
    response = client.get(reverse("activities:commitment_list"), {"party": "DOI"})
    shown = {item.code for item in response.context["page_obj"]}
    assert shown == {"6.a", "7.a"}
