"""Issue 20: what a user types is bounded where it enters, and records are kept by their party.

Each test fails without its rule: a far date stored, a contradiction accepted, a stale form
saved, another party's meeting changed.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from activities import services
from activities.models import FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from activities.tests.factories import MeetingFactory, OutreachEventFactory, ProgressUpdateFactory
from activities.tests.test_records_pages import event_post, meeting_post
from activities.tests.test_update_pages import create_url, form_data
from agreements.models import CommitmentStatus
from core.time import today

NY = ZoneInfo("America/New_York")


def record_meeting(client, moa, **overrides):
    data = meeting_post(moa, **{"follow_ups-0-description": "", "follow_ups-0-due_on": "", **overrides})
    return client.post(reverse("activities:meeting_create") + f"?agreement={moa.slug}", data)


# --- dates --------------------------------------------------------------------------------------


def test_meeting_at_9999_12_31_2330_is_refused_and_nothing_stored(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = record_meeting(client, moa, starts_at="9999-12-31T23:30")
    assert response.status_code == 200
    assert "between 1900-01-01 and 2200-12-31" in response.context["form"].errors["starts_at"][0]
    assert not Meeting.objects.exists()


def test_database_refuses_a_meeting_in_year_10000_even_past_the_forms(moa, doc_staff):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC)
        )


def test_meeting_in_the_future_with_minutes_is_refused(client, doc_staff, moa):
    client.force_login(doc_staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = record_meeting(client, moa, starts_at=f"{tomorrow}T10:00", minutes="We met.")
    assert "in the future" in response.context["form"].errors["minutes"][0]
    assert not Meeting.objects.exists()


def test_meeting_in_the_future_without_minutes_is_planned_and_kept(client, doc_staff, moa):
    client.force_login(doc_staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = record_meeting(client, moa, starts_at=f"{tomorrow}T10:00", minutes="")
    assert response.status_code == 302
    assert Meeting.objects.count() == 1


def test_event_in_the_future_with_outcomes_is_refused(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    data = event_post(moa, doc, held_on=tomorrow, attendance="", outcomes="Two platforms joined.")
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert response.status_code == 200
    assert "in the future" in response.context["form"].errors["outcomes"][0]
    assert not OutreachEvent.objects.exists()


def test_event_in_the_future_with_attendance_is_refused(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    data = event_post(moa, doc, held_on=tomorrow, attendance="150", outcomes="")
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert "in the future" in response.context["form"].errors["outcomes"][0]
    assert not OutreachEvent.objects.exists()


def test_event_in_the_future_without_outcomes_is_planned_and_kept(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    data = event_post(moa, doc, held_on=tomorrow, attendance="", outcomes="")
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert response.status_code == 302
    assert OutreachEvent.objects.count() == 1


def test_follow_up_due_before_its_meeting_is_refused(doc_staff, moa):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    with pytest.raises(Exception, match="due before its meeting"):
        services.meeting_update(
            meeting=meeting,
            acting_user=doc_staff,
            expected_version=meeting.version,
            follow_ups=[
                {"description": "Circulate", "owner_user": doc_staff, "due_on": datetime.date(2021, 5, 1)}
            ],
        )
    assert not FollowUpAction.objects.exists()


def test_follow_up_due_before_its_meeting_is_shown_beside_its_row_and_in_the_summary(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = record_meeting(
        client,
        moa,
        **{
            "follow_ups-1-description": "Circulate the minutes",
            "follow_ups-1-owner_user": str(doc_staff.pk),
            "follow_ups-1-due_on": "2017-12-04",
        },
    )
    assert response.status_code == 200
    row = response.context["formset"].forms[1]
    assert row.errors["due_on"] == ["The action is due before its meeting (December 5, 2017)."]
    assert not response.context["form"].errors
    page = response.content.decode()
    assert (
        '<a href="#id_follow_ups-1-due_on">Action 2, Due on: The action is due before its meeting '
        "(December 5, 2017).</a>" in page
    )
    # Beside the field: crispy's feedback for the row's date input.
    assert 'id="error_1_id_follow_ups-1-due_on"' in page
    assert not Meeting.objects.exists()


def test_follow_up_completed_before_an_edited_meeting_moved_later_is_shown_beside_its_row(
    client, doc_staff, moa
):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    client.force_login(doc_staff)
    data = meeting_post(
        moa,
        version=str(meeting.version),
        starts_at="2018-02-01T10:00",
        **{
            "follow_ups-0-owner_user": str(doc_staff.pk),
            "follow_ups-0-due_on": "2018-03-01",
            "follow_ups-0-completed_on": "2018-01-20",
        },
    )
    response = client.post(reverse("activities:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["completed_on"] == [
        "The action was completed before its meeting (February 1, 2018)."
    ]
    assert not FollowUpAction.objects.exists()


def test_milestone_due_9999_12_31_is_refused(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:milestone_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    response = client.post(url, {"title": "Ship", "due_on": "9999-12-31", "owner_user": str(doc_staff.pk)})
    assert response.status_code == 200
    assert "due_on" in response.context["form"].errors
    assert not Milestone.objects.exists()


def test_update_as_of_after_the_term_ended_is_refused(client, doc_staff, doc, moa):
    moa.refresh_from_db()
    after = moa.expires_on + datetime.timedelta(days=1)
    assert after <= today()
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, as_of=after.isoformat()))
    assert "after the agreement's term ended" in response.context["form"].errors["as_of"][0]
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("status", "percent"),
    [("complete", "10"), ("not_started", "60"), ("on_track", "100"), ("complete", "99")],
)
def test_status_and_percent_that_contradict_each_other_are_refused(
    client, doc_staff, doc, moa, status, percent
):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, status=status, percent_complete=percent))
    assert "Not started is 0 %, Complete is 100 %" in response.context["form"].errors["percent_complete"][0]
    assert not ProgressUpdate.objects.exists()


def test_the_status_and_percent_rule_is_stated_on_the_form(client, doc_staff, moa):
    client.force_login(doc_staff)
    assert "Not started is 0 %, Complete is 100 %" in client.get(create_url(moa, "DOC-A1")).content.decode()


def test_attendance_beyond_plausible_is_refused_not_a_500(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    data = {
        "title": "Forum",
        "held_on": "2021-04-20",
        "city": "Chicago",
        "country": "United States",
        "place": "us",
        "audiences": ["platforms"],
        "attendance": "99999999999999999999",
        "organising_party": str(doc.pk),
    }
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert response.status_code == 200
    assert "attendance" in response.context["form"].errors
    assert not OutreachEvent.objects.exists()


# --- duplicates -------------------------------------------------------------------------------


def test_same_meeting_kind_on_the_same_day_asks_before_saving_then_saves_when_confirmed(
    client, doc_staff, moa
):
    MeetingFactory(agreement=moa, organiser=doc_staff, starts_at=datetime.datetime(2017, 12, 5, 9, tzinfo=NY))
    client.force_login(doc_staff)
    response = record_meeting(client, moa)
    assert "already recorded" in response.context["form"].errors["confirm_duplicate"][0]
    assert Meeting.objects.count() == 1
    response = record_meeting(client, moa, confirm_duplicate="on")
    assert response.status_code == 302
    assert Meeting.objects.count() == 2


# --- edit conflicts and parties ---------------------------------------------------------------


def test_stale_meeting_form_is_refused_and_the_other_edit_kept(client, doc_staff, moa):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff, minutes="")
    opened = meeting.version
    services.meeting_update(
        meeting=meeting, acting_user=doc_staff, expected_version=opened, minutes="Theirs."
    )
    client.force_login(doc_staff)
    url = reverse("activities:meeting_edit", kwargs={"pk": meeting.pk})
    data = meeting_post(
        moa,
        starts_at="2021-05-12T10:00",
        minutes="Mine.",
        version=str(opened),
        **{"follow_ups-0-description": "", "follow_ups-0-due_on": ""},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "after you opened it" in str(response.context["form"].non_field_errors())
    meeting.refresh_from_db()
    assert meeting.minutes == "Theirs."


@pytest.mark.parametrize("version", ["999", "0", ""])
def test_meeting_form_with_an_unknown_or_missing_version_is_refused(client, doc_staff, moa, version):
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff, minutes="Kept.")
    client.force_login(doc_staff)
    data = meeting_post(
        moa,
        starts_at="2021-05-12T10:00",
        minutes="Overwritten?",
        version=version,
        **{"follow_ups-0-description": "", "follow_ups-0-due_on": ""},
    )
    response = client.post(reverse("activities:meeting_edit", kwargs={"pk": meeting.pk}), data)
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.minutes == "Kept."


def test_stale_event_edit_is_refused_by_the_service(doc, doc_staff, moa):
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    opened = event.version
    services.outreach_event_update(
        event=event, acting_user=doc_staff, expected_version=opened, outcomes="Theirs."
    )
    with pytest.raises(services.EditConflict):
        services.outreach_event_update(
            event=event, acting_user=doc_staff, expected_version=opened, outcomes="Mine."
        )
    event.refresh_from_db()
    assert event.outcomes == "Theirs."


def test_stale_update_edit_is_refused_by_the_service(doc, doc_staff, moa):
    item = moa.commitments.get(code="DOC-A1")
    update = ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff)
    opened = update.version
    fields = {"as_of": update.as_of, "status": "on_track", "percent_complete": 50}
    services.progress_update_edit(
        update=update, acting_user=doc_staff, expected_version=opened, narrative="Theirs.", **fields
    )
    with pytest.raises(services.EditConflict):
        services.progress_update_edit(
            update=update, acting_user=doc_staff, expected_version=opened, narrative="Mine.", **fields
        )
    update.refresh_from_db()
    assert update.narrative == "Theirs."


def test_staff_cannot_change_another_partys_meeting_by_get_or_post(client, doc_staff, dhs_staff, moa):
    meeting = MeetingFactory(agreement=moa, organiser=dhs_staff, minutes="DHS minutes.")
    client.force_login(doc_staff)
    url = reverse("activities:meeting_edit", kwargs={"pk": meeting.pk})
    assert client.get(url).status_code == 403
    data = meeting_post(moa, minutes="DOC overwrote.", version=str(meeting.version))
    assert client.post(url, data).status_code == 403
    meeting.refresh_from_db()
    assert meeting.minutes == "DHS minutes."


def test_staff_may_change_a_meeting_that_discussed_a_joint_item(client, doc_staff, dhs_staff, moa):
    meeting = MeetingFactory(agreement=moa, organiser=dhs_staff)
    joint = next(c for c in moa.commitments.prefetch_related("lead_parties") if c.is_joint)
    meeting.items.add(joint)
    client.force_login(doc_staff)
    assert client.get(reverse("activities:meeting_edit", kwargs={"pk": meeting.pk})).status_code == 200


def test_staff_cannot_record_an_event_organised_by_another_party(client, doc_staff, dhs, moa):
    client.force_login(doc_staff)
    data = {
        "title": "Forum",
        "held_on": "2021-04-20",
        "city": "Chicago",
        "country": "United States",
        "place": "us",
        "audiences": ["platforms"],
        "organising_party": str(dhs.pk),
    }
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert "organising_party" in response.context["form"].errors
    assert not OutreachEvent.objects.exists()


def test_staff_cannot_change_another_partys_event(client, doc_staff, dhs, dhs_staff, moa):
    event = OutreachEventFactory(agreement=moa, organising_party=dhs, created_by=dhs_staff)
    client.force_login(doc_staff)
    url = reverse("activities:event_edit", kwargs={"pk": event.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Taken over", "version": str(event.version)}).status_code == 403
    assert client.post(reverse("activities:event_evidence", kwargs={"pk": event.pk})).status_code == 403


def test_the_item_status_follows_the_latest_update_written_through_the_lock(doc, doc_staff, moa):
    item = moa.commitments.get(code="DOC-A1")
    common = {"commitment": item, "acting_user": doc_staff, "reporting_party": doc, "narrative": "n"}
    services.progress_update_create(
        as_of=datetime.date(2021, 6, 1), status=CommitmentStatus.AT_RISK, percent_complete=30, **common
    )
    services.progress_update_create(
        as_of=datetime.date(2021, 5, 1), status=CommitmentStatus.ON_TRACK, percent_complete=20, **common
    )
    item.refresh_from_db()
    assert item.status == CommitmentStatus.AT_RISK
