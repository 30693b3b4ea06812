"""A staff user creates their private calendar address and copies it with the button, by keyboard."""

import re

from playwright.sync_api import Page, expect


def test_staff_copies_the_calendar_address_with_the_button(page: Page, portal, login, doc_staff, moa):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal)
    login(page, doc_staff)
    page.goto(portal + "/calendar/")
    page.get_by_role("button", name="Create my calendar address").click()
    address = page.get_by_label("Private calendar address")
    expect(address).to_have_value(re.compile(rf"^{re.escape(portal)}/calendar/[\w-]+\.ics$"))
    button = page.get_by_role("button", name="Copy address")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Address copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
    expect(page.get_by_role("heading", name="Google Calendar")).to_be_visible()
