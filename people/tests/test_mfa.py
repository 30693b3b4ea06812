"""Multi-factor sign-in: an authenticator app (TOTP) with recovery codes, required for Admins."""

from __future__ import annotations

import re
import time

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.tests.factories import DEFAULT_PASSWORD
from people import mfa
from people.models import RecoveryCode, RecoveryCodeDevice

# The audit trail is an app above people (.importlinter): read its table by name.
AccountEvent = apps.get_model("audit", "AccountEvent")


def code_for(key_hex: str, *, steps_ahead: int = 0) -> str:
    """The code an app holding this secret shows now (or a step later: a code is used once)."""
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def add_app(client: Client) -> str:
    """Add an app through the pages, as a user would; returns its secret (hex)."""
    page = client.get(reverse("accounts:mfa_app")).content.decode()
    signed = re.search(r'name="secret" value="([^"]+)"', page).group(1)
    key_hex = mfa._offered_key(user=client.user, signed=signed)  # type: ignore[attr-defined]
    # The password is read only from an account with passkeys (people.mfa.proof_asked).
    data = {"secret": signed, "code": code_for(key_hex), "password": DEFAULT_PASSWORD}
    response = client.post(reverse("accounts:mfa_app"), data)
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    return key_hex


def shown_codes(client: Client) -> list[str]:
    """The recovery codes the page shows (once) after they were made."""
    page = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    shown = re.search(r'<ul[^>]*id="recovery-codes">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r"<li>([^<]+)</li>", shown)


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


def password_step(client: Client, user, next_url: str = "") -> object:
    data = {"username": user.username, "password": DEFAULT_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def test_adding_an_app_needs_a_right_code_and_then_shows_recovery_codes_once(doc_staff):
    client = signed_in_client(doc_staff)
    page = client.get(reverse("accounts:mfa_app")).content.decode()
    signed = re.search(r'name="secret" value="([^"]+)"', page).group(1)
    wrong = client.post(reverse("accounts:mfa_app"), {"secret": signed, "code": "000000"})
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    assert not TOTPDevice.objects.filter(user=doc_staff).exists()
    key_hex = mfa._offered_key(user=doc_staff, signed=signed)
    client.post(reverse("accounts:mfa_app"), {"secret": signed, "code": code_for(key_hex)})
    codes_page = client.get(reverse("accounts:mfa_recovery_codes"))
    shown = re.search(r'<ul[^>]*id="recovery-codes">(.*?)</ul>', codes_page.content.decode(), re.S).group(1)
    assert shown.count("<li>") == mfa.RECOVERY_CODE_COUNT
    assert client.get(reverse("accounts:mfa_recovery_codes"))["Location"] == reverse("accounts:mfa")
    assert AccountEvent.objects.filter(user=doc_staff, kind="mfa_added").exists()


def test_opening_the_add_app_page_saves_nothing(doc_staff):
    signed_in_client(doc_staff).get(reverse("accounts:mfa_app"))
    assert not TOTPDevice.objects.filter(user=doc_staff).exists()


def test_a_secret_offered_to_another_user_is_refused(doc_staff, dhs_staff):
    other = signed_in_client(dhs_staff).get(reverse("accounts:mfa_app")).content.decode()
    signed = re.search(r'name="secret" value="([^"]+)"', other).group(1)
    key_hex = mfa._offered_key(user=dhs_staff, signed=signed)
    client = signed_in_client(doc_staff)
    # The password is read only from an account with passkeys (people.mfa.proof_asked).
    data = {"secret": signed, "code": code_for(key_hex), "password": DEFAULT_PASSWORD}
    response = client.post(reverse("accounts:mfa_app"), data)
    assert response.status_code == 200
    assert not TOTPDevice.objects.exists()


def test_password_sign_in_of_an_account_with_an_app_asks_for_a_code_before_signing_in(doc_staff):
    add_app(signed_in_client(doc_staff))
    client = Client()
    response = password_step(client, doc_staff, "/agreements/")
    assert response["Location"] == reverse("accounts:mfa_verify")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("my_work"))["Location"].startswith(reverse("login"))


def test_right_code_signs_in_and_goes_to_next(doc_staff):
    key_hex = add_app(signed_in_client(doc_staff))
    client = Client()
    password_step(client, doc_staff, "/agreements/")
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(key_hex, steps_ahead=1)})
    assert response["Location"] == "/agreements/"
    assert client.session["_auth_user_id"] == str(doc_staff.pk)
    event = AccountEvent.objects.filter(user=doc_staff, kind="signed_in").latest("at")
    assert event.detail == "with a password and authenticator app"


