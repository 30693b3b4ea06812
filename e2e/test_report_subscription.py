"""A manager subscribes to an agreement's quarterly report from the report page, with the keyboard,
and unsubscribes from the subscription page."""

from django.urls import reverse
from playwright.sync_api import Page, expect


def test_a_manager_subscribes_to_the_quarterly_report_and_unsubscribes(
    page: Page, login, doc_manager, moa, portal, screenshot
):
    login(page, doc_manager)
    page.goto(f"{portal}{reverse('compliance:report')}?agreement={moa.slug}")
    button = page.get_by_role("button", name="Send me this report by e-mail each quarter")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Quarterly report by e-mail")).to_be_visible()
    expect(page.get_by_text("You will receive the quarterly report")).to_be_visible()
    screenshot(page, "report-subscription")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_text("You no longer receive the quarterly report")).to_be_visible()
    expect(page.get_by_role("button", name="Subscribe")).to_be_visible()
