"""A long timeline is read a page at a time: the older entries are one link away, by keyboard too."""

import datetime
import re

from playwright.sync_api import Page, expect

from activities.selectors import TIMELINE_PAGE_SIZE
from activities.tests.factories import ProgressUpdateFactory


def test_staff_page_back_through_a_long_timeline_to_the_first_update_with_the_keyboard(
    page: Page, login, open_page, axe, doc_staff, doc, moa
):
    item = moa.commitments.get(code="VI.5")
    for week in range(TIMELINE_PAGE_SIZE + 2):
        ProgressUpdateFactory(
            commitment=item,
            reporting_party=doc,
            author=doc_staff,
            as_of=datetime.date(2018, 1, 5) + datetime.timedelta(weeks=week),
            narrative=f"Weekly note {week + 1}.",
        )
    login(page, doc_staff)
    open_page(page, item.get_absolute_url())
    timeline = page.get_by_role("list", name="Timeline, newest first")
    expect(timeline.locator(":scope > li")).to_have_count(TIMELINE_PAGE_SIZE)
    expect(timeline).to_contain_text(f"Weekly note {TIMELINE_PAGE_SIZE + 2}.")
    expect(timeline).not_to_contain_text("Weekly note 1.")
    axe(page)

    pages = page.get_by_role("navigation", name="Timeline pages")
    pages.get_by_role("link", name="Older entries").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?page=2#timeline-heading$"))
    expect(timeline.locator(":scope > li")).to_have_count(2)
    expect(timeline).to_contain_text("Weekly note 1.")
    expect(page.get_by_text(f"Entries {TIMELINE_PAGE_SIZE + 1}–{TIMELINE_PAGE_SIZE + 2}.")).to_be_visible()
    expect(pages.get_by_role("link", name="Older entries")).to_have_count(0)
    axe(page)

    pages.get_by_role("link", name="Newer entries").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?page=1#timeline-heading$"))
    expect(timeline).to_contain_text(f"Weekly note {TIMELINE_PAGE_SIZE + 2}.")
