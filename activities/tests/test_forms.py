"""Each form on its own: the valid case and the refusals, with the words the user sees."""

import datetime

import pytest

from activities.forms import (
    FollowUpForm,
    MeetingForm,
    MilestoneCompleteForm,
    MilestoneForm,
    OutreachEventForm,
    ProgressUpdateForm,
)
from activities.tests import files
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from core.time import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return PartyFactory()


@pytest.fixture
def item(lead):
    agreement = AgreementFactory(executed_on=datetime.date(2020, 1, 15), parties=[lead, PartyFactory()])
    return CommitmentFactory(agreement=agreement, lead_party=lead)


@pytest.fixture
def staff(lead):
    return UserFactory(party=lead, roles=[STAFF])


def update_form(item, staff, data=None, file_data=None):
    base = {
        "as_of": "2021-06-30",
        "status": "on_track",
        "percent_complete": "50",
        "narrative": "Moving.",
        "reporting_party": str(item.leads[0].pk),
    }
    base.update(data or {})
    return ProgressUpdateForm(base, file_data, commitment=item, user=staff)


def test_update_form_valid(item, staff):
    form = update_form(item, staff, file_data={"evidence": files.pdf()})
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["evidence"]) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("percent_complete", "101", "between 0 and 100"),
        ("percent_complete", "abc", "whole number"),
        ("as_of", "2020-01-14", "before the agreement was executed"),
        ("narrative", "", "Write a narrative"),
        ("status", "done", "Select a valid choice"),
    ],
)
def test_update_form_refusals(item, staff, field, value, message):
    form = update_form(item, staff, {field: value})
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_update_form_refuses_a_file_whose_content_is_not_its_type(item, staff):
    form = update_form(item, staff, file_data={"evidence": files.upload("budget.xlsx", files.PDF)})
    assert not form.is_valid()
    assert "not a real Excel workbook: its content is a .pdf file" in form.errors["evidence"][0]


def test_update_form_as_of_in_the_future_is_refused(item, staff):
    form = update_form(item, staff, {"as_of": (today() + datetime.timedelta(days=1)).isoformat()})
    assert not form.is_valid()
    assert "in the future" in form.errors["as_of"][0]


def test_milestone_form_valid_and_defaults_owner_to_the_user(item, staff):
    assert MilestoneForm(commitment=item, user=staff).initial["owner_user"] == staff.pk
    form = MilestoneForm(
        {"title": "Charter", "due_on": "2021-01-31", "owner_user": staff.pk}, commitment=item, user=staff
    )
    assert form.is_valid(), form.errors


def test_milestone_form_refuses_due_before_the_items_start(item, staff):
    form = MilestoneForm({"title": "Charter", "due_on": "2019-12-31"}, commitment=item, user=staff)
    assert not form.is_valid()
    assert "before the commitment's start" in form.errors["due_on"][0]


def test_milestone_form_refuses_an_empty_title(item, staff):
    form = MilestoneForm({"title": "", "due_on": "2021-01-31"}, commitment=item, user=staff)
    assert "title" in form.errors


def test_milestone_complete_form_valid_and_future_refused():
    assert MilestoneCompleteForm({"completed_on": today().isoformat(), "version": "1"}).is_valid()
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    form = MilestoneCompleteForm({"completed_on": tomorrow})
    assert form.errors["completed_on"] == ["The completion date is in the future."]


def test_meeting_form_valid_with_attendees(item, staff):
    form = MeetingForm(
        {
            "kind": "quarterly",
            "title": "Q1 call",
            "starts_at": "2021-02-10T10:00",
            "format": "video",
            "attendee_users": [staff.pk],
            "items": [item.pk],
        },
        agreement=item.agreement,
    )
    assert form.is_valid(), form.errors


def test_meeting_form_refuses_a_missing_date_and_title(item):
    form = MeetingForm({"kind": "quarterly", "format": "call"}, agreement=item.agreement)
    assert set(form.errors) >= {"title", "starts_at"}


def test_meeting_form_refuses_attendees_of_another_agreement(item):
    stranger = UserFactory(party=PartyFactory())
    form = MeetingForm(
        {
            "kind": "quarterly",
            "title": "x",
            "starts_at": "2021-02-10T10:00",
            "format": "call",
            "attendee_users": [stranger.pk],
        },
        agreement=item.agreement,
    )
    assert "attendee_users" in form.errors


def test_follow_up_form_valid_and_two_owners_refused(item, staff):
    data = {"description": "Send it", "owner_user": staff.pk, "due_on": "2021-03-01"}
    assert FollowUpForm(data, agreement=item.agreement).is_valid()
    no_owner = FollowUpForm({"description": "Send it", "due_on": "2021-03-01"}, agreement=item.agreement)
    assert "Name who owns this action" in no_owner.errors["owner_user"][0]


def event_form(item, staff, **overrides):
    data = {
        "title": "Forum",
        "held_on": "2021-04-20",
        "city": "Chicago",
        "country": "United States",
        "place": "us",
        "audiences": ["financial_technology"],
        "organising_party": str(item.leads[0].pk),
    }
    data.update(overrides)
    return OutreachEventForm(data, agreement=item.agreement, user=staff)


def test_event_form_valid_and_defaults_the_organiser_to_the_users_party(item, staff):
    assert (
        OutreachEventForm(agreement=item.agreement, user=staff).initial["organising_party"]
        == item.leads[0].pk
    )
    form = event_form(item, staff)
    assert form.is_valid(), form.errors
    assert (form.event_fields()["place"], form.event_fields()["audiences"]) == (
        "us",
        ["financial_technology"],
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "2019-01-01", "before the agreement was executed"),
        ("place", "moon", "Select a valid choice"),
        ("audiences", ["gamers"], "Select a valid choice"),
        ("attendance", "-1", "cannot be negative"),
        ("city", "", "required"),
    ],
)
def test_event_form_refusals(item, staff, field, value, message):
    form = event_form(item, staff, **{field: value})
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_event_form_offers_the_agreements_places_and_audiences(item, staff):
    form = OutreachEventForm(agreement=item.agreement, user=staff)
    assert [key for key, _ in form.fields["place"].choices] == ["us", "abroad"]
    assert [key for key, _ in form.fields["audiences"].choices] == [
        "platforms",
        "enterprises",
        "financial_technology",
    ]


def test_event_form_of_an_agreement_without_places_or_audiences_asks_for_neither(staff):
    item = CommitmentFactory(agreement=AgreementFactory(obligations=[]))
    form = OutreachEventForm(agreement=item.agreement, user=staff)
    assert "place" not in form.fields and "audiences" not in form.fields


def test_meeting_form_offers_the_agreements_meeting_kinds(item):
    form = MeetingForm(agreement=item.agreement)
    assert [key for key, _ in form.fields["kind"].choices] == ["quarterly", "wco", "other"]
    assert form.fields["kind"].initial == "quarterly"


def test_event_form_selects_the_items_its_event_obligation_carries_out(moa, dhs_staff):
    form = OutreachEventForm(agreement=moa, user=dhs_staff)
    assert [c.code for c in form.initial["items"]] == [moa.obligations.get(kind="event").item.code]
