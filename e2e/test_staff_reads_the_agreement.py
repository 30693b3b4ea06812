"""Staff open the agreement from the list, see that its term has expired, and follow a
clause of its text to the item the clause creates."""

import re

from playwright.sync_api import Page, expect


def test_staff_follows_the_agreement_from_the_list_to_a_clause_and_its_item(
    page: Page, login, doc_staff, moa
):
    login(page, doc_staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements")
    row = page.get_by_role("row").filter(has_text=moa.short_name)
    expect(row).to_contain_text("Expired")

    row.get_by_role("link", name=moa.short_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(moa.short_name)
    term = page.get_by_role("region", name=re.compile(r"^Term"))
    expect(term).to_contain_text("Expired")
    expect(term.locator("[data-term-summary]")).to_contain_text(
        re.compile(r"Expired \d+ days? ago, on October 19, 2022")
    )

    clause = moa.sections.get(number="VI.5")
    item = moa.commitments.get(code="VI.5")
    page.locator(f"#{clause.anchor}").get_by_role("link", name=f"{item.code} {item.title}").click()
    expect(page).to_have_url(re.compile(re.escape(item.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{item.code} {item.title}")
