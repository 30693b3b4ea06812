"""Managers of a lead party give each item an owner (a user of a lead party) and a target date;
the overdue signal, the item list's "overdue" filter, My work and the stale digest then use them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.reminders import stale_work_due
from agreements.permissions import MANAGER
from agreements.tests.factories import UserFactory

PAST_TARGET = datetime.date(2018, 6, 30)  # inside the MOA's term (2017-10-19 to 2022-10-19)


@pytest.fixture
def item(moa):
    return moa.commitments.get(code="DOC-A1")


def _url(item) -> str:
    return reverse("activities:commitment_assign", args=[item.agreement.slug, item.code])


def _form(owner, target: datetime.date | str | None, opened_owner=None, opened_target=None) -> dict:
    return {
        "owner": str(owner.pk) if owner else "",
        "target_date": str(target or ""),
        "opened_owner": str(opened_owner.pk) if opened_owner else "",
        "opened_target_date": str(opened_target or ""),
    }


def _assign(item, by, owner, target):
    return services.commitment_assign(
        commitment=item,
        acting_user=by,
        owner=owner,
        target_date=target,
        opened_owner_id=item.owner_id,
        opened_target_date=item.target_date,
    )


def test_a_manager_of_the_lead_party_assigns_owner_and_target_date(client, doc_manager, doc_staff, item):
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(doc_staff, PAST_TARGET))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (doc_staff, PAST_TARGET)


def test_the_assignment_is_in_the_audit_trail_with_who_made_it(client, doc_manager, doc_staff, item):
    client.force_login(doc_manager)
    client.post(_url(item), _form(doc_staff, PAST_TARGET))
    latest = item.history.order_by("-history_date").first()
    assert (latest.owner_id, latest.target_date, latest.history_user) == (
        doc_staff.pk,
        PAST_TARGET,
        doc_manager,
    )


def test_the_item_page_offers_the_form_to_a_lead_partys_manager(client, doc_manager, item):
    client.force_login(doc_manager)
    html = client.get(item.get_absolute_url()).content.decode()
    assert f'action="{_url(item)}"' in html


def test_the_item_page_does_not_offer_the_form_to_staff(client, doc_staff, item):
    client.force_login(doc_staff)
    html = client.get(item.get_absolute_url()).content.decode()
    assert _url(item) not in html


def test_staff_cannot_assign_and_nothing_changes(client, doc_staff, item):
    client.force_login(doc_staff)
    response = client.post(_url(item), _form(doc_staff, PAST_TARGET))
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (None, None)


def test_a_manager_of_a_party_that_does_not_lead_the_item_is_refused(client, dhs, doc_staff, item):
    dhs_manager = UserFactory(username="dhs.manager", party=dhs, roles=[MANAGER])
    client.force_login(dhs_manager)
    response = client.post(_url(item), _form(doc_staff, PAST_TARGET))
    assert response.status_code == 403
    assert "Only managers of a lead party" in response.content.decode()
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (None, None)


def test_a_user_of_a_party_that_does_not_lead_the_item_cannot_own_it(client, doc_manager, dhs_staff, item):
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(dhs_staff, PAST_TARGET))
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    item.refresh_from_db()
    assert item.owner is None


def test_the_service_refuses_an_owner_of_another_party(doc_manager, dhs_staff, item):
    with pytest.raises(ValidationError) as refused:
        _assign(item, doc_manager, dhs_staff, None)
    assert "a party that leads it (DOC)" in str(refused.value)


def test_any_partys_staff_may_own_a_joint_item(doc_manager, dhs_staff, moa):
    joint = moa.commitments.get(code="VI.5")
    assert _assign(joint, doc_manager, dhs_staff, None).owner == dhs_staff


def test_a_target_date_before_execution_is_refused(client, doc_manager, doc_staff, item):
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(doc_staff, "2017-10-18"))
    assert (
        "before the agreement was executed (October 19, 2017)"
        in response.context["form"].errors["target_date"][0]
    )
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (None, None)


def test_a_target_date_after_the_agreement_ends_is_refused(client, doc_manager, doc_staff, item):
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(doc_staff, "2022-10-20"))
    assert "after the agreement ends (October 19, 2022)" in response.context["form"].errors["target_date"][0]
    item.refresh_from_db()
    assert item.target_date is None


def test_the_last_day_of_the_term_is_a_plausible_target_date(doc_manager, doc_staff, item):
    assert _assign(item, doc_manager, doc_staff, datetime.date(2022, 10, 19)).target_date == datetime.date(
        2022, 10, 19
    )


def test_a_save_over_someone_elses_change_is_refused_with_what_changed(client, doc_manager, doc_staff, item):
    other = UserFactory(username="doc.other", party=item.leads[0], roles=[MANAGER])
    _assign(item, other, other, PAST_TARGET)  # saved after our form was opened (with nothing set)
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(doc_staff, "2019-01-31"))
    assert response.status_code == 409
    changed = {c.field for c in response.context["conflict"].changes}
    assert changed == {"owner", "target_date"}
    assert "Not saved" in response.content.decode()
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (other, PAST_TARGET)


def test_after_a_conflict_saving_again_goes_through(client, doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_manager, PAST_TARGET)
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(doc_staff, "2019-01-31", doc_manager, PAST_TARGET))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (doc_staff, datetime.date(2019, 1, 31))


def test_a_progress_update_in_between_is_not_a_conflict(client, doc_manager, doc_staff, doc, item):
    services.progress_update_create(
        commitment=item,
        acting_user=doc_staff,
        reporting_party=doc,
        as_of=datetime.date(2018, 1, 5),
        status="on_track",
        percent_complete=10,
        narrative="Moving.",
    )
    client.force_login(doc_manager)
    assert client.post(_url(item), _form(doc_staff, PAST_TARGET)).status_code == 302


def test_a_past_target_date_makes_the_item_overdue_on_the_list_filter(client, doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_staff, PAST_TARGET)
    client.force_login(doc_manager)
    response = client.get(reverse("activities:commitment_list"), {"due": "overdue"})
    assert [i.code for i in response.context["page_obj"]] == ["DOC-A1"]


def test_a_past_target_date_is_counted_overdue_on_the_dashboard(client, doc_manager, doc_staff, moa, item):
    _assign(item, doc_manager, doc_staff, PAST_TARGET)
    client.force_login(doc_manager)
    panel = client.get(reverse("compliance:dashboard"), {"agreement": moa.slug}).context["commitments"]
    assert [i.code for i in panel.overdue_items] == ["DOC-A1"]


def test_the_item_page_says_the_target_date_passed(client, doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_staff, PAST_TARGET)
    client.force_login(doc_staff)
    html = client.get(item.get_absolute_url()).content.decode()
    assert 'June 30, 2018 <span class="badge text-bg-danger">Overdue</span>' in html


def test_the_owner_is_sent_the_stale_digest_for_the_item(doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_staff, PAST_TARGET)
    stale = stale_work_due(datetime.date(2019, 6, 1)).stale_items
    assert [(i.code, i.owner) for i in stale if i.code == "DOC-A1"] == [("DOC-A1", doc_staff)]


def test_the_owner_sees_the_item_and_its_passed_target_date_on_my_work(client, doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_staff, PAST_TARGET)
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    assert [i.code for i in response.context["owned_commitments"]] == ["DOC-A1"]
    assert "Target June 30, 2018 · overdue" in response.content.decode()


def test_an_item_owned_by_someone_else_is_not_on_my_work_as_mine(client, doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_manager, PAST_TARGET)
    client.force_login(doc_staff)
    assert client.get(reverse("my_work")).context["owned_commitments"] == []


def test_a_manager_clears_the_owner_and_target_date(client, doc_manager, doc_staff, item):
    _assign(item, doc_manager, doc_staff, PAST_TARGET)
    client.force_login(doc_manager)
    response = client.post(_url(item), _form(None, None, doc_staff, PAST_TARGET))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.owner, item.target_date) == (None, None)
