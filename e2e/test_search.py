"""Search from the header: a DHS analyst who remembers a phrase finds the DHS action item,
and nothing of an agreement DHS is not a party to."""

from playwright.sync_api import Page, expect

from agreements.tests.factories import AgreementFactory, CommitmentFactory

PHRASE = "de minimis threshold"


def test_dhs_staff_find_a_dhs_action_item_by_a_phrase_and_not_the_other_agreements(
    page: Page, login, dhs_staff, moa
):
    other = AgreementFactory(short_name="Other MOU")  # two parties, neither of them DHS
    CommitmentFactory(agreement=other, code="X-1", title="Elsewhere", description=f"Raise the {PHRASE}.")
    item = moa.commitments.get(code="DHS-A1")
    login(page, dhs_staff)

    box = page.get_by_role("search").get_by_label("Search the portal")
    box.fill(f'"{PHRASE}"')
    box.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    commitments = page.get_by_role("region", name="Commitments")
    expect(commitments.get_by_role("link", name=f"{item.code} {item.title}")).to_be_visible()
    expect(commitments.locator("mark").first).to_be_visible()
    expect(page.get_by_text("Other MOU")).to_have_count(0)
    expect(page.get_by_role("link", name="X-1 Elsewhere")).to_have_count(0)

    commitments.get_by_role("link", name=f"{item.code} {item.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{item.code} {item.title}")
