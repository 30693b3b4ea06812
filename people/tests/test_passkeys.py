"""Passkeys and security keys (WebAuthn) as a second factor: adding, naming and removing them on
Sign-in security, and answering the second step of a password sign-in with one.

The passkeys are software ones (people/tests/authenticator.py) whose answers py_webauthn checks
as it checks a real key's: nothing of the portal's or the library's is replaced."""

from __future__ import annotations

import logging
import re

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from agreements.tests.factories import DEFAULT_PASSWORD
from people import mfa, passkeys
from people.models import RecoveryCodeDevice
from people.tests.authenticator import SoftwareAuthenticator, b64url
from people.tests.test_mfa import add_app, code_for, password_step, shown_codes, signed_in_client

AccountEvent = apps.get_model("audit", "AccountEvent")

RP_ID = "moa.example.gov"
ORIGIN = "https://moa.example.gov"


@pytest.fixture(autouse=True)
def relying_party(settings):
    settings.OTP_WEBAUTHN_RP_ID = RP_ID
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def new_key() -> SoftwareAuthenticator:
    return SoftwareAuthenticator(rp_id=RP_ID, origin=ORIGIN)


#: What the add form sends with the options: the password (read only from an account that has
#: only passkeys; one with an app is asked its code, one with no factor nothing).
WITH_PASSWORD = {"password": DEFAULT_PASSWORD}


def registration_options(client: Client, proof: dict | None = None) -> dict:
    response = client.post(reverse("accounts:mfa_passkey_options"), WITH_PASSWORD if proof is None else proof)
    assert response.status_code == 200
    return response.json()


def add_passkey(
    client: Client, key: SoftwareAuthenticator, name: str = "YubiKey", proof: dict | None = None
) -> object:
    """Add a passkey through the pages, as the browser's script does (the form's fields with the
    options, then the answer)."""
    answer = key.create(registration_options(client, proof))
    return client.post(reverse("accounts:mfa_passkey_add"), {"name": name, "credential": answer})


def failed_passwords(user) -> int:
    """The wrong passwords django-axes counts toward locking this account (from the test address)."""
    return sum(
        AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True)
    )


def sign_in_options(client: Client) -> dict:
    response = client.post(reverse("accounts:mfa_verify_passkey_options"))
    assert response.status_code == 200
    return response.json()


def answer_with(client: Client, answer: str) -> object:
    return client.post(reverse("accounts:mfa_verify_passkey"), {"credential": answer})


def user_with_passkey(user) -> SoftwareAuthenticator:
    key = new_key()
    add_passkey(signed_in_client(user), key)
    return key


# --- adding ---------------------------------------------------------------------------------------


def test_a_passkey_is_added_under_its_name_with_recovery_codes_shown_once(doc_staff):
    client = signed_in_client(doc_staff)
    response = add_passkey(client, new_key(), name="YubiKey on my keyring")
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    assert len(shown_codes(client)) == mfa.RECOVERY_CODE_COUNT
    passkey = WebAuthnCredential.objects.get(user=doc_staff)
    assert passkey.name == "YubiKey on my keyring" and passkey.confirmed
    assert mfa.has_second_factor(doc_staff)
    event = AccountEvent.objects.get(user=doc_staff, kind="passkey_added")
    assert event.detail == "YubiKey on my keyring"


def test_a_second_passkey_keeps_the_recovery_codes(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key(), name="Laptop")
    first_codes = shown_codes(client)
    response = add_passkey(client, new_key(), name="Phone")
    assert response["Location"] == reverse("accounts:mfa")
    assert list(passkeys.passkeys_of(doc_staff).values_list("name", flat=True)) == ["Laptop", "Phone"]
    assert mfa.code_matches(user=doc_staff, code=first_codes[0]) == "recovery code"


def test_the_security_page_lists_the_passkeys_and_offers_adding_one(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key(), name="Work laptop")
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "Work laptop" in page and "not used yet" in page
    assert "Adding a passkey needs JavaScript" in page
    assert 'src="/static/js/passkey.js"' in page


def test_options_exclude_the_users_passkeys_so_a_key_is_not_added_twice(doc_staff):
    client = signed_in_client(doc_staff)
    key = new_key()
    add_passkey(client, key)
    options = registration_options(client)
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(key.credential_id)]
    assert options["rp"] == {"name": "MOA Portal", "id": RP_ID}


