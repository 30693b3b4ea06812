"""Milestones are fixed without losing the record: the lead party's staff edit them, and cancel
them with a reason that is kept; a cancelled milestone is never due or overdue again."""

import datetime

import pytest
from django.urls import reverse

from activities import services
from activities.models import Milestone
from activities.reminders import stale_work_due
from activities.tests.factories import MilestoneFactory

DUE = datetime.date(2018, 3, 31)


@pytest.fixture
def milestone(moa, doc_staff):
    return MilestoneFactory(commitment=moa.commitments.get(code="DOC-A1"), owner_user=doc_staff, due_on=DUE)


def _edit(client, milestone, **changes):
    version = Milestone.objects.get(pk=milestone.pk).version
    data = {
        "title": "Draft the plan",
        "due_on": "2018-05-31",
        "owner_user": str(milestone.owner_user_id),
        "version": str(version),
    }
    return client.post(reverse("activities:milestone_edit", args=[milestone.pk]), {**data, **changes})


def _cancel(client, milestone, reason="Planned twice by mistake."):
    version = Milestone.objects.get(pk=milestone.pk).version
    return client.post(
        reverse("activities:milestone_cancel", args=[milestone.pk]),
        {"cancel_reason": reason, "version": str(version)},
    )


def test_lead_party_staff_edit_a_milestone(client, doc_staff, milestone):
    client.force_login(doc_staff)
    assert _edit(client, milestone).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_on) == ("Draft the plan", datetime.date(2018, 5, 31))


def test_the_earlier_version_stays_in_the_history(client, doc_staff, milestone):
    client.force_login(doc_staff)
    _edit(client, milestone)
    assert [h.due_on for h in milestone.history.order_by("history_date")] == [DUE, datetime.date(2018, 5, 31)]


def test_another_partys_staff_cannot_edit_and_nothing_changes(client, dhs_staff, milestone):
    title = milestone.title
    client.force_login(dhs_staff)
    assert _edit(client, milestone).status_code == 403
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_on) == (title, DUE)


def test_an_edit_before_the_agreements_execution_is_refused(client, doc_staff, milestone):
    client.force_login(doc_staff)
    response = _edit(client, milestone, due_on="2017-01-01")
    assert response.status_code == 200 and response.context["form"].errors["due_on"]
    milestone.refresh_from_db()
    assert milestone.due_on == DUE


def test_lead_party_staff_cancel_a_milestone_with_a_reason_that_is_kept(client, doc_staff, milestone):
    client.force_login(doc_staff)
    assert _cancel(client, milestone).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.is_cancelled, milestone.cancel_reason, milestone.cancelled_by) == (
        True,
        "Planned twice by mistake.",
        doc_staff,
    )


def test_the_item_page_shows_the_cancelled_milestone_and_its_reason(client, doc_staff, milestone):
    client.force_login(doc_staff)
    _cancel(client, milestone)
    html = client.get(milestone.commitment.get_absolute_url()).content.decode()
    assert "data-cancelled" in html and "Planned twice by mistake." in html


def test_a_cancel_without_a_reason_is_refused(client, doc_staff, milestone):
    client.force_login(doc_staff)
    _cancel(client, milestone, reason="   ")
    milestone.refresh_from_db()
    assert not milestone.is_cancelled


def test_another_partys_staff_cannot_cancel_and_nothing_changes(client, dhs_staff, milestone):
    client.force_login(dhs_staff)
    assert _cancel(client, milestone).status_code == 403
    milestone.refresh_from_db()
    assert not milestone.is_cancelled


def test_a_completed_milestone_is_not_cancelled(client, doc_staff, milestone):
    services.milestone_complete(
        milestone=milestone, acting_user=doc_staff, completed_on=DUE, expected_version=1
    )
    client.force_login(doc_staff)
    _cancel(client, milestone)
    milestone.refresh_from_db()
    assert not milestone.is_cancelled


def test_a_cancelled_milestone_is_not_edited(doc_staff, milestone):
    services.milestone_cancel(
        milestone=milestone, acting_user=doc_staff, reason="Not needed.", expected_version=1
    )
    with pytest.raises(services.ValidationError):
        services.milestone_edit(
            milestone=milestone, acting_user=doc_staff, expected_version=2, title="Back", due_on=DUE
        )


def test_a_cancelled_milestone_is_never_overdue(doc_staff, milestone):
    assert Milestone.objects.overdue(datetime.date(2019, 1, 1)).filter(pk=milestone.pk).exists()
    services.milestone_cancel(
        milestone=milestone, acting_user=doc_staff, reason="Not needed.", expected_version=1
    )
    assert not Milestone.objects.overdue(datetime.date(2019, 1, 1)).filter(pk=milestone.pk).exists()
    assert milestone not in stale_work_due(datetime.date(2019, 1, 1)).overdue_milestones


def test_a_cancelled_milestone_does_not_make_its_item_overdue_on_the_list(client, doc_staff, milestone):
    services.milestone_cancel(
        milestone=milestone, acting_user=doc_staff, reason="Not needed.", expected_version=1
    )
    client.force_login(doc_staff)
    response = client.get(reverse("activities:commitment_list"), {"due": "overdue"})
    assert "DOC-A1" not in [i.code for i in response.context["page_obj"]]


def test_an_edit_opened_before_another_change_is_refused_and_nothing_changes(client, doc_staff, milestone):
    client.force_login(doc_staff)
    _edit(client, milestone, title="First save")
    response = _edit(client, milestone, title="Second save", version="1")
    assert response.status_code == 200
    assert "after you opened it" in " ".join(response.context["form"].non_field_errors())
    milestone.refresh_from_db()
    assert (milestone.title, milestone.version) == ("First save", 2)


def test_a_completion_sent_from_an_out_of_date_page_is_refused(client, doc_staff, milestone):
    client.force_login(doc_staff)
    _edit(client, milestone)
    response = client.post(
        reverse("activities:milestone_complete", args=[milestone.pk]),
        {"completed_on": "2018-05-30", "version": "1"},
        follow=True,
    )
    assert "not completed" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_the_item_page_sends_the_milestones_version_with_each_button(client, doc_staff, milestone):
    client.force_login(doc_staff)
    _edit(client, milestone)
    html = client.get(milestone.commitment.get_absolute_url()).content.decode()
    assert html.count('name="version" value="2"') == 2
