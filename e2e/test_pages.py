"""Every main page (listed in pages.py) meets the portal's standard for a page.

One test per page on purpose: each browser test costs a database flush and the MOA's
import, so the checks of one page share them. The assertion messages say which check failed.
"""

import pytest
from playwright.sync_api import Page

from e2e.conftest import PHONE
from e2e.pages import PAGES, PortalPage

AFTER_LAYOUT = (
    "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(MEASURE))))"
)
# The outermost elements that stick out past the right edge of the window: where to look. An
# element inside a box that scrolls or clips sideways (a table in .table-responsive) widens nothing
# and is left out, so the list names what actually widens the page.
STICKING_OUT = """() => [...document.querySelectorAll('body *')].filter(el => {
  const edge = window.innerWidth + 1;
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return false;
  }
  return el.getBoundingClientRect().right > edge && el.parentElement.getBoundingClientRect().right <= edge;
}).slice(0, 5)
  .map(el => `<${el.tagName.toLowerCase()} class="${el.className}"> ${el.innerText.slice(0, 40)}`)"""


@pytest.mark.parametrize("portal_page", PAGES, ids=str)
def test_main_page_is_accessible_well_built_fits_a_phone_and_is_photographed(
    page: Page,
    portal_page: PortalPage,
    portal_records,
    moa,
    request,
    login,
    open_page,
    axe,
    check_structure,
    screenshot,
):
    if portal_page.viewer:
        login(page, request.getfixturevalue(portal_page.viewer))
    open_page(page, portal_page.path(moa))

    axe(page)
    check_structure(page)
    for path in screenshot(page, portal_page.name):
        assert path.stat().st_size > 0

    page.set_viewport_size(PHONE)
    # Measured once the page has laid itself out again for the new width (charts redraw on resize,
    # tables reflow): on a loaded machine that can take longer than two frames, so wait (bounded)
    # for the page to fit before measuring; a page that never fits fails below all the same.
    # Polled from here: Playwright's wait_for_function evaluates its predicate with eval(), which
    # the portal's CSP (script-src 'self') refuses once the first check is false.
    for _ in range(50):
        if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            break
        page.wait_for_timeout(100)
    overflow = page.evaluate(
        AFTER_LAYOUT.replace("MEASURE", "document.documentElement.scrollWidth - window.innerWidth")
    )
    assert overflow <= 0, (
        f"{page.url} is {overflow}px wider than a {PHONE['width']}px phone: {page.evaluate(STICKING_OUT)}"
    )
    axe(page)