def test_an_answer_made_for_another_site_is_refused_and_nothing_saved(doc_staff, caplog):
    client = signed_in_client(doc_staff)
    answer = new_key().create(registration_options(client), origin="https://evil.example.com")
    with caplog.at_level(logging.WARNING, logger="people.passkeys"):
        response = client.post(reverse("accounts:mfa_passkey_add"), {"name": "Key", "credential": answer})
    assert response.status_code == 200
    assert "The passkey could not be added" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()
    assert not RecoveryCodeDevice.objects.filter(user=doc_staff).exists()
    assert "Passkey registration refused for doc.staff" in caplog.text


def test_a_registration_challenge_answers_once(doc_staff):
    client = signed_in_client(doc_staff)
    key = new_key()
    answer = key.create(registration_options(client))
    client.post(reverse("accounts:mfa_passkey_add"), {"name": "Key", "credential": answer})
    WebAuthnCredential.objects.all().delete()
    again = client.post(reverse("accounts:mfa_passkey_add"), {"name": "Key", "credential": answer})
    assert "expired or was already used" in again.content.decode()
    assert not WebAuthnCredential.objects.exists()


def test_a_challenge_given_to_another_session_is_refused(doc_staff):
    answer = new_key().create(registration_options(signed_in_client(doc_staff)))
    other_session = signed_in_client(doc_staff)
    response = other_session.post(reverse("accounts:mfa_passkey_add"), {"name": "Key", "credential": answer})
    assert "expired or was already used" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()


def test_adding_without_a_name_is_refused_with_a_message(doc_staff):
    client = signed_in_client(doc_staff)
    answer = new_key().create(registration_options(client))
    response = client.post(reverse("accounts:mfa_passkey_add"), {"name": " ", "credential": answer})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()


# --- signing in -----------------------------------------------------------------------------------


def test_password_sign_in_of_an_account_with_a_passkey_offers_it_before_signing_in(doc_staff):
    user_with_passkey(doc_staff)
    client = Client()
    response = password_step(client, doc_staff)
    assert response["Location"] == reverse("accounts:mfa_verify")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:mfa_verify")).content.decode()
    assert "Use your security key" in page
    assert "Using a passkey needs JavaScript" in page
    assert 'name="code"' in page  # recovery codes still answer


def test_a_passkey_signs_in_goes_to_next_and_its_first_use_is_recorded_once(doc_staff):
    key = user_with_passkey(doc_staff)
    for _ in range(2):
        client = Client()
        password_step(client, doc_staff, "/agreements/")
        response = answer_with(client, key.get(sign_in_options(client)))
        assert response["Location"] == "/agreements/"
        assert client.session["_auth_user_id"] == str(doc_staff.pk)
    assert AccountEvent.objects.filter(user=doc_staff, kind="passkey_first_used").count() == 1
    signed_in = AccountEvent.objects.filter(user=doc_staff, kind="signed_in").latest("at")
    assert signed_in.detail == "with a password and the passkey “YubiKey”"
    passkey = WebAuthnCredential.objects.get(user=doc_staff)
    assert passkey.sign_count == 2 and passkey.last_used_at is not None


def test_sign_in_options_name_only_this_accounts_passkeys(doc_staff, dhs_staff):
    own = user_with_passkey(doc_staff)
    user_with_passkey(dhs_staff)
    client = Client()
    password_step(client, doc_staff)
    options = sign_in_options(client)
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(own.credential_id)]
    assert options["rpId"] == RP_ID


def test_a_replayed_sign_in_answer_is_refused(doc_staff):
    key = user_with_passkey(doc_staff)
    first = Client()
    password_step(first, doc_staff)
    answer = key.get(sign_in_options(first))
    answer_with(first, answer)
    attacker = Client()
    password_step(attacker, doc_staff)
    sign_in_options(attacker)  # a fresh challenge: the old answer signed another one
    response = answer_with(attacker, answer)
    assert response.status_code == 200 and "That passkey was not accepted" in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    # …and the challenge it was refused against is gone too.
    assert "expired or was already used" in answer_with(attacker, answer).content.decode()


