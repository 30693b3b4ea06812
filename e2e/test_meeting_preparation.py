"""Meetings that prepare themselves, as a staff user meets them: an upcoming meeting's page drafts
its agenda from what changed since the last meeting (an update logged since, a follow-up action
still open from that meeting), the user makes it the agenda, and records a follow-up action
linked to a commitment, which then shows on that commitment's timeline."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Meeting, ProgressUpdate
from activities.tests.factories import FollowUpActionFactory, MeetingFactory, ProgressUpdateFactory
from e2e.conftest import DESKTOP, PHONE


def _height(page: Page) -> dict[str, int]:
    """The page's height (document.body.scrollHeight) at desktop and at phone width."""
    heights = {}
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        heights[label] = page.evaluate("() => document.body.scrollHeight")
    page.set_viewport_size(DESKTOP)
    return heights


def test_staff_prepare_an_upcoming_meeting_from_what_changed_since_the_last(
    page: Page, login, open_page, screenshot, moa, doc, doc_staff
):
    now = timezone.now()
    last = MeetingFactory(
        agreement=moa,
        kind="quarterly",
        title="Last quarter's call",
        starts_at=now - datetime.timedelta(days=30),
        organiser=doc_staff,
    )
    FollowUpActionFactory(
        meeting=last,
        description="Send DHS the exporters' guide outline",
        owner_user=doc_staff,
        due_on=timezone.localtime(last.starts_at).date() + datetime.timedelta(days=7),
    )
    logged = ProgressUpdateFactory(
        commitment=moa.commitments.get(code="VI.3"),
        author=doc_staff,
        reporting_party=doc,
        as_of=datetime.date(2021, 6, 30),
        narrative="The Chicago exporters forum is booked.",
    )
    ProgressUpdate.objects.filter(pk=logged.pk).update(created_at=now - datetime.timedelta(days=2))
    upcoming = MeetingFactory(
        agreement=moa,
        kind="quarterly",
        title="Next quarter's call",
        starts_at=now + datetime.timedelta(days=14),
        agenda="",
        minutes="",
        organiser=doc_staff,
    )

    login(page, doc_staff)
    open_page(page, upcoming.get_absolute_url())
    draft = page.get_by_role("region", name="Agenda draft: what changed since the last meeting")
    expect(draft).to_contain_text("The Chicago exporters forum is booked.")
    expect(draft.locator("[data-agenda-section=follow-ups]")).to_contain_text(
        "Send DHS the exporters' guide outline"
    )
    screenshot(page, "meeting-agenda-draft")
    draft.get_by_role("button", name="Use this draft as the agenda").click()
    agenda = page.get_by_role("region", name="Agenda", exact=True)
    expect(agenda).to_contain_text("Open follow-ups from earlier meetings")
    expect(agenda).to_contain_text("Send DHS the exporters' guide outline")
    expect(agenda).to_contain_text("The Chicago exporters forum is booked.")
    assert "The Chicago exporters forum is booked." in Meeting.objects.get(pk=upcoming.pk).agenda

    page.get_by_role("link", name="Edit meeting record").click()
    expect(page.get_by_role("navigation", name="Sections of the form")).to_be_visible()
    edit_heights = _height(page)
    screenshot(page, "meeting-form-edit")
    open_page(page, reverse("activities:meeting_create") + f"?agreement={moa.slug}")
    new_heights = _height(page)  # its picture is test_pages' "meeting-form"
    print(f"meeting form heights: new {new_heights}, edit {edit_heights}")

    page.go_back()
    day = timezone.localtime(upcoming.starts_at).date() + datetime.timedelta(days=10)
    page.get_by_role("link", name="4. Follow-up actions").click()
    page.locator("#id_follow_ups-0-description").fill("Confirm the forum's speakers")
    page.locator("#id_follow_ups-0-commitment").select_option(
        label=f"VI.3 {moa.commitments.get(code='VI.3').title}"
    )
    page.locator("#id_follow_ups-0-owner_user").select_option(label="Dana Reyes (DOC)")
    page.locator("#id_follow_ups-0-due_on").fill(day.isoformat())
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next quarter's call")

    page.get_by_role("region", name="Follow-up actions").get_by_role("link", name="VI.3").click()
    timeline = page.get_by_role("list", name="Timeline, newest first")
    expect(timeline).to_contain_text("Follow-up action from the meeting on")
    expect(timeline).to_contain_text("Confirm the forum's speakers")
