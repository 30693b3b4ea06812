"""DOC's admin adds a webhook from the Administration menu, copies its secret (shown once),
sends a test event to a real receiver on loopback, and the receiver verifies the signature."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from notifications.tests.receiver import running_receiver, verify


def test_an_admin_adds_a_webhook_and_its_test_event_arrives_signed(
    page: Page, login, doc_admin, moa, portal, screenshot
):
    with running_receiver() as receiver:
        login(page, doc_admin)
        page.get_by_role("button", name="Administration").click()
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        page.get_by_role("link", name="Add a webhook").click()
        page.get_by_label("Name").fill("DOC ERP")
        page.get_by_label("URL").fill(receiver.url("/moa"))
        page.get_by_label("Progress update logged").check()
        page.get_by_label("Notice due", exact=False).check()
        page.get_by_role("button", name="Add the webhook").click()
        secret = page.get_by_role("textbox", name="Secret").input_value()
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{32}", secret)
        screenshot(page, "webhook-secret")

        page.get_by_role("link", name="Done: back to the webhook").click()
        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_role("status").filter(has_text="The test event reached")).to_contain_text(
            "“DOC ERP”"
        )
        [got] = receiver.requests
        assert got.path == "/moa"
        assert verify(secret, got.headers, got.body)
        screenshot(page, "webhook-edit")

        page.goto(portal + reverse("webhooks:list"))
        expect(page.get_by_role("row").filter(has_text="DOC ERP")).to_contain_text("Active")
        assert secret not in page.content()
