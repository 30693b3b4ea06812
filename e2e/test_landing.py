"""Signing in lands each role on its page: a manager on the dashboard (with a link to My work
and back), staff on My work, which on a phone shows what is overdue before the long list."""

import datetime

from playwright.sync_api import Page, expect

from activities.tests.factories import MilestoneFactory
from e2e.conftest import PHONE


def test_a_manager_lands_on_the_dashboard_and_reaches_my_work_from_it(page: Page, login, doc_manager, portal):
    login(page, doc_manager)
    expect(page).to_have_url(f"{portal}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance dashboard")

    page.get_by_role("link", name="My work: what your agency leads").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.get_by_role("main").get_by_role("link", name="Compliance dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance dashboard")


def test_staff_land_on_my_work_and_a_phone_shows_what_is_overdue_first(
    page: Page, login, doc_staff, moa, portal
):
    MilestoneFactory(
        commitment=moa.commitments.get(code="DOC-A1"),
        title="Draft the position paper",
        owner_user=doc_staff,
        due_on=datetime.date(2018, 3, 1),
    )
    page.set_viewport_size(PHONE)
    login(page, doc_staff)
    expect(page).to_have_url(f"{portal}/my-work/")
    overdue = page.get_by_role("heading", name="Overdue milestones")
    commitments = page.get_by_role("heading", name="Commitments", exact=True)
    expect(page.get_by_role("region", name="Overdue milestones")).to_contain_text("Draft the position paper")
    overdue_box, commitments_box = overdue.bounding_box(), commitments.bounding_box()
    assert overdue_box is not None and commitments_box is not None
    assert overdue_box["y"] < commitments_box["y"]
    assert overdue_box["y"] < PHONE["height"]  # on the first screen, no scrolling
