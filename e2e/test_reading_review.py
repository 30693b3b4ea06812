"""Journey: DOC's admin turns the signed MOA's text into a draft, proposal by proposal.

The admin uploads the text on New agreement, sees the clauses beside the proposals, follows a
proposal to its clause (highlighted), confirms and ignores proposals with the keyboard, and
makes the draft from the confirmed ones, which opens the agreement-file preview.
"""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from agreements import drafting
from agreements.models import ReadingProposal, TextReading

MOA_TEXT = (
    Path(__file__).resolve().parents[1] / "agreements" / "data" / "sources" / "doc-dhs-ecommerce-moa-2017.txt"
)


def test_an_admin_reviews_the_proposals_read_from_the_text_and_makes_the_draft(
    page: Page, login, portal, doc_admin, moa, axe, screenshot
):
    login(page, doc_admin)
    page.goto(portal + reverse("agreements:new"))
    page.locator("#id_text-file").set_input_files(str(MOA_TEXT))
    page.get_by_role("button", name="Read and review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review of {MOA_TEXT.name}")
    reading = TextReading.objects.get()

    # The term proposal leads to its clause, which the page highlights.
    term = reading.proposals.get(kind="term")
    page.locator(f"#proposal-{term.position}").get_by_role("link", name="Show clause VII in the text").click()
    expect(page.locator("[aria-current=true]")).to_have_attribute("aria-label", "Clause VII")
    axe(page)
    screenshot(page, "reading-review")

    # Keyboard only: confirm the first party, ignore the title.
    first_party = reading.proposals.filter(kind="party").first()
    page.locator(f"#proposal-{first_party.position}").get_by_role("button", name="Confirm").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-review-counts]")).to_contain_text("1 confirmed")
    title = reading.proposals.get(kind="title")
    page.locator(f"#proposal-{title.position}").get_by_role("button", name="Ignore").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-review-counts]")).to_contain_text("1 ignored")

    # The rest confirmed (as the admin would, one by one), then the draft goes to the preview.
    for proposal in reading.proposals.filter(status=ReadingProposal.Status.PROPOSED):
        drafting.reading_proposal_decide(
            acting_user=doc_admin, proposal=proposal, decision="confirm", expected_version=proposal.version
        )
    page.reload()
    page.get_by_role("button", name="Make the draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview of doc-dhs-ecommerce-moa-2017.yaml")
    expect(page.locator("[data-preview-summary]")).to_contain_text("creates a new agreement")