def test_a_code_already_used_is_refused(doc_staff):
    key_hex = add_app(signed_in_client(doc_staff))
    client = Client()
    password_step(client, doc_staff)
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(key_hex)})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_code_is_refused_recorded_and_counted_against_the_address(doc_staff):
    add_app(signed_in_client(doc_staff))
    client = Client()
    password_step(client, doc_staff)
    response = client.post(reverse("accounts:mfa_verify"), {"code": "123456x"})
    assert response.status_code == 200 and b"That code is not right" in response.content
    assert "_auth_user_id" not in client.session
    assert AccountEvent.objects.filter(user=doc_staff, kind="mfa_code_refused").count() == 1


def test_five_wrong_codes_send_the_user_back_to_the_password(doc_staff):
    add_app(signed_in_client(doc_staff))
    client = Client()
    password_step(client, doc_staff)
    for _ in range(mfa.PENDING_ATTEMPTS):
        response = client.post(reverse("accounts:mfa_verify"), {"code": "999999"})
    assert response["Location"] == reverse("login")
    assert client.get(reverse("accounts:mfa_verify"))["Location"] == reverse("login")


def test_a_recovery_code_signs_in_once(doc_staff):
    enrolling = signed_in_client(doc_staff)
    add_app(enrolling)
    code = shown_codes(enrolling)[3]
    client = Client()
    password_step(client, doc_staff)
    assert client.post(reverse("accounts:mfa_verify"), {"code": code})["Location"] == reverse("landing")
    assert mfa.recovery_codes_left(doc_staff) == mfa.RECOVERY_CODE_COUNT - 1
    again = Client()
    password_step(again, doc_staff)
    assert again.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 200
    assert AccountEvent.objects.filter(user=doc_staff, kind="recovery_code_used").count() == 1


def test_code_page_without_a_password_first_sends_to_sign_in(db):
    assert Client().post(reverse("accounts:mfa_verify"), {"code": "123456"})["Location"] == reverse("login")


