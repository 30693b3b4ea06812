"""User administration's guards on accounts: who may edit whom, e-mail changes confirmed from
the old and the new address, and one active account per e-mail address."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import UserFactory
from people.services import user_version


def _edit(client, user, party, **changes):
    data = {
        "email": user.email,
        "party": party.pk,
        "roles": [STAFF],
        "is_active": "on",
        "version": user_version(user=user),
    }
    data.update(changes)
    return client.post(reverse("people:edit", args=[user.pk]), data)


def _link(message, name: str) -> str:
    path = reverse(f"people:{name}", kwargs={"token": "TOKEN"}).replace("TOKEN/", "")
    match = re.search(rf"https?://testserver({re.escape(path)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def admin_client(doc_admin) -> Client:
    client = Client()
    client.force_login(doc_admin)
    return client


@pytest.fixture
def superuser_in_doc(doc):
    return UserFactory(username="root", party=doc, is_superuser=True, is_staff=True)


# --- who may edit whom ---------------------------------------------------------------------------


def test_party_admin_cannot_open_a_superuser_of_their_party(admin_client, superuser_in_doc):
    assert admin_client.get(reverse("people:edit", args=[superuser_in_doc.pk])).status_code == 403


def test_party_admin_cannot_change_a_superusers_email(admin_client, doc, superuser_in_doc):
    response = _edit(admin_client, superuser_in_doc, doc, email="attacker@example.com")
    assert response.status_code == 403
    superuser_in_doc.refresh_from_db()
    assert superuser_in_doc.email == "root@example.gov"
    assert mail.outbox == []


def test_party_admin_cannot_edit_a_django_staff_account(admin_client, doc):
    technical = UserFactory(username="tech.doc", party=doc, is_staff=True, roles=[STAFF])
    assert _edit(admin_client, technical, doc, is_active="").status_code == 403
    technical.refresh_from_db()
    assert technical.is_active


def test_party_admin_still_edits_their_own_account(admin_client, doc, doc_admin):
    response = _edit(admin_client, doc_admin, doc, first_name="Ada", roles=[ADMIN])
    assert response.status_code == 302
    doc_admin.refresh_from_db()
    assert doc_admin.first_name == "Ada"


def test_the_user_list_offers_no_edit_link_for_a_superuser(admin_client, superuser_in_doc):
    page = admin_client.get(reverse("people:list")).content.decode()
    assert reverse("people:edit", args=[superuser_in_doc.pk]) not in page


def test_party_admin_cannot_change_a_peer_admins_email(admin_client, doc):
    peer = UserFactory(username="doc.admin2", party=doc, roles=[ADMIN])
    response = _edit(admin_client, peer, doc, email="attacker@example.com", roles=[ADMIN])
    assert response.status_code == 200
    assert "changes an admin&#x27;s e-mail" in response.content.decode()
    peer.refresh_from_db()
    assert peer.email == "doc.admin2@example.gov"
    assert mail.outbox == []


def test_superuser_may_start_a_change_of_an_admins_email(client, doc, doc_admin, superuser_in_doc):
    client.force_login(superuser_in_doc)
    _edit(client, doc_admin, doc, email="new.admin@example.gov", roles=[ADMIN])
    assert [m.to for m in mail.outbox] == [[doc_admin.email]]


# --- e-mail changes ------------------------------------------------------------------------------


def test_an_email_change_does_not_apply_when_the_admin_saves(admin_client, doc, doc_staff):
    assert _edit(admin_client, doc_staff, doc, email="new@example.gov").status_code == 302
    doc_staff.refresh_from_db()
    assert doc_staff.email == "doc.staff@example.gov"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["doc.staff@example.gov"]
    assert "new@example.gov" in mail.outbox[0].body


def test_an_email_change_applies_after_approval_from_old_and_confirmation_from_new(
    admin_client, doc, doc_staff
):
    _edit(admin_client, doc_staff, doc, email="new@example.gov")
    anonymous = Client()
    approve = _link(mail.outbox[0], "email_change_approve")
    assert anonymous.get(approve).status_code == 200  # showing the question changes nothing
    assert len(mail.outbox) == 1
    assert anonymous.post(approve).status_code == 200
    assert mail.outbox[1].to == ["new@example.gov"]
    doc_staff.refresh_from_db()
    assert doc_staff.email == "doc.staff@example.gov"

    confirm = _link(mail.outbox[1], "email_change_confirm")
    assert anonymous.post(confirm).status_code == 200
    doc_staff.refresh_from_db()
    assert doc_staff.email == "new@example.gov"
    told = sorted(m.to[0] for m in mail.outbox[2:])
    assert told == ["doc.staff@example.gov", "new@example.gov"]
    assert doc_staff.history.first().history_type == "~"


def test_the_confirmation_link_cannot_stand_in_for_the_approval(admin_client, doc, doc_staff):
    _edit(admin_client, doc_staff, doc, email="new@example.gov")
    approve = _link(mail.outbox[0], "email_change_approve")
    forged_confirm = approve.replace("/approve/", "/confirm/")
    assert Client().post(forged_confirm).status_code == 400
    doc_staff.refresh_from_db()
    assert doc_staff.email == "doc.staff@example.gov"


def test_a_used_confirmation_link_is_dead(admin_client, doc, doc_staff):
    _edit(admin_client, doc_staff, doc, email="new@example.gov")
    Client().post(_link(mail.outbox[0], "email_change_approve"))
    confirm = _link(mail.outbox[1], "email_change_confirm")
    Client().post(confirm)
    assert Client().post(confirm).status_code == 400


def test_a_tampered_link_is_refused(admin_client, doc, doc_staff):
    _edit(admin_client, doc_staff, doc, email="new@example.gov")
    approve = _link(mail.outbox[0], "email_change_approve")
    assert Client().post(approve[:-3] + "xyz/").status_code == 400
    assert len(mail.outbox) == 1


def test_an_expired_link_is_refused(admin_client, doc, doc_staff, settings):
    _edit(admin_client, doc_staff, doc, email="new@example.gov")
    settings.EMAIL_CHANGE_TIMEOUT = -1
    assert Client().post(_link(mail.outbox[0], "email_change_approve")).status_code == 400


# --- one active account per address ----------------------------------------------------------------


def test_a_new_user_with_an_existing_email_is_refused_and_nothing_is_mailed(admin_client, doc, doc_staff):
    response = admin_client.post(
        reverse("people:create"),
        {"username": "copy.cat", "email": "DOC.Staff@example.gov", "party": doc.pk, "roles": [STAFF]},
    )
    assert response.status_code == 200
    assert "Another active user already has this e-mail address." in response.content.decode()
    assert not get_user_model().objects.filter(username="copy.cat").exists()
    assert mail.outbox == []


def test_an_address_of_an_inactive_user_may_be_reused(admin_client, doc, doc_staff):
    doc_staff.is_active = False
    doc_staff.save()
    response = admin_client.post(
        reverse("people:create"),
        {"username": "successor", "email": doc_staff.email, "party": doc.pk, "roles": [STAFF]},
    )
    assert response.status_code == 302
    # The invitation is the new account's: its link resets the new user, not the inactive one.
    new = get_user_model().objects.get(username="successor")
    assert len(mail.outbox) == 1
    assert f"/accounts/reset/{urlsafe_base64_encode(force_bytes(new.pk))}/" in mail.outbox[0].body


def test_an_email_change_to_an_address_in_use_is_refused(admin_client, doc, doc_staff, doc_manager):
    response = _edit(admin_client, doc_staff, doc, email=doc_manager.email.upper())
    assert response.status_code == 200
    assert "Another active user already has this e-mail address." in response.content.decode()
    assert mail.outbox == []
