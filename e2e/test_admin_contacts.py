"""Journey 4: a DOC admin corrects a point of contact's e-mail and finds the change in its
history; deactivating DOC's last active contact makes the agreement page warn."""

import datetime

from django.urls import reverse
from playwright.sync_api import Page, expect

from contacts import services
from contacts.models import PointOfContact

NEW_EMAIL = "ecommerce.team@trade.gov"


def test_admin_edits_a_contacts_email_and_sees_the_change_in_its_history(
    page: Page, login, doc_admin, doc, moa, portal
):
    contact = PointOfContact.objects.active().filter(agreement=moa, party=doc).order_by("pk").first()
    old_email = contact.email or "—"  # the history shows an empty value as a dash

    login(page, doc_admin)
    page.goto(portal + moa.get_absolute_url())
    page.get_by_role("link", name="All points of contact, past and present").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Points of contact")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"Edit {contact.role_title}"))
    row.first.get_by_role("link", name=f"Edit {contact.role_title}").click()

    page.get_by_label("Email").fill(NEW_EMAIL)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Points of contact")
    expect(page.get_by_role("link", name=NEW_EMAIL)).to_be_visible()

    page.get_by_role("row").filter(has=page.get_by_role("link", name=NEW_EMAIL)).get_by_role(
        "link", name=f"History of {contact.role_title}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"History of {contact.role_title} (DOC)")
    newest = page.locator("[data-audit-entry]").first
    expect(newest).to_contain_text("Ari Cole")
    expect(newest).to_contain_text(f"Email: {old_email} → {NEW_EMAIL}")


def test_admin_deactivates_the_last_contact_of_doc_and_the_agreement_page_warns(
    page: Page, login, doc_admin, doc, moa, portal
):
    active = list(PointOfContact.objects.active().filter(agreement=moa, party=doc).order_by("pk"))
    for contact in active[:-1]:  # all but one, as earlier departures
        services.contact_deactivate(
            contact=contact, expected_version=contact.version, active_to=datetime.date(2020, 1, 31)
        )
    last = active[-1]

    login(page, doc_admin)
    page.goto(portal + moa.get_absolute_url())
    expect(page.locator('[data-warning="no-active-contact"]')).to_have_count(0)
    page.goto(portal + reverse("contacts:list") + f"?agreement={moa.slug}")
    page.get_by_role("link", name=f"Deactivate {last.role_title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Deactivate {last.role_title} (DOC)")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Points of contact")
    expect(page.locator('[data-warning="no-active-contact"]')).to_have_text(
        "No active point of contact for DOC."
    )

    page.get_by_role("link", name=moa.short_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(moa.short_name)
    warning = page.locator('[data-warning="no-active-contact"]')
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("No active point of contact for DOC.")