def test_another_users_passkey_is_refused_logged_and_recorded(doc_staff, dhs_staff, caplog):
    user_with_passkey(doc_staff)
    someone_elses = user_with_passkey(dhs_staff)
    client = Client()
    password_step(client, doc_staff)
    with caplog.at_level(logging.WARNING, logger="people.passkeys"):
        response = answer_with(client, someone_elses.get(sign_in_options(client)))
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page and "That passkey was not accepted" in page
    assert "_auth_user_id" not in client.session
    assert "Passkey sign-in refused for doc.staff" in caplog.text
    assert AccountEvent.objects.filter(user=doc_staff, kind="passkey_refused").count() == 1


def test_a_sign_count_that_does_not_grow_is_refused_as_a_copied_key(doc_staff):
    key = user_with_passkey(doc_staff)
    client = Client()
    password_step(client, doc_staff)
    answer_with(client, key.get(sign_in_options(client), sign_count=5))
    copy = Client()
    password_step(copy, doc_staff)
    response = answer_with(copy, key.get(sign_in_options(copy), sign_count=5))
    assert "That passkey was not accepted" in response.content.decode()
    assert "_auth_user_id" not in copy.session
    assert WebAuthnCredential.objects.get(user=doc_staff).sign_count == 5


def test_an_answer_signed_by_another_key_with_the_same_id_is_refused(doc_staff):
    key = user_with_passkey(doc_staff)
    forger = new_key()
    forger.credential_id = key.credential_id
    client = Client()
    password_step(client, doc_staff)
    response = answer_with(client, forger.get(sign_in_options(client)))
    assert "That passkey was not accepted" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_refused_answers_use_up_the_pending_sign_in(doc_staff):
    user_with_passkey(doc_staff)
    client = Client()
    password_step(client, doc_staff)
    for _ in range(mfa.PENDING_ATTEMPTS):
        response = answer_with(client, "{}")
    assert response["Location"] == reverse("login")
    assert client.post(reverse("accounts:mfa_verify_passkey_options")).status_code == 400


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "null",
        "[]",
        "x" * 30_000,
        '{"id": 1}',
        '{"id": "a", "rawId": "a", "response": {}}',
        r'{"id": "\u0000"}',
    ],
)
def test_odd_answers_are_refused_without_an_error(doc_staff, answer):
    user_with_passkey(doc_staff)
    client = Client()
    password_step(client, doc_staff)
    sign_in_options(client)
    response = answer_with(client, answer)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_passkey_options_without_a_password_first_are_refused(db):
    response = Client().post(reverse("accounts:mfa_verify_passkey_options"))
    assert response.status_code == 400 and "sign in" in response.json()["detail"]
    assert Client().post(reverse("accounts:mfa_verify_passkey"), {"credential": "{}"})["Location"] == reverse(
        "login"
    )


def test_an_app_code_still_signs_in_an_account_with_a_passkey_too(doc_staff):
    enrolling = signed_in_client(doc_staff)
    add_passkey(enrolling, new_key())
    key_hex = add_app(enrolling)
    client = Client()
    password_step(client, doc_staff)
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(key_hex, steps_ahead=1)})
    assert response["Location"] == reverse("landing")


# --- removing -------------------------------------------------------------------------------------


def test_removing_a_passkey_asks_first_then_removes_it(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key(), name="Old key")
    add_passkey(client, new_key(), name="New key")
    old = passkeys.passkeys_of(doc_staff).get(name="Old key")
    url = reverse("accounts:mfa_passkey_remove", args=[old.pk])
    page = client.get(url).content.decode()
    assert "Remove the passkey “Old key”?" in page
    assert WebAuthnCredential.objects.filter(pk=old.pk).exists()
    assert client.post(url, WITH_PASSWORD)["Location"] == reverse("accounts:mfa")
    assert list(passkeys.passkeys_of(doc_staff).values_list("name", flat=True)) == ["New key"]
    assert AccountEvent.objects.get(user=doc_staff, kind="passkey_removed").detail == "Old key"


