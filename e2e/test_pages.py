"""Every main page (listed in pages.py) meets the portal's standard for a page.

One test per page on purpose: each browser test costs a database flush and the MOA's
import, so the checks of one page share them. The assertion messages say which check failed.
"""

import pytest
from playwright.sync_api import Page

from e2e.conftest import PHONE
from e2e.pages import PAGES, PortalPage


@pytest.mark.parametrize("portal_page", PAGES, ids=str)
def test_main_page_is_accessible_well_built_fits_a_phone_and_is_photographed(
    page: Page, portal_page: PortalPage, moa, request, login, open_page, axe, check_structure, screenshot
):
    if portal_page.viewer:
        login(page, request.getfixturevalue(portal_page.viewer))
    open_page(page, portal_page.path(moa))

    axe(page)
    check_structure(page)
    for path in screenshot(page, portal_page.name):
        assert path.stat().st_size > 0

    page.set_viewport_size(PHONE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a {PHONE['width']}px phone"
    axe(page)
