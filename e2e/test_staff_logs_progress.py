"""Journey 1: DOC staff log progress on a joint activity, with a PDF as evidence, and get the
very same file back from the item's timeline. Also: the progress form sent back with errors."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from activities.models import ProgressUpdate
from e2e.conftest import small_pdf

NARRATIVE = "WCO working group met in Brussels; the U.S. position paper is still in interagency review."
EVIDENCE_NAME = "wco-working-group-notes.pdf"


def test_staff_logs_an_at_risk_update_with_a_pdf_and_downloads_it_back(page: Page, login, doc_staff, moa):
    item = moa.commitments.get(code="VI.2")
    evidence = small_pdf("WCO working group notes, VI.2")

    login(page, doc_staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.locator(f'[data-item="{item.code}"]').get_by_role("link", name=f"{item.code} {item.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{item.code} {item.title}")
    expect(page.locator("dd[data-status]")).to_contain_text("Not started")

    page.get_by_role("link", name="Log an update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log an update on {item.code}")
    page.get_by_label("Status").select_option(label="At risk")
    page.get_by_label("Percent complete").fill("40")
    page.get_by_label("Narrative").fill(NARRATIVE)
    page.get_by_label("Evidence files").set_input_files(
        files=[{"name": EVIDENCE_NAME, "mimeType": "application/pdf", "buffer": evidence}]
    )
    page.get_by_role("button", name="Save update").click()

    expect(page).to_have_url(re.compile(re.escape(item.get_absolute_url()) + "$"))
    expect(page.get_by_role("status")).to_have_text(
        f"Update saved for {item.code}. Its status is now At risk."
    )
    expect(page.locator("dd[data-status]")).to_contain_text("At risk 40% complete")
    newest = page.get_by_role("list", name="Timeline, newest first").locator(":scope > li").first
    expect(newest).to_contain_text("At risk")
    expect(newest).to_contain_text("40%")
    expect(newest).to_contain_text(NARRATIVE)
    expect(newest).to_contain_text("DOC · Dana Reyes")

    with page.expect_download() as download_info:
        newest.get_by_role("link", name=EVIDENCE_NAME).click()
    download = download_info.value
    assert download.suggested_filename == EVIDENCE_NAME
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == evidence


def test_progress_form_sent_back_empty_ties_each_error_to_its_field(
    page: Page, login, doc_staff, moa, open_page, check_field_errors, axe, check_structure, screenshot
):
    item = moa.commitments.get(code="VI.2")
    login(page, doc_staff)
    open_page(page, reverse("activities:update_create", args=[moa.slug, item.code]))

    for field in ("As of", "Percent complete", "Narrative"):
        page.get_by_label(field).fill("")
    page.get_by_role("button", name="Save update").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    errors = check_field_errors(page)
    # Each field's description is its help text (if any) followed by its error.
    assert {label: said[-1] for label, said in errors.items()} == {
        "As of*": "This field is required.",
        "Percent complete*": "This field is required.",
        "Narrative*": "Write a narrative: say how the commitment is moving.",
    }
    assert not ProgressUpdate.objects.filter(commitment=item).exists()
    screenshot(page, "update-form-errors")
    axe(page)
    check_structure(page)
