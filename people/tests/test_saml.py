"""Single sign-on by SAML 2.0 against a real identity provider on loopback (pysaml2's IdP in a
thread, people/tests/saml_idp.py, with its own key made at test time): the request goes out by
redirect, the signed answer comes back by POST, and the portal checks it with xmlsec1. The
account is matched by e-mail; each refusal is plain, logged, recorded, and creates nothing."""

from __future__ import annotations

import logging
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from saml2.metadata import create_metadata_string
from saml2.s_utils import decode_base64_and_inflate, deflate_and_base64_encode

from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import UserFactory
from people import saml

from .saml_idp import PIV_CONTEXT, Answer, LoopbackIdP, decoded, posted_form, self_signed

EMAIL = "dana.reyes@agency.example.gov"

# The audit trail is an app above people (.importlinter): read its table by name.
AccountEvent = apps.get_model("audit", "AccountEvent")


@pytest.fixture
def idps(db, tmp_path, settings):
    """Two agencies' identity providers, both configured; the portal trusts each one's key."""
    agency, other = LoopbackIdP(tmp_path, "agency"), LoopbackIdP(tmp_path, "other")
    agency.start()
    other.start()
    settings.SAML_SP_BASE_URL = "http://testserver"
    settings.SAML_PROVIDERS = {
        idp.name: {
            "name": f"{idp.name.title()} IdP",
            "entity_id": idp.entity_id,
            "metadata_url": idp.metadata_url,
        }
        for idp in (agency, other)
    }
    portal_metadata = create_metadata_string(None, config=saml.sp_config(None))
    agency.trust(portal_metadata)
    other.trust(portal_metadata)
    yield agency, other
    agency.stop()
    other.stop()


@pytest.fixture
def agency(idps):
    return idps[0]


@pytest.fixture
def keyed(agency, settings, tmp_path):
    """The portal with a key of its own (SAML_SP_KEY_FILE/CERT_FILE); the agency's IdP reads the
    portal's metadata again, which now publishes that key's certificate."""
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = self_signed(tmp_path, "portal")
    agency.trust(create_metadata_string(None, config=saml.sp_config(None)))
    return agency


@pytest.fixture
def dana(doc):
    return UserFactory(username="dana", email=EMAIL.upper(), party=doc, roles=[STAFF])


def start(client: Client, provider: str = "agency", next_url: str = "") -> str:
    """Start a sign-on; the address of the provider's sign-on page the portal sends the browser to."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    response = client.get(reverse("accounts:saml_start", args=[provider]) + query)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def at_provider(location: str, idp: LoopbackIdP) -> tuple[str, dict[str, str]]:
    """Open the provider's page (real HTTP to the loopback IdP): the form it answers with."""
    query = urlsplit(location).query
    with urllib.request.urlopen(f"{idp.base}/{idp.name}/sso?{query}", timeout=10) as page:  # noqa: S310
        return posted_form(page.read().decode())


def answer(client: Client, action: str, fields: dict[str, str]):
    assert action == "http://testserver" + reverse("accounts:saml_acs")
    return client.post(urlsplit(action).path, fields)


def sign_on(client: Client, idp: LoopbackIdP, *, provider: str = "agency", next_url: str = "", **how):
    idp.answer = Answer(**{"email": EMAIL, **how})
    action, fields = at_provider(start(client, provider, next_url), idp)
    return answer(client, action, fields)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_signed_assertion_signs_in_the_account_with_that_email_and_goes_on(agency, dana):
    client = Client()
    response = sign_on(client, agency, next_url="/my-work/")
    assert response.status_code == 302 and response["Location"] == "/my-work/"
    assert client.session["_auth_user_id"] == str(dana.pk)
    assert client.get("/my-work/").status_code == 200


def test_the_request_goes_by_redirect_and_the_answer_is_a_signed_assertion(agency, dana):
    client = Client()
    location = start(client)
    assert location.startswith(f"{agency.base}/agency/sso?SAMLRequest=")
    agency.answer = Answer(email=EMAIL)
    _, fields = at_provider(location, agency)
    xml = decoded(fields["SAMLResponse"])
    assert "<ds:Signature" in xml and agency.entity_id in xml


def test_the_authn_context_is_recorded_on_the_signed_in_event(agency, dana):
    client = Client()
    sign_on(client, agency)
    assert client.session["moa_sso"]["acr"] == PIV_CONTEXT
    event = AccountEvent.objects.get(kind="signed_in", user=dana)
    assert "SAML" in event.detail and "Agency IdP" in event.detail and PIV_CONTEXT in event.detail


def test_an_admin_signed_on_is_not_held_at_adding_an_authenticator_app(settings, agency, doc):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    UserFactory(username="dana", email=EMAIL, party=doc, roles=[ADMIN])
    client = Client()
    sign_on(client, agency)
    assert client.get(reverse("agreements:list")).status_code == 200


def _refused(response, client: Client, words: str, caplog) -> None:
    assert response.status_code == 403
    assert words in response.content.decode()
    assert not signed_in(client)
    assert AccountEvent.objects.filter(kind="sso_refused").count() == 1
    assert any(r.name == "people.saml" and r.levelno == logging.WARNING for r in caplog.records)


def test_an_email_matching_no_account_is_refused_and_no_account_is_made(agency, dana, caplog):
    users = get_user_model().objects.count()
    client = Client()
    response = sign_on(client, agency, email="nobody@agency.example.gov")
    _refused(response, client, "No portal account has the e-mail address nobody@agency.example.gov", caplog)
    assert get_user_model().objects.count() == users


