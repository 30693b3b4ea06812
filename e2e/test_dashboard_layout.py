"""The dashboard at 1280 px: the status table shows every column without a scroll inside it,
and a long period list shows its last four periods with the rest one "Show all" away."""

from playwright.sync_api import Page, expect

from e2e.conftest import DESKTOP

NO_INNER_SCROLL = """(table) => {
  const box = table.closest('.table-responsive') || table.parentElement;
  return {scroll: box.scrollWidth, client: box.clientWidth, right: table.getBoundingClientRect().right};
}"""


def test_the_status_table_fits_1280_pixels_and_old_periods_are_one_click_away(
    page: Page, login, doc_manager, moa, portal
):
    page.set_viewport_size(DESKTOP)
    login(page, doc_manager)
    page.goto(f"{portal}/dashboard/?agreement={moa.slug}&as_of=2022-09-30")
    table = page.get_by_role("table", name="Commitments by kind and status")
    table.scroll_into_view_if_needed()
    for column in ("Complete", "Total"):
        expect(table.get_by_role("columnheader", name=column)).to_be_in_viewport()
    sizes = table.evaluate(NO_INNER_SCROLL)
    assert sizes["scroll"] <= sizes["client"], sizes
    assert sizes["right"] <= DESKTOP["width"], sizes

    meetings = page.locator('[data-panel="meetings"]').first
    expect(meetings.locator("tr[data-quarter]:visible")).to_have_count(4)
    first_quarter = meetings.locator('tr[data-quarter="2017-Q4"]')
    expect(first_quarter).to_be_hidden()
    meetings.get_by_text("Show all").click()
    expect(first_quarter).to_be_visible()
