"""Meetings that prepare themselves: an upcoming meeting's agenda draft (what changed since the
last meeting of its obligation), using it as the agenda, follow-up actions linked to a
commitment (on its timeline, refused for another agreement's), and attendees by name and office."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.forms import FollowUpForm, MeetingForm
from activities.models import FollowUpAction, Meeting
from activities.selectors import agenda_draft, previous_meeting
from activities.tests.factories import (
    FollowUpActionFactory,
    MeetingFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from agreements.models import CommitmentStatus
from agreements.tests.factories import CommitmentFactory
from contacts.models import PointOfContact, distinct_labels

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def ago(days: int) -> datetime.datetime:
    return timezone.now() - days * DAY


@pytest.fixture
def item(moa):
    return moa.commitments.get(code="VI.5")


@pytest.fixture
def other_item(moa):
    return moa.commitments.exclude(code="VI.5").order_by("position").first()


@pytest.fixture
def last_meeting(moa, doc_staff):
    return MeetingFactory(
        agreement=moa, kind="quarterly", title="Last quarter's call", starts_at=ago(30), organiser=doc_staff
    )


@pytest.fixture
def upcoming(moa, doc_staff, last_meeting):
    return MeetingFactory(
        agreement=moa,
        kind="quarterly",
        title="Next quarter's call",
        starts_at=timezone.now() + 14 * DAY,
        agenda="",
        minutes="",
        organiser=doc_staff,
    )


def update(commitment, author, party, *, entered, status=CommitmentStatus.ON_TRACK, narrative="Moving."):
    u = ProgressUpdateFactory(
        commitment=commitment,
        author=author,
        reporting_party=party,
        as_of=datetime.date(2021, 6, 30),
        status=status,
        percent_complete=100 if status == CommitmentStatus.COMPLETE else 50,
        narrative=narrative,
    )
    type(u).objects.filter(pk=u.pk).update(created_at=entered)
    services.commitment_status_refresh(commitment=commitment)
    return u


# --- what counts as changed since the last meeting ---------------------------------------------


def test_the_draft_lists_updates_entered_since_the_last_meeting_only(upcoming, item, doc_staff, doc):
    update(item, doc_staff, doc, entered=ago(40), narrative="Before the last call.")
    update(item, doc_staff, doc, entered=ago(2), narrative="After the last call.")
    draft = agenda_draft(upcoming, doc_staff)
    assert [u.narrative for u in draft.updates] == ["After the last call."]
    assert draft.previous.title == "Last quarter's call"
    assert "After the last call." in draft.text and "Before the last call." not in draft.text


def test_the_last_meeting_is_of_the_same_obligation_not_any_kind(upcoming, moa, doc_staff, last_meeting):
    MeetingFactory(agreement=moa, kind="wco", title="A WCO session", starts_at=ago(5), organiser=doc_staff)
    MeetingFactory(
        agreement=moa,
        kind="quarterly",
        title="Called off",
        starts_at=ago(3),
        organiser=doc_staff,
        is_cancelled=True,
    )
    assert previous_meeting(upcoming) == last_meeting


def test_a_meeting_of_a_kind_no_obligation_counts_follows_the_agreements_last_meeting(
    moa, doc_staff, last_meeting
):
    wco = MeetingFactory(
        agreement=moa, kind="wco", title="WCO", starts_at=timezone.now() + DAY, organiser=doc_staff
    )
    later = MeetingFactory(
        agreement=moa, kind="wco", title="Earlier WCO", starts_at=ago(10), organiser=doc_staff
    )
    assert previous_meeting(wco) == later


def test_a_commitment_newly_at_risk_is_a_new_risk_one_already_at_risk_is_not(
    upcoming, item, other_item, doc_staff, doc
):
    update(item, doc_staff, doc, entered=ago(40), status=CommitmentStatus.ON_TRACK)
    update(item, doc_staff, doc, entered=ago(1), status=CommitmentStatus.AT_RISK)
    update(other_item, doc_staff, doc, entered=ago(40), status=CommitmentStatus.BLOCKED)
    update(other_item, doc_staff, doc, entered=ago(1), status=CommitmentStatus.BLOCKED)
    [risk] = agenda_draft(upcoming, doc_staff).new_risks
    assert risk.commitment == item
    assert risk.status_before == "On track"


def test_overdue_milestones_and_open_follow_ups_of_earlier_meetings_roll_on(
    upcoming, last_meeting, item, doc_staff
):
    MilestoneFactory(commitment=item, title="Late step", owner_user=doc_staff, due_on=(ago(3)).date())
    MilestoneFactory(
        commitment=item, title="Future step", owner_user=doc_staff, due_on=(NOW + 9 * DAY).date()
    )
    day = timezone.localtime(last_meeting.starts_at).date()
    FollowUpActionFactory(meeting=last_meeting, description="Still open", owner_user=doc_staff, due_on=day)
    FollowUpActionFactory(
        meeting=last_meeting, description="Done", owner_user=doc_staff, due_on=day, completed_on=day
    )
    FollowUpActionFactory(
        meeting=upcoming, description="Decided at the next call", owner_user=doc_staff, due_on=day + 60 * DAY
    )
    draft = agenda_draft(upcoming, doc_staff)
    assert [m.title for m in draft.overdue_milestones] == ["Late step"]
    assert [f.description for f in draft.open_follow_ups] == ["Still open"]
    assert "Open follow-ups from earlier meetings\n- Still open" in draft.text


def test_another_agreements_records_never_appear(upcoming, doc_staff, doc):
    stranger = CommitmentFactory(title="Someone else's commitment")
    update(stranger, doc_staff, doc, entered=ago(1), status=CommitmentStatus.AT_RISK, narrative="Elsewhere.")
    MilestoneFactory(commitment=stranger, title="Elsewhere late", owner_user=doc_staff, due_on=ago(3).date())
    elsewhere = MeetingFactory(agreement=stranger.agreement, starts_at=ago(20), organiser=doc_staff)
    FollowUpActionFactory(
        meeting=elsewhere, description="Elsewhere open", owner_user=doc_staff, due_on=ago(19).date()
    )
    draft = agenda_draft(upcoming, doc_staff)
    assert draft.is_empty
    assert "Elsewhere" not in draft.text


def test_only_a_viewer_who_sees_the_agreement_gets_a_draft(upcoming, item, doc_staff, doc, outsider):
    update(item, doc_staff, doc, entered=ago(1))
    assert agenda_draft(upcoming, outsider) is None
    assert agenda_draft(upcoming, doc_staff) is not None


def test_a_held_or_cancelled_meeting_has_no_draft(last_meeting, upcoming, doc_staff):
    assert agenda_draft(last_meeting, doc_staff) is None
    Meeting.objects.filter(pk=upcoming.pk).update(is_cancelled=True)
    upcoming.refresh_from_db()
    assert agenda_draft(upcoming, doc_staff) is None


# --- using the draft as the agenda --------------------------------------------------------------


def test_using_the_draft_fills_the_agenda_on_the_meetings_history(client, upcoming, item, doc_staff, doc):
    update(item, doc_staff, doc, entered=ago(1), narrative="Drafted the plan.")
    client.force_login(doc_staff)
    response = client.post(
        reverse("activities:meeting_agenda_use", args=[upcoming.pk]), {"version": str(upcoming.version)}
    )
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert "Drafted the plan." in upcoming.agenda
    assert upcoming.history.first().history_user == doc_staff
    assert upcoming.history.count() == 2


def test_using_the_draft_from_an_out_of_date_page_is_refused(client, upcoming, item, doc_staff, doc):
    update(item, doc_staff, doc, entered=ago(1))
    client.force_login(doc_staff)
    response = client.post(
        reverse("activities:meeting_agenda_use", args=[upcoming.pk]),
        {"version": str(upcoming.version + 5)},
        follow=True,
    )
    assert "The agenda was not changed" in response.content.decode()
    upcoming.refresh_from_db()
    assert upcoming.agenda == ""


@pytest.mark.parametrize("version", ["", "not-a-number", "-1"])
def test_using_the_draft_with_a_broken_version_answers_a_message_not_a_500(
    client, upcoming, doc_staff, version
):
    client.force_login(doc_staff)
    response = client.post(reverse("activities:meeting_agenda_use", args=[upcoming.pk]), {"version": version})
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.agenda == ""


def test_a_held_meetings_agenda_is_not_replaced_by_a_draft(last_meeting, doc_staff):
    with pytest.raises(ValidationError):
        services.meeting_agenda_from_draft(
            meeting=last_meeting, acting_user=doc_staff, expected_version=last_meeting.version
        )


def test_the_meeting_page_shows_the_draft_and_its_button(client, upcoming, item, doc_staff, doc):
    update(item, doc_staff, doc, entered=ago(1), narrative="Shown on the page.")
    client.force_login(doc_staff)
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert "Agenda draft: what changed since the last meeting" in page
    assert "Shown on the page." in page
    assert "Use this draft as the agenda" in page


# --- follow-up actions linked to a commitment ---------------------------------------------------


def test_a_follow_up_of_another_agreements_commitment_is_refused_beside_the_field(moa):
    stranger = CommitmentFactory()
    form = FollowUpForm(
        data={"description": "Do it", "due_on": "2021-06-01", "commitment": str(stranger.pk)},
        agreement=moa,
    )
    assert not form.is_valid()
    assert form.errors["commitment"] == ["Choose a commitment of this meeting's agreement."]


def test_the_model_refuses_a_commitment_of_another_agreement(last_meeting, doc_staff):
    action = FollowUpAction(
        meeting=last_meeting,
        description="x",
        owner_user=doc_staff,
        due_on=NOW.date(),
        commitment=CommitmentFactory(),
    )
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert "commitment" in refused.value.message_dict


def test_posting_a_follow_up_with_another_agreements_commitment_shows_the_form_again(client, moa, doc_staff):
    stranger = CommitmentFactory()
    client.force_login(doc_staff)
    response = client.post(
        reverse("activities:meeting_create") + f"?agreement={moa.slug}",
        {
            "kind": "quarterly",
            "title": "Linked",
            "starts_at": "2018-02-05T14:00",
            "format": "call",
            "follow_ups-TOTAL_FORMS": "1",
            "follow_ups-INITIAL_FORMS": "0",
            "follow_ups-MIN_NUM_FORMS": "0",
            "follow_ups-MAX_NUM_FORMS": "1000",
            "follow_ups-0-description": "Circulate",
            "follow_ups-0-owner_user": str(doc_staff.pk),
            "follow_ups-0-due_on": "2018-03-01",
            "follow_ups-0-commitment": str(stranger.pk),
        },
    )
    assert response.status_code == 200
    assert "Choose a commitment of this meeting&#x27;s agreement." in response.content.decode()
    assert not Meeting.objects.filter(title="Linked").exists()


def test_a_linked_follow_up_shows_on_the_commitments_timeline(client, last_meeting, item, doc_staff):
    FollowUpActionFactory(
        meeting=last_meeting,
        description="Send the outreach plan",
        owner_user=doc_staff,
        due_on=timezone.localtime(last_meeting.starts_at).date(),
        commitment=item,
    )
    client.force_login(doc_staff)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Follow-up action from the meeting on" in page
    assert "Send the outreach plan" in page


# --- attendees by name and office ---------------------------------------------------------------


def test_contacts_are_labelled_by_name_and_office_and_never_alike(moa, doc):
    named = PointOfContact.objects.create(
        agreement=moa,
        party=doc,
        role_title="Director",
        office="Trade Office",
        person_name="Avery Kim",
        active_from=datetime.date(2018, 1, 1),
    )
    twins = [
        PointOfContact.objects.create(
            agreement=moa, party=doc, role_title="Director", active_from=datetime.date(2018, 1, 1)
        )
        for _ in range(2)
    ]
    labels = distinct_labels([named, *twins])
    assert labels[named.pk] == "Avery Kim, Trade Office — DOC: Director"
    assert labels[twins[0].pk] != labels[twins[1].pk]
    assert all(label.startswith("DOC: Director") for pk, label in labels.items() if pk != named.pk)


def test_the_meeting_form_offers_no_two_attendees_alike(moa):
    labels = [label for _value, label in MeetingForm(agreement=moa).fields["attendee_contacts"].choices]
    assert labels and len(labels) == len(set(labels))


def test_only_the_meetings_agreements_commitments_are_offered_for_a_follow_up(moa):
    CommitmentFactory()
    choices = FollowUpForm(agreement=moa).fields["commitment"].queryset
    assert set(choices.values_list("agreement_id", flat=True)) == {moa.pk}
