"""Choosing an agreement among many without the mouse: past PORTAL_PICKER_LIMIT the item list's
agreement filter is a text box (core.pickers); typing part of a name offers suggestions
(static/js/picker.js, ARIA combobox), the arrow keys and Enter choose one, Enter again filters."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory

LIMIT = 3


@pytest.fixture
def pacts(doc):
    partner = PartyFactory(acronym="PTR")
    made = [
        AgreementFactory(slug=f"pact-{n:03}", short_name=f"Pact {n:03}", parties=[doc, partner])
        for n in range(LIMIT + 3)
    ]
    for pact in made:
        CommitmentFactory(agreement=pact, title=f"Item of {pact.short_name}", lead_party=doc)
    return made


def test_staff_choose_an_agreement_from_the_suggestions_with_the_keyboard(
    page: Page, login, doc_staff, pacts, portal, settings, axe
):
    settings.PORTAL_PICKER_LIMIT = LIMIT
    login(page, doc_staff)
    page.goto(portal + reverse("activities:commitment_list"))
    box = page.get_by_role("combobox", name="Agreement", exact=True)
    expect(box).to_have_attribute("aria-expanded", "false")

    box.focus()
    page.keyboard.type("pact 00")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option")).to_have_count(LIMIT + 3)
    expect(box).to_have_attribute("aria-expanded", "true")
    axe(page)  # the open combobox and its listbox: no serious or critical violation

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = listbox.get_by_role("option", name="Pact 001 (pact-001)")
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    page.keyboard.press("Enter")  # chooses the suggestion, does not submit
    expect(box).to_have_value("pact-001")
    expect(listbox).to_be_hidden()
    expect(page).to_have_url(portal + reverse("activities:commitment_list"))

    page.keyboard.press("Enter")  # now submits the filters
    expect(page).to_have_url(re.compile(r"/commitments/\?agreement=pact-001(&|$)"))
    expect(page.get_by_text("Item of Pact 001")).to_be_visible()
    expect(page.get_by_text("Item of Pact 002")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Agreement", exact=True)).to_have_value("pact-001")
