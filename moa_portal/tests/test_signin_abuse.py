"""Sign-in abuse: lockout per account and address, the spraying brake, reset budgets, unlocks,
and the account events they leave in the audit trail."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from agreements.permissions import ADMIN
from agreements.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AccountEvent
from people.signin import forget_address_counters

ATTACKER = "203.0.113.66"
WRONG = "wrong-password-123"  # noqa: S105
OFFICE = "198.51.100.10"


@pytest.fixture(autouse=True)
def _fresh_addresses():
    for address in (ATTACKER, OFFICE):
        forget_address_counters(address)
    yield
    for address in (ATTACKER, OFFICE):
        forget_address_counters(address)


def _sign_in(client, username: str, password: str = DEFAULT_PASSWORD, address: str = OFFICE):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, username: str, address: str = ATTACKER):
    return _sign_in(client, username, WRONG, address)


def _lock(username: str, address: str = ATTACKER) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, username, address)


def test_failures_from_another_address_do_not_lock_the_owner_out(doc_admin):
    _lock(doc_admin.username, ATTACKER)
    response = _sign_in(Client(), doc_admin.username, address=OFFICE)
    assert response.status_code == 302


def test_the_address_that_failed_is_locked_for_that_account(doc_admin):
    _lock(doc_admin.username, ATTACKER)
    response = _sign_in(Client(), doc_admin.username, address=ATTACKER)
    assert response.status_code == 429


def test_an_address_over_its_failure_budget_is_refused_for_every_account(settings, doc_staff, doc_admin):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    client = Client()
    for username in ("a.one", "b.two", "c.three"):  # spraying: one guess per account
        _fail(client, username)
    response = _sign_in(client, doc_staff.username, address=ATTACKER)
    assert response.status_code == 429
    assert "Too many failed sign-ins from your network address" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert _sign_in(Client(), doc_admin.username, address=OFFICE).status_code == 302


def test_a_throttled_sign_in_is_in_the_audit_trail(settings, doc_staff):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 1
    _fail(Client(), "nobody")
    _sign_in(Client(), doc_staff.username, address=ATTACKER)
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.SIGN_IN_THROTTLED)
    assert (event.user, event.ip_address) == (doc_staff, ATTACKER)


def test_a_256_character_username_is_a_form_error_not_a_500(db):
    response = _sign_in(Client(raise_request_exception=False), "u" * 256)
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()


def test_a_completed_password_reset_lifts_the_lock(client, doc_staff):
    _lock(doc_staff.username, OFFICE)
    assert _sign_in(Client(), doc_staff.username).status_code == 429
    client.post(reverse("password_reset"), {"email": doc_staff.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line)
    form_url = client.get(link.split("testserver", 1)[1], follow=True).redirect_chain[-1][0]
    new = "amber-falcon-orbit-41"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert _sign_in(Client(), doc_staff.username, new).status_code == 302
    assert AccountEvent.objects.filter(
        kind=AccountEvent.Kind.UNLOCKED, user=doc_staff, detail__contains="password reset"
    ).exists()


def test_an_admin_of_another_party_unlocks(doc_staff, dhs):
    dhs_admin = UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])
    _lock(doc_staff.username, OFFICE)
    admin = Client()
    admin.force_login(dhs_admin)
    assert doc_staff.username in admin.get(reverse("people:locked")).content.decode()
    assert admin.post(reverse("people:unlock", args=[doc_staff.pk])).status_code == 302
    assert _sign_in(Client(), doc_staff.username).status_code == 302


def test_a_technical_admin_without_a_party_unlocks(doc_admin):
    technical = UserFactory(username="tech", is_staff=True)
    _lock(doc_admin.username, OFFICE)
    client = Client()
    client.force_login(technical)
    assert client.post(reverse("people:unlock", args=[doc_admin.pk])).status_code == 302
    assert _sign_in(Client(), doc_admin.username).status_code == 302


def test_staff_cannot_unlock(doc_staff, dhs_staff):
    _lock(doc_staff.username, OFFICE)
    client = Client()
    client.force_login(dhs_staff)
    assert client.post(reverse("people:unlock", args=[doc_staff.pk])).status_code == 403
    assert client.get(reverse("people:locked")).status_code == 403
    assert _sign_in(Client(), doc_staff.username).status_code == 429


def test_unlock_is_in_the_audit_trail_with_who_unlocked(doc_staff, doc_admin):
    _lock(doc_staff.username, OFFICE)
    client = Client()
    client.force_login(doc_admin)
    client.post(reverse("people:unlock", args=[doc_staff.pk]))
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.UNLOCKED, user=doc_staff)
    assert event.history.get().history_user == doc_admin


def test_sign_in_failure_and_lockout_are_in_the_audit_trail(doc_staff):
    _sign_in(Client(), doc_staff.username)
    _lock(doc_staff.username, ATTACKER)
    kinds = list(AccountEvent.objects.filter(user=doc_staff).order_by("pk").values_list("kind", "ip_address"))
    assert kinds[0] == (AccountEvent.Kind.SIGNED_IN, OFFICE)
    failed = [k for k in kinds if k[0] == AccountEvent.Kind.SIGN_IN_FAILED]
    assert len(failed) == settings.AXES_FAILURE_LIMIT - 1
    assert kinds[-1] == (AccountEvent.Kind.LOCKED_OUT, ATTACKER)


def test_the_audit_log_lists_account_events_to_admins_of_the_party(client, doc_staff, doc_admin, dhs):
    _fail(Client(), doc_staff.username)
    client.force_login(doc_admin)
    page = client.get(reverse("audit:log"), {"model": "account-event"}).content.decode()
    assert "Sign-in failed: doc.staff from 203.0.113.66" in page
    other = UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])
    client.force_login(other)
    page = client.get(reverse("audit:log"), {"model": "account-event"}).content.decode()
    assert "Sign-in failed: doc.staff" not in page


def test_reset_requests_beyond_the_account_budget_send_no_mail(client, settings, doc_staff):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 2
    responses = [
        client.post(reverse("password_reset"), {"email": doc_staff.email}, REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(1, 5)
    ]
    assert [r.status_code for r in responses] == [302] * 4
    assert {r["Location"] for r in responses} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 2


def test_reset_requests_beyond_the_address_budget_send_no_mail(client, settings, doc):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    users = [UserFactory(party=doc) for _ in range(5)]
    responses = [
        client.post(reverse("password_reset"), {"email": u.email}, REMOTE_ADDR=ATTACKER) for u in users
    ]
    assert [r["Location"] for r in responses] == [reverse("password_reset_done")] * 5
    assert len(mail.outbox) == 3


def _sign_in_forwarded(client, username: str, forwarded: str, password: str = WRONG):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_proxy_the_client_address_is_read_through_it(settings, doc_staff):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in_forwarded(Client(), doc_staff.username, ATTACKER)
    # Through the same proxy, the owner's own address is not the attacker's: not locked.
    response = _sign_in_forwarded(Client(), doc_staff.username, OFFICE, password=DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.LOCKED_OUT, ip_address=ATTACKER).exists()


def test_a_forged_forwarded_address_does_not_escape_the_budget(settings, doc_staff):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):
        _fail(Client(), f"user{n}", address=ATTACKER)
    response = Client().post(
        reverse("login"),
        {"username": doc_staff.username, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429
