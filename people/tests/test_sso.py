"""Single sign-on by OpenID Connect against a real provider on loopback (django-oauth-toolkit in
e2e/oidc_provider, a subprocess): code + PKCE, the account matched by verified e-mail, and each
refusal plain, logged, recorded, and creating nothing."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import DEFAULT_PASSWORD, UserFactory
from e2e.oidc_provider.run import running_provider, sign_in_at_provider

CALLBACK = "http://testserver/accounts/sso/agency/callback/"
EMAIL = "dana.reyes@example.gov"
PROVIDER_USERS = {
    "dana": {"email": EMAIL, "amr": ["hwk", "pin"], "acr": "http://idmanagement.gov/ns/assurance/aal/3"},
    "unverified": {"email": EMAIL, "email_verified": False},
    "stranger": {"email": "nobody@example.gov"},
    "other-issuer": {"email": EMAIL, "wrong": {"iss": "https://elsewhere.example"}},
    "other-audience": {"email": EMAIL, "wrong": {"aud": "another-client"}},
    "other-nonce": {"email": EMAIL, "wrong": {"nonce": "not-the-one-the-portal-sent"}},
}

# The audit trail is an app above people (.importlinter): read its table by name.
AccountEvent = apps.get_model("audit", "AccountEvent")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running_provider(
        redirect_uris=[CALLBACK], users=PROVIDER_USERS, workdir=tmp_path_factory.mktemp("oidc")
    ) as running:
        yield running


@pytest.fixture
def agency_idp(settings, provider):
    settings.OIDC_PROVIDERS = {"agency": provider.portal_config("Agency IdP")}
    return provider


@pytest.fixture
def dana(doc):
    return UserFactory(username="dana", email=EMAIL.upper(), party=doc, roles=[STAFF])


def start(client: Client, next_url: str = "") -> str:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    response = client.get(reverse("accounts:sso_start", args=["agency"]) + query)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def come_back(client: Client, location: str):
    assert location.startswith(CALLBACK), location
    return client.get(location.removeprefix("http://testserver"))


def sign_on(client: Client, username: str, next_url: str = ""):
    return come_back(client, sign_in_at_provider(start(client, next_url), username))


def assert_refused(response, words: str, caplog) -> None:
    assert response.status_code == 403
    assert words in response.content.decode()
    assert any(r.name == "people.sso" and r.levelno == logging.WARNING for r in caplog.records)
    assert AccountEvent.objects.filter(kind="sso_refused").count() == 1


# --- signing on --------------------------------------------------------------------------------------


def test_authorisation_request_carries_pkce_s256_state_and_nonce(agency_idp, dana):
    query = parse_qs(urlparse(start(Client())).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]


def test_sign_on_signs_in_the_account_with_that_verified_email_and_goes_on(agency_idp, dana):
    client = Client()
    response = sign_on(client, "dana", next_url="/agreements/")
    assert response.status_code == 302 and response["Location"] == "/agreements/"
    assert client.session["_auth_user_id"] == str(dana.pk)
    assert client.get(reverse("my_work")).status_code == 200


def test_sign_on_records_the_providers_amr_and_acr(agency_idp, dana):
    client = Client()
    sign_on(client, "dana")
    assert client.session["moa_sso"]["amr"] == ["hwk", "pin"]
    assert client.session["moa_sso"]["acr"] == "http://idmanagement.gov/ns/assurance/aal/3"
    event = AccountEvent.objects.get(kind="signed_in", user=dana)
    assert "Agency IdP" in event.detail and "hwk, pin" in event.detail and "aal/3" in event.detail


def test_admin_signed_on_is_not_held_at_adding_an_authenticator_app(settings, agency_idp, doc):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    UserFactory(username="dana", email=EMAIL, party=doc, roles=[ADMIN])
    client = Client()
    sign_on(client, "dana")
    assert client.get(reverse("agreements:list")).status_code == 200


def test_sign_on_goes_through_the_system_use_notice_first(settings, agency_idp, dana):
    settings.PORTAL_SYSTEM_USE_NOTICE = "Monitored system."
    response = Client().get(reverse("accounts:sso_start", args=["agency"]))
    assert response["Location"].startswith(reverse("accounts:notice"))


def test_sign_in_page_offers_each_provider(settings, agency_idp, provider, db):
    settings.OIDC_PROVIDERS = {
        "agency": provider.portal_config("Agency IdP"),
        "login-gov": {**provider.portal_config("Login.gov")},
    }
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with Agency IdP" in page and "Sign in with Login.gov" in page


def test_unknown_provider_is_not_found(agency_idp, db):
    assert Client().get(reverse("accounts:sso_start", args=["nowhere"])).status_code == 404
    assert Client().get(reverse("accounts:sso_callback", args=["nowhere"])).status_code == 404


# --- refusals: each plain, logged, recorded, and creating no account -----------------------------------


def test_answer_with_another_state_is_refused(agency_idp, dana, caplog):
    client = Client()
    location = sign_in_at_provider(start(client), "dana")
    forged = location.replace("state=", "state=forged")
    assert_refused(come_back(client, forged), "not one this browser started", caplog)
    assert "_auth_user_id" not in client.session


def test_answer_in_a_browser_that_started_nothing_is_refused(agency_idp, dana, caplog):
    location = sign_in_at_provider(start(Client()), "dana")
    other = Client()
    assert_refused(come_back(other, location), "not one this browser started", caplog)
    assert "_auth_user_id" not in other.session


def test_answer_used_twice_is_refused_the_second_time(agency_idp, dana, caplog):
    client = Client()
    location = sign_in_at_provider(start(client), "dana")
    assert come_back(client, location).status_code == 302
    client.logout()
    assert_refused(come_back(client, location), "not one this browser started", caplog)


def test_id_token_with_another_nonce_is_refused(agency_idp, dana, caplog):
    client = Client()
    assert_refused(
        sign_on(client, "other-nonce"), "does not belong to the sign-in this browser started", caplog
    )
    assert "_auth_user_id" not in client.session


def test_id_token_from_another_issuer_is_refused(agency_idp, dana, caplog):
    client = Client()
    assert_refused(sign_on(client, "other-issuer"), "did not come from Agency IdP", caplog)
    assert "_auth_user_id" not in client.session


def test_id_token_for_another_audience_is_refused(agency_idp, dana, caplog):
    client = Client()
    assert_refused(sign_on(client, "other-audience"), "for another application", caplog)
    assert "_auth_user_id" not in client.session


def test_unverified_email_is_refused(agency_idp, dana, caplog):
    client = Client()
    assert_refused(sign_on(client, "unverified"), "has not verified your e-mail address", caplog)
    assert "_auth_user_id" not in client.session


def test_email_matching_no_account_is_refused_and_creates_none(agency_idp, dana, caplog):
    users = get_user_model().objects.count()
    client = Client()
    assert_refused(sign_on(client, "stranger"), "No portal account has the e-mail address", caplog)
    assert get_user_model().objects.count() == users
    assert "_auth_user_id" not in client.session


def test_email_of_a_deactivated_account_is_refused(agency_idp, doc, caplog):
    UserFactory(username="dana", email=EMAIL, party=doc, roles=[STAFF], is_active=False)
    assert_refused(sign_on(Client(), "dana"), "No portal account has the e-mail address", caplog)


def test_provider_error_answer_is_refused(agency_idp, dana, caplog):
    client = Client()
    start(client)
    response = client.get(reverse("accounts:sso_callback", args=["agency"]) + "?error=access_denied")
    assert_refused(response, "did not sign you in (access_denied)", caplog)


# --- Force SSO ----------------------------------------------------------------------------------------


def test_force_sso_refuses_a_password_of_an_ordinary_account(settings, dana):
    settings.PORTAL_FORCE_SSO = True
    client = Client()
    response = client.post(reverse("login"), {"username": "dana", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200 and "single sign-on" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_force_sso_lets_a_break_glass_account_use_its_password(settings, doc):
    settings.PORTAL_FORCE_SSO = True
    settings.PORTAL_SSO_BREAK_GLASS_USERNAMES = ["tech.admin"]
    admin = UserFactory(username="tech.admin", party=doc, roles=[ADMIN])
    client = Client()
    response = client.post(reverse("login"), {"username": "tech.admin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_force_sso_folds_the_password_form_away_for_break_glass_use(settings, agency_idp, db):
    settings.PORTAL_FORCE_SSO = True
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with Agency IdP" in page
    assert "<summary>Break-glass sign-in for technical administrators</summary>" in page
    assert "Forgot your password?" not in page


def test_provider_that_cannot_be_reached_is_refused_plainly(settings, provider, db, caplog):
    unreachable = {**provider.portal_config("Agency IdP"), "issuer": "http://127.0.0.1:9/o"}
    settings.OIDC_PROVIDERS = {"agency": unreachable}
    response = Client().get(reverse("accounts:sso_start", args=["agency"]))
    assert_refused(response, "Agency IdP cannot be reached just now", caplog)
