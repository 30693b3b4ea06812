"""The accessibility gate itself: axe-core runs and a serious violation fails the test."""

import pytest
from playwright.sync_api import BrowserContext

BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><form><input type="text" name="q"></form></main></body></html>"""


def test_axe_fails_on_a_form_field_without_a_label(context: BrowserContext, axe):
    page = context.new_page()
    page.set_content(BROKEN_PAGE)
    with pytest.raises(AssertionError, match="label"):
        axe(page)
