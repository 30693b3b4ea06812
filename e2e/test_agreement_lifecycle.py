"""Journey: a new agreement's life in the portal, as its parties' admins live it.

DOC's admin uploads a new two-party agreement file, reviews the preview and confirms; each
party's admin records its signature and the agreement is in force; a DOC manager assigns the
commitment an owner and a target date; DOC's admin proposes a modification that extends the
term and adds a commitment, and executes it for DOC; the page says "awaiting DHS"; DHS's admin
executes it; the term and the commitments change at that moment, and the audit trail shows
both executions with their hashes; DHS's admin gives 30 days' notice of termination and the
termination page counts down to it.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from agreements.permissions import ADMIN
from agreements.tests.factories import UserFactory
from core.time import long_date, today

NEW_FILE = Path(__file__).resolve().parents[1] / "agreements" / "tests" / "data" / "new-two-party-mou.yaml"


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", first_name="Kim", last_name="Ngata", party=dhs, roles=[ADMIN])


def record_signature(page: Page, party: str, name: str, signed_on: datetime.date) -> None:
    page.get_by_role("link", name=f"Record {party}'s signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Record {party}'s signature")
    page.locator("#id_name").fill(name)
    page.get_by_label("Signatory's title").fill("Secretary")
    page.get_by_label("Signed on").fill(signed_on.isoformat())
    page.get_by_role("button", name="Record the signature").click()


def test_admins_upload_sign_modify_and_terminate_a_new_agreement(
    page: Page, login, portal, doc_admin, dhs_admin, doc_manager, doc_staff, moa, axe, screenshot
):
    # DOC's admin uploads the file and reviews what it will create.
    login(page, doc_admin)
    page.goto(portal + reverse("agreements:list"))
    page.get_by_role("link", name="New agreement").click()
    page.locator("#id_file").set_input_files(str(NEW_FILE))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of new-two-party-mou.yaml")
    expect(page.locator("[data-preview-summary]")).to_contain_text("creates a new agreement")
    expect(page.get_by_role("heading", name="Commitments added (1)")).to_be_visible()
    assert not Agreement.objects.filter(slug="trade-data-mou").exists()
    axe(page)
    screenshot(page, "new-agreement-preview")
    page.get_by_role("button", name="Confirm and save").click()

    # The draft: DOC's admin records DOC's signature.
    expect(page.get_by_role("heading", level=1)).to_have_text("DOC–DHS Trade Data MOU")
    expect(page.locator("[data-term-summary]")).to_have_text("Not yet in force.")
    record_signature(page, "DOC", "Ada Lovelace", today() - datetime.timedelta(days=2))
    expect(page.locator("[data-awaiting-signatures]")).to_have_text("Awaiting the signature of DHS.")

    # DHS's admin records DHS's: the agreement is in force from that signature.
    page.context.clear_cookies()
    login(page, dhs_admin)
    page.goto(portal + "/agreements/trade-data-mou/")
    signed_on = today() - datetime.timedelta(days=1)
    record_signature(page, "DHS", "Grace Hopper", signed_on)
    expect(page.locator("[data-term-summary]")).to_contain_text("In force")
    agreement = Agreement.objects.get(slug="trade-data-mou")
    assert agreement.executed_on == signed_on
    first_end = agreement.expires_on
    new_end = first_end.replace(year=first_end.year + 2)

    # A DOC manager gives the joint commitment an owner and a target date.
    page.context.clear_cookies()
    login(page, doc_manager)
    page.goto(portal + reverse("activities:commitment", kwargs={"slug": agreement.slug, "code": "II.1"}))
    target = today() + datetime.timedelta(days=90)
    page.get_by_label("Owner", exact=True).select_option(
        label=f"{doc_staff.get_full_name() or doc_staff.username} (DOC)"
    )
    page.get_by_label("Target date", exact=True).fill(target.isoformat())
    page.get_by_role("button", name="Save owner and target date").click()
    expect(page.locator("[data-owner]")).to_have_text(doc_staff.get_full_name() or doc_staff.username)
    expect(page.locator("[data-target-date]")).to_have_text(long_date(target))

    # DOC's admin proposes a modification that extends the term and adds an item, and executes it.
    page.context.clear_cookies()
    login(page, doc_admin)
    page.goto(portal + agreement.get_absolute_url())
    page.get_by_role("link", name="Propose a modification").click()
    page.locator("#id_title").fill("Two more years and a joint report")
    page.locator("#id_text").fill("The term is extended by two years; the parties publish a joint report.")
    page.get_by_label("New end of the term").fill(new_end.isoformat())
    page.get_by_label("New item: code").fill("II.2")
    page.get_by_label("New item: kind").select_option("joint_activity")
    page.get_by_label("New item: title").fill("Publish a joint report")
    page.get_by_label("DOC", exact=True).check()
    page.get_by_label("DHS", exact=True).check()
    page.get_by_label("New item: the clause that creates it").select_option("II")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Modification 1: Two more years and a joint report"
    )
    page.get_by_role("button", name="Execute for DOC").click()
    expect(page.locator("[data-modification-state]")).to_have_text("Awaiting DHS")
    page.goto(portal + agreement.get_absolute_url())
    expect(page.locator('[data-modification="1"] [data-modification-state]')).to_have_text("Awaiting DHS")
    expect(page.locator("#item-ii2")).to_have_count(0)
    screenshot(page, "modification-awaiting")

    # DHS's admin executes it: the term and the items change now.
    page.context.clear_cookies()
    login(page, dhs_admin)
    page.goto(portal + agreement.get_absolute_url())
    page.get_by_role("link", name="1. Two more years and a joint report").click()
    axe(page)
    page.get_by_role("button", name="Execute for DHS").click()
    expect(page.locator("[data-modification-state]")).to_have_text(f"In effect since {long_date(today())}")
    page.goto(portal + agreement.get_absolute_url())
    expect(page.locator("#item-ii2")).to_contain_text("Publish a joint report")
    agreement.refresh_from_db()
    assert agreement.expires_on == new_end

    # The audit trail shows both executions with their hashes.
    hashes = [e.content_sha256 for e in agreement.modifications.get(number=1).executions.all()]
    assert len(hashes) == 2 and hashes[0] == hashes[1]
    page.goto(portal + reverse("audit:log") + "?model=modification-execution")
    expect(page.get_by_text(hashes[0])).to_have_count(2)

    # DHS's admin gives 30 days' notice of termination; the termination page counts down to it.
    page.context.clear_cookies()
    login(page, dhs_admin)
    page.goto(portal + agreement.get_absolute_url())
    page.get_by_role("link", name="Termination and renewal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termination and renewal")
    expect(page.locator("[data-termination-rules]")).to_contain_text(
        "DHS may terminate it alone on 30 days' written notice (IV)"
    )
    expect(page.get_by_label("Notice period (days)")).to_have_value("30")
    page.get_by_label("Reason").fill("The programme ends.")
    page.get_by_role("button", name="Give notice of termination").click()
    effective = today() + datetime.timedelta(days=30)
    expect(page.locator('[data-countdown="termination"]')).to_have_text(
        f"Terminates on {effective:%B %-d, %Y}: 30 days left."
    )
    expect(page.locator('[data-termination-notice="DHS"]')).to_contain_text("Standing")
    axe(page)
    screenshot(page, "termination-countdown")
    page.goto(portal + agreement.get_absolute_url())
    expect(page.locator("[data-term-summary]")).to_have_text("In force: 30 days left.")
