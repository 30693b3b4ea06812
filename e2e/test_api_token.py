"""A token made on the API tokens page reads /api/v1/agreements/ with exactly the agreements
the browser lists, and is refused once revoked; the API documentation page runs under the CSP."""

import datetime
import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from agreements.tests.factories import AgreementFactory, PartyFactory
from core.time import today


def test_a_token_from_the_tokens_page_reads_the_browsers_agreements_until_revoked(
    page: Page, login, doc_admin, doc, dhs, moa, portal, playwright
):
    AgreementFactory(
        slug="doc-draft", short_name="DOC draft", parties=[doc, dhs], executed_on=None, obligations=[]
    )
    AgreementFactory(
        slug="not-doc", short_name="Not DOC's", parties=[dhs, PartyFactory(acronym="TSA")], obligations=[]
    )
    login(page, doc_admin)
    page.goto(portal + reverse("agreements:list"))
    links = page.locator("main table a[href^='/agreements/']")
    listed = {
        re.sub(r"^/agreements/|/$", "", href)
        for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    }
    assert "doc-draft" in listed and "not-doc" not in listed

    page.get_by_role("button", name=re.compile("Ari Cole")).click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("Dashboard sync")
    page.get_by_label("Read only").check()
    page.get_by_label("Expires on").fill((today() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Make the token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("moa_")

    api = playwright.request.new_context(base_url=portal)  # no cookies: the token alone
    body = api.get("/api/v1/agreements/?page_size=100", headers={"Authorization": f"Bearer {token}"}).json()
    assert {a["slug"] for a in body["results"]} == listed

    page.get_by_role("button", name="Revoke Dashboard sync").click()
    expect(page.get_by_role("row").filter(has_text="Dashboard sync")).to_contain_text("Revoked")
    refused = api.get("/api/v1/agreements/", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401
    api.dispose()


def test_the_api_documentation_page_runs_swagger_ui_from_static_files(
    page: Page, login, doc_staff, moa, portal
):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, doc_staff)
    page.goto(portal + reverse("api:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("MOA Portal API")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    assert not violations, violations
