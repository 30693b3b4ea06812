"""Journeys of signing in securely: a user adds an authenticator app and is asked for its code
at the next sign-in; a user adds a passkey (Chromium's virtual authenticator, through the DevTools
protocol) and uses it at the next sign-in, and a second one only with the password; a user signs
in through an OpenID provider (django-oauth-toolkit, run on loopback as a subprocess:
e2e/oidc_provider) with PKCE and lands on My work, after accepting the system-use notice."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from agreements.permissions import STAFF
from agreements.tests.factories import UserFactory
from e2e.conftest import PASSWORD, sign_in
from e2e.oidc_provider.run import PASSWORD as PROVIDER_PASSWORD
from e2e.oidc_provider.run import running_provider
from people.tests.authenticator import SoftwareAuthenticator

EMAIL = "casey.lin@example.gov"


def sign_out(page: Page) -> None:
    page.locator("form[action='/accounts/logout/'] button").evaluate("button => button.click()")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_user_adds_an_authenticator_app_and_is_asked_for_its_code_at_the_next_sign_in(
    page: Page, login, doc_staff, portal, axe
):
    login(page, doc_staff)
    page.goto(portal + reverse("accounts:mfa"))
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    axe(page)
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text())
    page.get_by_label("Code from your authenticator app").fill(totp.now())
    page.get_by_role("button", name="Confirm the app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)

    sign_out(page)
    sign_in(page, doc_staff.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    axe(page)
    # The code just used to add the app is never accepted again: the app's next one is.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def passkeys_at(settings, portal: str) -> None:
    """Passkeys for the live server's address (http://localhost:…, a secure context)."""
    settings.OTP_WEBAUTHN_RP_ID = urlsplit(portal).hostname
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [portal]


def test_user_adds_a_passkey_and_uses_it_at_the_next_sign_in(
    page: Page, settings, login, doc_staff, portal, axe
):
    passkeys_at(settings, portal)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    login(page, doc_staff)
    page.goto(portal + reverse("accounts:mfa"))
    expect(page.get_by_text("Adding a passkey needs JavaScript")).to_be_hidden()
    axe(page)
    page.get_by_label("Name of the passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    page.goto(portal + reverse("accounts:mfa"))
    expect(page.locator("#passkey-list")).to_contain_text("Work laptop")

    sign_out(page)
    sign_in(page, doc_staff.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your security key")
    axe(page)
    page.get_by_role("button", name="Use your security key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def test_a_second_passkey_asks_for_the_password_before_the_browser_makes_it(
    page: Page, settings, login, doc_staff, portal, axe
):
    passkeys_at(settings, portal)
    login(page, doc_staff)  # signed in first: with a passkey, signing in would ask for it
    enrolling = Client()  # a first passkey, made in software (it is not in the browser's list)
    enrolling.force_login(doc_staff)
    options = enrolling.post(reverse("accounts:mfa_passkey_options")).json()
    key = SoftwareAuthenticator(rp_id=urlsplit(portal).hostname or "", origin=portal)
    enrolling.post(
        reverse("accounts:mfa_passkey_add"), {"name": "Old key", "credential": key.create(options)}
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "usb", "hasUserVerification": False}},
    )["authenticatorId"]
    page.goto(portal + reverse("accounts:mfa"))
    axe(page)
    page.get_by_label("Name of the passkey").fill("New key")
    page.locator("#add-password").fill("not the password")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-status")).to_have_text("That password is not right.")
    # Refused before the options: the key was never asked to make a passkey.
    assert not cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    page.locator("#add-password").fill(PASSWORD)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("The passkey “New key” is added")).to_be_visible()
    expect(page.locator("#passkey-list")).to_contain_text("New key")


def test_without_javascript_the_second_step_says_a_passkey_needs_it_and_takes_a_code(
    browser: Browser, settings, doc_staff, portal
):
    passkeys_at(settings, portal)
    enrolling = Client()
    enrolling.force_login(doc_staff)
    options = enrolling.post(reverse("accounts:mfa_passkey_options")).json()
    key = SoftwareAuthenticator(rp_id=urlsplit(portal).hostname or "", origin=portal)
    enrolling.post(reverse("accounts:mfa_passkey_add"), {"name": "Key", "credential": key.create(options)})
    recovery_code = enrolling.get(reverse("accounts:mfa_recovery_codes")).context["codes"][0]

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(portal + reverse("login"))
    sign_in(page, doc_staff.username, PASSWORD)
    expect(page.get_by_text("Using a passkey needs JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Use your security key")).to_be_hidden()
    page.get_by_label("Code").fill(recovery_code)
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    context.close()


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    callback = live_server.url + reverse("accounts:sso_callback", args=["agency"])
    users = {"casey": {"email": EMAIL, "amr": ["piv"]}}
    workdir = tmp_path_factory.mktemp("oidc")
    with running_provider(redirect_uris=[callback], users=users, workdir=workdir) as running:
        yield running


def test_user_signs_in_through_the_agencys_openid_provider_and_lands_on_my_work(
    page: Page, settings, provider, doc, portal, axe
):
    settings.OIDC_PROVIDERS = {"agency": provider.portal_config("Agency IdP")}
    settings.PORTAL_SYSTEM_USE_NOTICE = "You are accessing a U.S. Government information system."
    settings.PORTAL_OFFICIAL_BANNER = True
    UserFactory(
        username="casey.lin", first_name="Casey", last_name="Lin", email=EMAIL, party=doc, roles=[STAFF]
    )

    page.goto(portal + reverse("login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("System use notice")
    expect(page.get_by_text("An official website of the United States government")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="I understand and accept").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe(page)
    page.get_by_role("link", name="Sign in with Agency IdP").click()

    # At the provider: its own sign-in page, on another origin.
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    assert page.url.startswith(provider.url)
    assert "code_challenge_method%3DS256" in page.url  # the authorisation request, kept as `next`
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to the identity provider").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert page.url == portal + reverse("my_work")  # staff land on My work
    expect(page.get_by_role("button", name="Casey Lin · DOC")).to_be_visible()
