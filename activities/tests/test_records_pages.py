"""Meetings, outreach events, milestones and evidence downloads in the browser."""

import datetime

from django.urls import reverse

from activities import services
from activities.models import Evidence, FollowUpAction, Meeting, Milestone, OutreachEvent
from activities.tests import files
from activities.tests.factories import MeetingFactory, MilestoneFactory, OutreachEventFactory
from agreements.models import CommitmentStatus


def meeting_post(moa, **overrides):
    data = {
        "kind": "quarterly",
        "title": "FY18 Q1 DOC–DHS call",
        "starts_at": "2017-12-05T14:00",
        "format": "call",
        "agenda": "Priorities",
        "minutes": "Agreed the outreach plan.",
        "decisions": "Hold an event in Q2.",
        "items": [str(moa.commitments.get(code="VI.5").pk)],
        "follow_ups-TOTAL_FORMS": "2",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-MIN_NUM_FORMS": "0",
        "follow_ups-MAX_NUM_FORMS": "1000",
        "follow_ups-0-description": "Circulate the outreach plan",
        "follow_ups-0-due_on": "2018-01-15",
    }
    data.update(overrides)
    return data


def test_staff_record_a_quarterly_meeting_with_a_follow_up(client, doc_staff, moa):
    client.force_login(doc_staff)
    data = meeting_post(moa, **{"follow_ups-0-owner_user": str(doc_staff.pk)})
    response = client.post(reverse("activities:meeting_create") + f"?agreement={moa.slug}", data)
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.follow_ups.get().owner_user == doc_staff
    assert moa.commitments.get(code="VI.5").meetings.get() == meeting


