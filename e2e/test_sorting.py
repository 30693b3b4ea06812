"""Sorting a list without the mouse: Tab to a column's header, Enter, and the list is sorted
by it, the header says so (aria-sort), and the filters are kept."""

from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.test_keyboard import FOCUS_STATE, assert_focus_is_visible

# The commitments table's headers in Tab order: Commitment, Kind, Lead (not sortable), Status.
TABS_FROM_COMMITMENT_TO_STATUS = 2


def test_staff_sort_the_commitments_by_status_with_the_keyboard(page: Page, login, doc_staff, moa, portal):
    login(page, doc_staff)
    page.goto(portal + reverse("activities:commitment_list") + "?party=DOC")
    table = page.get_by_role("table", name="Commitments matching the filters")
    status_header = table.get_by_role("columnheader", name="Status")
    expect(status_header).not_to_have_attribute("aria-sort", "ascending")

    table.get_by_role("link", name="Commitment (sort descending)").focus()
    for _ in range(TABS_FROM_COMMITMENT_TO_STATUS):
        page.keyboard.press("Tab")
    expect(table.get_by_role("link", name="Status (sort ascending)")).to_be_focused()
    assert_focus_is_visible(page.evaluate(FOCUS_STATE))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{portal}{reverse('activities:commitment_list')}?party=DOC&sort=status")
    expect(status_header).to_have_attribute("aria-sort", "ascending")
    statuses = table.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert statuses == sorted(statuses, key=str.casefold) or len(set(statuses)) == 1
    expect(page.get_by_label("Lead party")).to_have_value("DOC")  # the filters are kept

    # Enter on the same header again turns the order round.
    table.get_by_role("link", name="Status (sort descending)").focus()
    page.keyboard.press("Enter")
    expect(status_header).to_have_attribute("aria-sort", "descending")


def test_an_admin_sorts_the_agreements_and_the_users_with_the_keyboard(
    page: Page, login, doc_admin, doc_staff, moa, portal, screenshot
):
    login(page, doc_admin)
    page.goto(portal + reverse("agreements:list"))
    table = page.get_by_role("table", name="Agreements your party is a party to")
    expect(table.get_by_role("columnheader", name="Executed")).to_have_attribute("aria-sort", "descending")
    table.get_by_role("link", name="Agreement (sort ascending)").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{portal}{reverse('agreements:list')}?sort=agreement")
    expect(table.get_by_role("columnheader", name="Agreement")).to_have_attribute("aria-sort", "ascending")

    page.goto(portal + reverse("people:list"))
    users = page.get_by_role("table", name="Users you manage")
    users.get_by_role("link", name="Username (sort ascending)").focus()
    page.keyboard.press("Enter")
    expect(users.get_by_role("columnheader", name="Username")).to_have_attribute("aria-sort", "ascending")
    users.get_by_role("link", name="Username (sort descending)").focus()
    page.keyboard.press("Enter")
    expect(users.get_by_role("columnheader", name="Username")).to_have_attribute("aria-sort", "descending")
    names = users.locator("tbody tr th").all_inner_texts()
    assert names == sorted(names, reverse=True)
    screenshot(page, "users-sorted")