def test_removing_the_last_factor_removes_the_recovery_codes(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    passkey = passkeys.passkeys_of(doc_staff).get()
    client.post(reverse("accounts:mfa_passkey_remove", args=[passkey.pk]), WITH_PASSWORD)
    assert not mfa.has_second_factor(doc_staff)
    assert not RecoveryCodeDevice.objects.filter(user=doc_staff).exists()


def test_someone_elses_passkey_cannot_be_removed_or_seen(doc_staff, dhs_staff):
    user_with_passkey(dhs_staff)
    theirs = passkeys.passkeys_of(dhs_staff).get()
    client = signed_in_client(doc_staff)
    url = reverse("accounts:mfa_passkey_remove", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, WITH_PASSWORD).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_an_admin_who_must_have_a_second_factor_cannot_remove_the_last_one(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = signed_in_client(doc_admin)
    add_passkey(client, new_key())
    passkey = passkeys.passkeys_of(doc_admin).get()
    url = reverse("accounts:mfa_passkey_remove", args=[passkey.pk])
    assert "Admins must keep one" in client.get(url).content.decode()
    client.post(url, WITH_PASSWORD)
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert not AccountEvent.objects.filter(kind="passkey_removed").exists()


def test_an_admin_with_an_app_too_may_remove_a_passkey(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = signed_in_client(doc_admin)
    add_passkey(client, new_key())
    key_hex = add_app(client)
    passkey = passkeys.passkeys_of(doc_admin).get()
    client.post(
        reverse("accounts:mfa_passkey_remove", args=[passkey.pk]), {"code": code_for(key_hex, steps_ahead=1)}
    )
    assert not WebAuthnCredential.objects.exists()


def test_an_admin_cannot_remove_the_app_when_it_is_the_last_factor(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = signed_in_client(doc_admin)
    key_hex = add_app(client)
    client.post(reverse("accounts:mfa_remove"), {"code": code_for(key_hex, steps_ahead=1)})
    assert TOTPDevice.objects.filter(user=doc_admin).exists()


def test_removing_the_app_keeps_the_passkeys_and_the_recovery_codes(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    key_hex = add_app(client)
    client.post(reverse("accounts:mfa_remove"), {"code": code_for(key_hex, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=doc_staff).exists()
    assert mfa.has_second_factor(doc_staff)
    assert mfa.recovery_codes_left(doc_staff) == mfa.RECOVERY_CODE_COUNT


def test_an_admin_held_at_enrolment_may_add_a_passkey_and_is_let_on(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = Client()
    password_step(client, doc_admin)
    assert client.get(reverse("agreements:list"))["Location"] == reverse("accounts:mfa_app")
    # Its first factor: the password it just gave is not asked again (people.mfa.proof_asked).
    assert add_passkey(client, new_key(), proof={})["Location"] == reverse("accounts:mfa_recovery_codes")
    assert client.get(reverse("agreements:list")).status_code == 200


def test_a_passkey_satisfies_the_admin_requirement_at_the_next_sign_in(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    key = user_with_passkey(doc_admin)
    client = Client()
    assert password_step(client, doc_admin)["Location"] == reverse("accounts:mfa_verify")
    answer_with(client, key.get(sign_in_options(client)))
    assert client.get(reverse("agreements:list")).status_code == 200


# --- proof of a current factor before adding, removing, renewing ---------------------------------


def test_a_second_passkey_without_the_password_gets_no_options_and_nothing_is_saved(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key(), name="Laptop")
    response = client.post(reverse("accounts:mfa_passkey_options"), {"name": "Attacker's key"})
    assert response.status_code == 400 and response.json()["detail"] == "Enter your password."
    assert passkeys.REGISTRATION_KEY not in client.session
    refused = client.post(reverse("accounts:mfa_passkey_add"), {"name": "Attacker's key", "credential": "{}"})
    assert "expired or was already used" in refused.content.decode()
    assert list(passkeys.passkeys_of(doc_staff).values_list("name", flat=True)) == ["Laptop"]
    assert AccountEvent.objects.filter(user=doc_staff, kind="passkey_added").count() == 1


def test_a_second_passkey_is_added_with_the_password(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key(), name="Laptop")
    response = add_passkey(client, new_key(), name="Phone", proof={"password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("accounts:mfa")
    assert passkeys.passkeys_of(doc_staff).count() == 2
    assert AccountEvent.objects.get(user=doc_staff, kind="passkey_added", detail="Phone")


def test_a_wrong_password_for_a_passkey_is_refused_and_counted_toward_the_lockout(settings, doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:mfa_passkey_options"), {"password": "not-the-password"})
        assert response.status_code in (400, 429)
    assert failed_passwords(doc_staff) == settings.AXES_FAILURE_LIMIT
    # Locked from this address: even the right password proves nothing until the cool-off ends.
    assert client.post(reverse("accounts:mfa_passkey_options"), WITH_PASSWORD).status_code != 200
    assert passkeys.REGISTRATION_KEY not in client.session


def test_an_account_with_an_app_proves_it_with_a_code_and_not_the_password(doc_staff):
    client = signed_in_client(doc_staff)
    key_hex = add_app(client)
    by_password = client.post(reverse("accounts:mfa_passkey_options"), WITH_PASSWORD)
    assert by_password.status_code == 400
    assert by_password.json()["detail"] == "Enter the code your authenticator app shows now."
    response = add_passkey(client, new_key(), proof={"code": code_for(key_hex, steps_ahead=1)})
    assert response["Location"] == reverse("accounts:mfa")
    assert mfa.has_passkey(doc_staff)


def test_a_wrong_app_code_for_a_passkey_is_refused_and_slows_the_app_down(doc_staff):
    client = signed_in_client(doc_staff)
    add_app(client)
    response = client.post(reverse("accounts:mfa_passkey_options"), {"code": "000000"})
    assert response.status_code == 400 and "That code is not right" in response.json()["detail"]
    assert TOTPDevice.objects.get(user=doc_staff).throttling_failure_count == 1
    assert passkeys.REGISTRATION_KEY not in client.session


def test_removing_a_passkey_without_the_password_is_refused_and_nothing_removed(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    passkey = passkeys.passkeys_of(doc_staff).get()
    response = client.post(reverse("accounts:mfa_passkey_remove", args=[passkey.pk]))
    assert response.status_code == 200 and "Enter your password." in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert not AccountEvent.objects.filter(kind="passkey_removed").exists()


def test_removing_a_passkey_with_a_wrong_password_is_refused_and_counted(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    passkey = passkeys.passkeys_of(doc_staff).get()
    response = client.post(reverse("accounts:mfa_passkey_remove", args=[passkey.pk]), {"password": "wrong"})
    assert "That password is not right." in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert failed_passwords(doc_staff) == 1


def test_an_account_with_only_passkeys_renews_its_recovery_codes_with_the_password(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    old = shown_codes(client)
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "Renew the recovery codes" in page and 'autocomplete="current-password"' in page
    response = client.post(reverse("accounts:mfa_recovery_renew"), WITH_PASSWORD)
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    new = shown_codes(client)
    assert len(new) == mfa.RECOVERY_CODE_COUNT and not set(old) & set(new)
    assert AccountEvent.objects.filter(user=doc_staff, kind="recovery_renewed").count() == 1


def test_renewing_recovery_codes_with_a_wrong_password_is_refused_and_counted(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    old = shown_codes(client)
    response = client.post(reverse("accounts:mfa_recovery_renew"), {"password": "wrong"}, follow=True)
    assert "That password is not right. The recovery codes were not renewed." in response.content.decode()
    assert mfa.code_matches(user=doc_staff, code=old[0]) == "recovery code"
    assert not AccountEvent.objects.filter(kind="recovery_renewed").exists()
    assert failed_passwords(doc_staff) == 1


def test_an_app_for_an_account_with_only_passkeys_asks_the_password_and_saves_nothing_without(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    page = client.get(reverse("accounts:mfa_app")).content.decode()
    signed = re.search(r'name="secret" value="([^"]+)"', page).group(1)
    key_hex = mfa._offered_key(user=doc_staff, signed=signed)
    response = client.post(reverse("accounts:mfa_app"), {"secret": signed, "code": code_for(key_hex)})
    assert response.status_code == 200 and "Enter your password." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=doc_staff).exists()
    assert not AccountEvent.objects.filter(kind="mfa_added").exists()


def test_an_account_with_only_passkeys_adds_an_app_with_its_password(doc_staff):
    client = signed_in_client(doc_staff)
    add_passkey(client, new_key())
    add_app(client)  # gives the password with the new app's code
    assert TOTPDevice.objects.filter(user=doc_staff, confirmed=True).exists()