def test_follow_up_without_an_owner_is_refused_and_nothing_saved(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.post(reverse("activities:meeting_create") + f"?agreement={moa.slug}", meeting_post(moa))
    assert response.status_code == 200
    assert "Name who owns this action" in response.content.decode()
    assert not Meeting.objects.exists()


def test_meeting_before_execution_is_refused(client, doc_staff, moa):
    client.force_login(doc_staff)
    data = meeting_post(moa, starts_at="2017-10-01T10:00", **{"follow_ups-0-description": ""})
    response = client.post(reverse("activities:meeting_create") + f"?agreement={moa.slug}", data)
    assert "before the agreement was executed" in response.context["form"].errors["starts_at"][0]


def test_meeting_page_shows_minutes_escaped_and_follow_ups(client, doc_staff, moa):
    meeting = MeetingFactory(agreement=moa, minutes="<b>bold</b> minutes", organiser=doc_staff)
    FollowUpAction.objects.create(
        meeting=meeting, description="Draft", owner_user=doc_staff, due_on=datetime.date(2021, 6, 1)
    )
    client.force_login(doc_staff)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; minutes" in page
    assert "Draft" in page


def test_meeting_page_is_404_for_another_agreements_party(client, outsider, moa):
    meeting = MeetingFactory(agreement=moa)
    client.force_login(outsider)
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_meeting_edit_adds_minutes_and_keeps_history(client, doc_staff, moa):
    meeting = MeetingFactory(
        agreement=moa,
        minutes="",
        organiser=doc_staff,
        starts_at=datetime.datetime(2018, 2, 1, 15, tzinfo=datetime.UTC),
    )
    client.force_login(doc_staff)
    data = meeting_post(
        moa,
        minutes="Written afterwards.",
        version=str(meeting.version),
        **{"follow_ups-0-description": "", "follow_ups-0-due_on": ""},
    )
    response = client.post(reverse("activities:meeting_edit", kwargs={"pk": meeting.pk}), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["formset"].errors)
    meeting.refresh_from_db()
    assert meeting.minutes == "Written afterwards."
    assert "" in {h.minutes for h in meeting.history.all()}


def event_post(moa, party, **overrides):
    data = {
        "title": "Cross-border e-commerce forum",
        "held_on": "2018-04-20",
        "city": "Singapore",
        "country": "Singapore",
        "place": "abroad",
        "audiences": ["platforms"],
        "attendance": "150",
        "outcomes": "Two platforms joined.",
        "organising_party": str(party.pk),
    }
    data.update(overrides)
    return data


def test_staff_record_an_outreach_event_with_evidence(client, dhs_staff, dhs, moa):
    client.force_login(dhs_staff)
    data = event_post(moa, dhs, evidence=files.upload("photo.png", files.png_bytes()))
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    event = OutreachEvent.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert (event.place, event.audiences) == ("abroad", ["platforms"])
    assert event.evidence.get().content_type == "image/png"


def test_outreach_event_without_audience_is_refused(client, dhs_staff, dhs, moa):
    client.force_login(dhs_staff)
    data = event_post(moa, dhs)
    del data["audiences"]
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert "Tick at least one audience" in response.content.decode()
    assert not OutreachEvent.objects.exists()


def test_negative_attendance_is_refused(client, dhs_staff, dhs, moa):
    client.force_login(dhs_staff)
    data = event_post(moa, dhs, attendance="-5")
    response = client.post(reverse("activities:event_create") + f"?agreement={moa.slug}", data)
    assert response.context["form"].errors["attendance"] == ["Attendance cannot be negative."]


def test_milestone_added_from_the_item_page(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:milestone_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    response = client.post(
        url, {"title": "Team charter signed", "due_on": "2018-03-31", "owner_user": doc_staff.pk}
    )
    assert response.status_code == 302
    assert Milestone.objects.get().commitment.code == "DOC-A1"


def test_milestone_due_before_the_items_start_is_refused_in_the_form(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:milestone_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    response = client.post(url, {"title": "Too early", "due_on": "2017-01-01"})
    assert "before the commitment's start (October 19, 2017)" in response.context["form"].errors["due_on"][0]
    assert not Milestone.objects.exists()


def test_milestone_on_the_other_partys_item_is_refused(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:milestone_create", kwargs={"slug": moa.slug, "code": "DHS-A1"})
    assert client.post(url, {"title": "x", "due_on": "2018-01-01"}).status_code == 403


def test_milestone_marked_complete(client, doc_staff, moa):
    milestone = MilestoneFactory(
        commitment=moa.commitments.get(code="DOC-A1"), due_on=datetime.date(2018, 3, 31)
    )
    client.force_login(doc_staff)
    client.post(
        reverse("activities:milestone_complete", kwargs={"pk": milestone.pk}),
        {"completed_on": "2018-03-30", "version": "1"},
    )
    milestone.refresh_from_db()
    assert milestone.completed_on == datetime.date(2018, 3, 30)


def _evidence_on(moa, author, party):
    update = services.progress_update_create(
        commitment=moa.commitments.get(code="VI.5"),
        acting_user=author,
        reporting_party=party,
        as_of=datetime.date(2018, 1, 10),
        status=CommitmentStatus.ON_TRACK,
        percent_complete=20,
        narrative="Met.",
        files=[files.pdf("minutes Q1.pdf")],
    )
    return update.evidence.get()


def test_evidence_download_is_an_attachment(client, doc_staff, doc, dhs_staff, moa):
    evidence = _evidence_on(moa, doc_staff, doc)
    client.force_login(dhs_staff)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "minutes Q1.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == files.PDF


def test_evidence_download_is_404_for_a_party_not_on_the_agreement(client, doc_staff, doc, outsider, moa):
    evidence = _evidence_on(moa, doc_staff, doc)
    client.force_login(outsider)
    assert client.get(evidence.get_absolute_url()).status_code == 404


def test_evidence_download_needs_sign_in(client, doc_staff, doc, moa):
    evidence = _evidence_on(moa, doc_staff, doc)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_evidence_attached_to_an_event_later(client, doc_staff, moa):
    event = OutreachEventFactory(agreement=moa, organising_party=doc_staff.membership.party)
    client.force_login(doc_staff)
    url = reverse("activities:event_evidence", kwargs={"pk": event.pk})
    client.post(url, {"evidence": files.upload("agenda.csv", b"time,topic\n09:00,welcome\n")})
    assert Evidence.objects.get(outreach_event=event).content_type == "text/csv"


def test_refused_attachment_says_why_and_saves_nothing(client, doc_staff, moa):
    event = OutreachEventFactory(agreement=moa, organising_party=doc_staff.membership.party)
    client.force_login(doc_staff)
    url = reverse("activities:event_evidence", kwargs={"pk": event.pk})
    response = client.post(url, {"evidence": files.upload("agenda.xlsx", files.EXE)}, follow=True)
    assert "Nothing was attached" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_download_is_not_stored(client, doc_staff, doc, moa):
    evidence = _evidence_on(moa, doc_staff, doc)
    client.force_login(doc_staff)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
