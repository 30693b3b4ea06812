"""Journey 2: DHS staff cannot log progress on a DOC-led item (they are told why and nothing is
saved), and they record a quarterly meeting with its minutes and a follow-up action."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from activities.models import ProgressUpdate

MINUTES = "Agreed the 2018 outreach plan; DHS to share the de minimis position before the next call."
ACTION = "Share the de minimis position paper with DOC."


def test_dhs_staff_are_refused_an_update_on_a_doc_led_item_and_nothing_is_saved(
    page: Page, login, dhs_staff, moa, portal
):
    item = moa.commitments.get(code="DOC-A1")
    login(page, dhs_staff)
    page.goto(portal + item.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{item.code} {item.title}")
    expect(page.get_by_role("link", name="Log an update")).to_have_count(0)
    expect(page.locator("[data-cannot-report]")).to_have_text(
        "Progress on this commitment is logged by staff of DOC."
    )

    # Following a link to the form (a bookmark, a forwarded e-mail) is refused, with the reason.
    form_url = portal + reverse("activities:update_create", args=[moa.slug, item.code])
    response = page.goto(form_url)
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that here")
    expect(page.get_by_role("alert")).to_have_text(
        f"{item.code} is led by DOC. Only staff of the lead party can log progress or plan milestones on it."
    )
    expect(page.get_by_role("textbox")).to_have_count(0)

    # A hand-made submission of the form is refused just the same.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(
        form_url,
        form={"as_of": "2018-06-29", "status": "at_risk", "percent_complete": "40", "narrative": "Not mine."},
        headers={"X-CSRFToken": csrf, "Referer": form_url},
    )
    assert posted.status == 403
    assert not ProgressUpdate.objects.filter(commitment=item).exists()
    item.refresh_from_db()
    assert item.status == "not_started"


def test_dhs_staff_record_a_quarterly_meeting_with_minutes_and_a_follow_up(page: Page, login, dhs_staff, moa):
    login(page, dhs_staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Record a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a meeting")

    expect(page.get_by_label("Kind")).to_have_value("quarterly")
    page.get_by_label("Title").fill("Q2 2018 DOC–DHS call")
    page.get_by_label("Date and time").fill("2018-06-14T10:00")
    page.get_by_label("Minutes").fill(MINUTES)
    page.get_by_role("checkbox", name="Sam Ortiz (DHS)").check()
    page.get_by_text("Choose the commitments discussed").click()  # folded until opened
    page.get_by_role("checkbox", name=re.compile(r"^VI\.5 ")).check()
    first_action = page.get_by_role("group", name="Action 1")
    first_action.get_by_label("Action").fill(ACTION)
    first_action.get_by_label("Owner (portal user)").select_option(label="Sam Ortiz (DHS)")
    first_action.get_by_label("Due on").fill("2018-07-31")
    page.get_by_role("button", name="Record meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Q2 2018 DOC–DHS call")
    expect(page.get_by_role("status")).to_have_text("Meeting “Q2 2018 DOC–DHS call” recorded.")
    expect(page.get_by_role("region", name="Minutes")).to_contain_text(MINUTES)
    actions = page.get_by_role("table", name="Follow-up actions decided at this meeting")
    expect(actions.locator("tbody > tr")).to_have_count(1)
    expect(actions.locator("tbody > tr")).to_contain_text(ACTION)
    expect(actions.locator("tbody > tr")).to_contain_text("Sam Ortiz")
    expect(actions.locator("tbody > tr")).to_contain_text("July 31, 2018")

    page.get_by_role("link", name="Meetings").first.click()
    quarter = page.locator("li, tr").filter(has=page.get_by_role("link", name="2018 Q2", exact=True))
    expect(quarter).to_contain_text("Held")
