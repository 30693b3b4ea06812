"""Edit conflicts on users (issue 20), the way contacts have them: a save from a form opened
before another admin's save is refused and shows what changed; a version the account was never
shown at (forged, garbled, missing, another account's) is refused too; nothing is written."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from agreements.permissions import ADMIN, MANAGER, STAFF
from agreements.tests.factories import UserFactory
from people.services import UserEditConflict, user_update, user_version


@pytest.fixture
def analyst(doc):
    return UserFactory(username="doc.analyst", first_name="Ana", last_name="Lyst", party=doc, roles=[STAFF])


@pytest.fixture
def other_admin(doc):
    return UserFactory(
        username="doc.admin2", first_name="Grace", last_name="Hopper", party=doc, roles=[ADMIN]
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _opened(client: Client, user) -> dict:
    """The edit page's form as the browser posts it back unchanged."""
    form = client.get(reverse("people:edit", args=[user.pk])).context["form"]
    return {
        "first_name": form.initial["first_name"],
        "last_name": form.initial["last_name"],
        "email": form.initial["email"],
        "party": form.initial["party"].pk,
        "roles": form.initial["roles"],
        "is_active": "on" if form.initial["is_active"] else "",
        "version": form.initial["version"],
    }


def _save(client: Client, user, data: dict):
    return client.post(reverse("people:edit", args=[user.pk]), data)


def test_the_second_of_two_edits_opened_together_is_refused_showing_what_changed(
    doc_admin, other_admin, analyst
):
    first, second = _client(doc_admin), _client(other_admin)
    mine, theirs = _opened(first, analyst), _opened(second, analyst)
    assert _save(second, analyst, {**theirs, "last_name": "Lovelace"}).status_code == 302

    response = _save(first, analyst, {**mine, "first_name": "Anna"})

    assert response.status_code == 409
    analyst.refresh_from_db()
    assert (analyst.first_name, analyst.last_name) == ("Ana", "Lovelace")
    conflict = response.context["conflict"]
    assert [(c.label, c.when_opened, c.now) for c in conflict.changes] == [("Last name", "Lyst", "Lovelace")]
    assert conflict.changed_by == ["Grace Hopper"]
    page = response.content.decode()
    assert "Grace Hopper changed this account after you opened it." in page
    # The admin's own entry is shown beside the values, and kept in the form.
    assert response.context["conflict_rows"][0][1] == "Lyst"
    assert response.context["form"]["first_name"].value() == "Anna"


def test_a_role_change_in_between_is_a_conflict(doc_admin, other_admin, analyst):
    first, second = _client(doc_admin), _client(other_admin)
    mine, theirs = _opened(first, analyst), _opened(second, analyst)
    assert _save(second, analyst, {**theirs, "roles": [STAFF, MANAGER]}).status_code == 302

    response = _save(first, analyst, {**mine, "is_active": ""})

    assert response.status_code == 409
    analyst.refresh_from_db()
    assert analyst.is_active
    assert [(c.field, c.when_opened, c.now) for c in response.context["conflict"].changes] == [
        ("roles", "Staff", "Manager, Staff")
    ]


def test_saving_again_from_the_conflict_page_goes_through(doc_admin, other_admin, analyst):
    first, second = _client(doc_admin), _client(other_admin)
    mine, theirs = _opened(first, analyst), _opened(second, analyst)
    _save(second, analyst, {**theirs, "last_name": "Lovelace"})
    refused = _save(first, analyst, {**mine, "first_name": "Anna"})
    again = {**mine, "first_name": "Anna", "version": refused.context["form"]["version"].value()}

    assert _save(first, analyst, again).status_code == 302
    analyst.refresh_from_db()
    # The form still held the last name as first opened: saving again is the admin's choice.
    assert (analyst.first_name, analyst.last_name) == ("Anna", "Lyst")


@pytest.mark.parametrize(
    "version",
    ["", "1", "garbage", "eyJ1IjoxfQ:1tXyZ:forged-signature"],
    ids=["missing", "a number", "garbled", "forged"],
)
def test_an_unknown_version_is_refused_and_nothing_is_saved(doc_admin, analyst, version):
    client = _client(doc_admin)
    data = {**_opened(client, analyst), "first_name": "Anna", "version": version}
    response = _save(client, analyst, data)
    assert response.status_code == 409
    analyst.refresh_from_db()
    assert analyst.first_name == "Ana"
    assert response.context["conflict"].changes == []


def test_another_accounts_version_is_refused(doc_admin, doc_staff, analyst):
    client = _client(doc_admin)
    data = {**_opened(client, analyst), "first_name": "Anna", "version": user_version(user=doc_staff)}
    assert _save(client, analyst, data).status_code == 409
    analyst.refresh_from_db()
    assert analyst.first_name == "Ana"


def test_a_stale_form_changing_the_email_sends_no_link(doc_admin, other_admin, analyst):
    first, second = _client(doc_admin), _client(other_admin)
    mine, theirs = _opened(first, analyst), _opened(second, analyst)
    _save(second, analyst, {**theirs, "last_name": "Lovelace"})
    mail.outbox.clear()

    response = _save(first, analyst, {**mine, "email": "ana.new@example.gov"})

    assert response.status_code == 409
    assert mail.outbox == []


def test_a_save_in_between_that_changed_nothing_shown_is_no_conflict(doc_admin, analyst):
    """A sign-in saves the user row (its last sign-in time) but changes nothing on the form."""
    client = _client(doc_admin)
    opened = _opened(client, analyst)
    _client(analyst)  # the analyst signs in meanwhile
    assert _save(client, analyst, {**opened, "first_name": "Anna"}).status_code == 302


def test_the_service_refuses_a_version_opened_before_the_last_save(doc, doc_admin, analyst):
    opened = user_version(user=analyst)
    user_update(
        user=analyst,
        acting_user=doc_admin,
        expected_version=opened,
        party=doc,
        roles=[STAFF],
        is_active=True,
        first_name="Anna",
        last_name="Lyst",
    )
    with pytest.raises(UserEditConflict) as refused:
        user_update(
            user=analyst,
            acting_user=doc_admin,
            expected_version=opened,
            party=doc,
            roles=[STAFF],
            is_active=False,
            first_name="Ana",
            last_name="Lyst",
        )
    assert [c.field for c in refused.value.changes] == ["first_name"]
    assert get_user_model().objects.get(pk=analyst.pk).is_active