def test_an_inactive_account_is_not_signed_in(agency, dana, caplog):
    dana.is_active = False
    dana.save()
    client = Client()
    _refused(sign_on(client, agency), client, "No portal account has the e-mail address", caplog)


def test_an_unsigned_assertion_is_refused(agency, dana, caplog):
    client = Client()
    _refused(sign_on(client, agency, sign=False), client, "was not signed", caplog)


def test_an_assertion_altered_after_signing_is_refused(agency, dana, caplog):
    UserFactory(username="mallory", email="mallory@agency.example.gov")
    client = Client()
    response = sign_on(client, agency, email="mallory@agency.example.gov", tamper_email=EMAIL)
    _refused(response, client, "signature did not check out", caplog)


def test_an_assertion_meant_for_another_service_is_refused(agency, dana, caplog):
    client = Client()
    response = sign_on(client, agency, audience="https://another-service.example.gov/saml")
    _refused(response, client, "meant for another service", caplog)


def test_an_answer_from_another_provider_than_the_one_started_is_refused(idps, dana, caplog):
    agency, other = idps
    client = Client()
    other.answer = Answer(email=EMAIL)
    # The request made for the agency's IdP, carried to the other one (it checks whom it is for).
    location = urlsplit(start(client, "agency"))
    query = parse_qs(location.query)
    request = decode_base64_and_inflate(query["SAMLRequest"][0]).decode()
    carried = request.replace(f"{agency.base}/{agency.name}/sso", f"{other.base}/{other.name}/sso")
    query["SAMLRequest"] = [deflate_and_base64_encode(carried)]
    action, fields = at_provider("?" + urlencode(query, doseq=True), other)
    _refused(answer(client, action, fields), client, "not started with", caplog)


def test_an_answer_used_twice_is_refused_the_second_time(agency, dana, caplog):
    client = Client()
    agency.answer = Answer(email=EMAIL)
    action, fields = at_provider(start(client), agency)
    assert answer(client, action, fields).status_code == 302
    client.logout()
    again = answer(client, action, fields)
    assert again.status_code == 403 and not signed_in(client)


def test_an_answer_this_browser_did_not_ask_for_is_refused(agency, dana, caplog):
    agency.answer = Answer(email=EMAIL)
    action, fields = at_provider(start(Client()), agency)
    stranger = Client()
    _refused(answer(stranger, action, fields), stranger, "does not match a sign-in started", caplog)


def test_a_post_without_an_answer_is_refused_plainly(agency, caplog):
    client = Client()
    _refused(client.post(reverse("accounts:saml_acs"), {}), client, "could not be accepted", caplog)


def test_an_unknown_provider_is_a_404(agency):
    assert Client().get(reverse("accounts:saml_start", args=["nobody"])).status_code == 404


def test_the_system_use_notice_comes_before_the_provider(settings, agency):
    settings.PORTAL_SYSTEM_USE_NOTICE = "You are accessing a U.S. Government information system."
    response = Client().get(reverse("accounts:saml_start", args=["agency"]))
    assert response["Location"].startswith(reverse("accounts:notice"))


def test_the_portals_metadata_names_its_answer_address(agency):
    response = Client().get(reverse("accounts:saml_metadata"))
    assert response.status_code == 200
    assert "http://testserver/accounts/saml/acs/" in response.content.decode()


def test_the_sign_in_page_offers_each_saml_provider(agency):
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with Agency IdP" in page and "Sign in with Other IdP" in page
    assert reverse("accounts:saml_start", args=["agency"]) in page


def test_a_provider_whose_metadata_cannot_be_read_is_refused_plainly_not_a_500(settings, db, caplog):
    settings.SAML_SP_BASE_URL = "http://testserver"
    settings.SAML_PROVIDERS = {
        "down": {
            "name": "Down IdP",
            "entity_id": "http://127.0.0.1:9/idp",
            "metadata_url": "http://127.0.0.1:9/md",
        }
    }
    response = Client().get(reverse("accounts:saml_start", args=["down"]))
    assert response.status_code == 403
    assert "Signing in with Down IdP is not possible right now" in response.content.decode()
    assert Client().get(reverse("accounts:saml_metadata")).status_code == 503


def test_the_portals_metadata_publishes_its_certificate_for_encryption_when_it_has_a_key(keyed):
    metadata = Client().get(reverse("accounts:saml_metadata")).content.decode()
    assert 'use="encryption"' in metadata and 'use="signing"' in metadata


def test_an_assertion_encrypted_to_the_portal_signs_in(keyed, dana):
    client = Client()
    keyed.answer = Answer(email=EMAIL, encrypt=True)
    action, fields = at_provider(start(client, next_url="/my-work/"), keyed)
    xml = decoded(fields["SAMLResponse"])
    assert "EncryptedAssertion" in xml and EMAIL not in xml  # the address travels encrypted
    response = answer(client, action, fields)
    assert response.status_code == 302 and response["Location"] == "/my-work/"
    assert client.session["_auth_user_id"] == str(dana.pk)


def test_an_assertion_encrypted_to_another_key_is_refused_plainly(keyed, dana, tmp_path, caplog):
    _, stranger_cert = self_signed(tmp_path, "stranger")
    client = Client()
    response = sign_on(client, keyed, encrypt=True, encrypt_to=stranger_cert)
    _refused(response, client, "could not be read by this portal", caplog)


def test_an_encrypted_assertion_to_a_portal_without_a_key_is_refused_plainly(agency, dana, tmp_path, caplog):
    _, stranger_cert = self_signed(tmp_path, "stranger")
    client = Client()
    response = sign_on(client, agency, encrypt=True, encrypt_to=stranger_cert)
    _refused(response, client, "could not be read by this portal", caplog)