def test_admin_without_an_app_is_held_at_adding_one_where_required(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = Client()
    password_step(client, doc_admin)
    assert client.get(reverse("agreements:list"))["Location"] == reverse("accounts:mfa_app")
    assert client.get(reverse("accounts:mfa_app")).status_code == 200


def test_admin_who_adds_an_app_is_let_on(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = Client()
    password_step(client, doc_admin)
    client.user = doc_admin  # type: ignore[attr-defined]
    add_app(client)
    assert client.get(reverse("agreements:list")).status_code == 200


def test_staff_without_an_app_are_not_held_where_only_admins_must(settings, doc_staff):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = True
    client = Client()
    password_step(client, doc_staff)
    assert client.get(reverse("agreements:list")).status_code == 200


def test_admins_are_not_held_where_the_requirement_is_off(settings, doc_admin):
    settings.PORTAL_MFA_REQUIRED_FOR_ADMINS = False
    client = Client()
    password_step(client, doc_admin)
    assert client.get(reverse("agreements:list")).status_code == 200


def test_removing_the_app_with_a_wrong_code_keeps_it(doc_staff):
    client = signed_in_client(doc_staff)
    add_app(client)
    client.post(reverse("accounts:mfa_remove"), {"code": "000000"})
    assert TOTPDevice.objects.filter(user=doc_staff).exists()


def test_removing_the_app_with_a_code_from_it_removes_it_and_the_recovery_codes(doc_staff):
    client = signed_in_client(doc_staff)
    key_hex = add_app(client)
    client.post(reverse("accounts:mfa_remove"), {"code": code_for(key_hex, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=doc_staff).exists()
    assert mfa.recovery_codes_left(doc_staff) == 0
    assert AccountEvent.objects.filter(user=doc_staff, kind="mfa_removed").exists()


def test_renewing_recovery_codes_replaces_the_old_ones(doc_staff):
    client = signed_in_client(doc_staff)
    key_hex = add_app(client)
    old = shown_codes(client)
    response = client.post(reverse("accounts:mfa_recovery_renew"), {"code": code_for(key_hex, steps_ahead=1)})
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    new = shown_codes(client)
    assert len(new) == mfa.RECOVERY_CODE_COUNT and not set(old) & set(new)
    assert mfa.recovery_codes_left(doc_staff) == mfa.RECOVERY_CODE_COUNT


def test_renewed_recovery_codes_stop_the_old_ones(doc_staff):
    client = signed_in_client(doc_staff)
    key_hex = add_app(client)
    old = shown_codes(client)
    client.post(reverse("accounts:mfa_recovery_renew"), {"code": code_for(key_hex, steps_ahead=1)})
    signing_in = Client()
    password_step(signing_in, doc_staff)
    assert signing_in.post(reverse("accounts:mfa_verify"), {"code": old[0]}).status_code == 200
    assert "_auth_user_id" not in signing_in.session


def test_recovery_codes_are_stored_only_as_salted_hashes(doc_staff):
    client = signed_in_client(doc_staff)
    add_app(client)
    codes = shown_codes(client)
    hashes = list(RecoveryCode.objects.filter(device__user=doc_staff).values_list("code_hash", flat=True))
    assert len(hashes) == len(codes) == mfa.RECOVERY_CODE_COUNT
    stored = " ".join(hashes)
    assert all(c not in stored and c.replace("-", "") not in stored for c in codes)
    assert all(h.startswith("pbkdf2_sha256$") for h in hashes)
    assert len({h.split("$")[2] for h in hashes}) == len(hashes)  # a salt of its own each


def test_a_recovery_code_is_accepted_as_typed_in_capitals_and_without_hyphens(doc_staff):
    enrolling = signed_in_client(doc_staff)
    add_app(enrolling)
    code = shown_codes(enrolling)[0]
    client = Client()
    password_step(client, doc_staff)
    typed = code.replace("-", " ").upper()
    assert client.post(reverse("accounts:mfa_verify"), {"code": typed})["Location"] == reverse("landing")


def test_a_used_recovery_code_is_kept_as_used_not_deleted(doc_staff):
    enrolling = signed_in_client(doc_staff)
    add_app(enrolling)
    code = shown_codes(enrolling)[0]
    device = RecoveryCodeDevice.objects.get(user=doc_staff)
    assert device.verify_token(code)
    assert not device.verify_token(code)
    assert RecoveryCode.objects.filter(device=device, used_at__isnull=False).count() == 1
    assert RecoveryCode.objects.filter(device=device).count() == mfa.RECOVERY_CODE_COUNT


def test_wrong_recovery_codes_slow_the_next_try_down(doc_staff):
    enrolling = signed_in_client(doc_staff)
    add_app(enrolling)
    code = shown_codes(enrolling)[0]
    device = RecoveryCodeDevice.objects.get(user=doc_staff)
    assert not device.verify_token("aaaa-aaaa-aaaa")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert not device.verify_token(code)  # refused during the delay, and not used up
    assert mfa.recovery_codes_left(doc_staff) == mfa.RECOVERY_CODE_COUNT


@pytest.mark.parametrize("code", ["", " ", "1" * 33, "１２３４５６", "\x00"])
def test_odd_codes_are_refused_without_an_error(doc_staff, code):
    add_app(signed_in_client(doc_staff))
    client = Client()
    password_step(client, doc_staff)
    assert client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code in (200, 400)
    assert "_auth_user_id" not in client.session


def test_replacing_the_app_needs_a_code_from_the_current_one(doc_staff):
    client = signed_in_client(doc_staff)
    old_key = add_app(client)
    page = client.get(reverse("accounts:mfa_app")).content.decode()
    signed = re.search(r'name="secret" value="([^"]+)"', page).group(1)
    new_key = mfa._offered_key(user=doc_staff, signed=signed)
    refused = client.post(reverse("accounts:mfa_app"), {"secret": signed, "code": code_for(new_key)})
    assert refused.status_code == 200
    assert TOTPDevice.objects.get(user=doc_staff).key == old_key
    replaced = client.post(
        reverse("accounts:mfa_app"),
        {"secret": signed, "code": code_for(new_key), "current_code": code_for(old_key, steps_ahead=1)},
    )
    assert replaced["Location"] == reverse("accounts:mfa_recovery_codes")
    assert TOTPDevice.objects.get(user=doc_staff).key == new_key


def test_the_django_admin_signs_in_through_the_portals_sign_in_page(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"
