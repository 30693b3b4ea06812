"""Personal access tokens: made on the account's tokens page, shown once, stored hashed,
bounded to a year, scoped, revocable, in the audit trail, stopped with their user."""

import datetime
import hashlib

import pytest
import time_machine
from django.urls import reverse

from api.models import AccessToken
from api.services import access_token_create
from audit.models import AccountEvent
from core.time import today
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/agreements/"
MARK_READ = "/api/v1/notifications/mark-read/"


def _create_on_page(client, user, **data):
    client.force_login(user)
    form = {
        "name": "Dashboard sync",
        "scope": "read",
        "expires_on": (today() + datetime.timedelta(days=30)).isoformat(),
    }
    return client.post(reverse("tokens:list"), {**form, **data})


def test_the_tokens_page_shows_a_new_token_once_and_stores_only_its_sha256(client, doc_staff):
    response = _create_on_page(client, doc_staff)
    assert response.status_code == 201
    raw = response.context["new"].raw
    assert raw.startswith("moa_") and raw in response.content.decode()
    token = AccessToken.objects.get(user=doc_staff)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {getattr(token, f.attname) for f in AccessToken._meta.fields if f.attname != "id"}
    assert raw not in client.get(reverse("tokens:list")).content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_token_may_live_a_year_at_most(client, doc_staff):
    response = _create_on_page(
        client, doc_staff, expires_on=(today() + datetime.timedelta(days=400)).isoformat()
    )
    assert response.status_code == 200
    assert "at most a year" in response.content.decode()
    assert not AccessToken.objects.exists()


def test_an_expiry_in_the_past_is_refused(client, doc_staff):
    response = _create_on_page(
        client, doc_staff, expires_on=(today() - datetime.timedelta(days=1)).isoformat()
    )
    assert response.status_code == 200
    assert not AccessToken.objects.exists()


def test_creation_first_use_and_revocation_are_in_the_audit_trail(client, doc_staff):
    raw = make_token(doc_staff)
    api = client_with(raw)
    assert api.get(AGREEMENTS).status_code == 200
    assert api.get(AGREEMENTS).status_code == 200
    token = AccessToken.objects.get()
    client.force_login(doc_staff)
    client.post(reverse("tokens:revoke", args=[token.pk]))
    kinds = list(AccountEvent.objects.filter(user=doc_staff).order_by("pk").values_list("kind", flat=True))
    assert [k for k in kinds if k.startswith("token")] == [
        AccountEvent.Kind.TOKEN_CREATED,
        AccountEvent.Kind.TOKEN_FIRST_USED,
        AccountEvent.Kind.TOKEN_REVOKED,
    ]


def test_a_revoked_token_is_refused(client, doc_staff):
    raw = make_token(doc_staff)
    client.force_login(doc_staff)
    client.post(reverse("tokens:revoke", args=[AccessToken.objects.get().pk]))
    response = client_with(raw).get(AGREEMENTS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_user_revokes_only_their_own_tokens(client, doc_staff, dhs_staff):
    make_token(doc_staff)
    client.force_login(dhs_staff)
    assert client.post(reverse("tokens:revoke", args=[AccessToken.objects.get().pk])).status_code == 404
    assert AccessToken.objects.get().revoked_at is None


def test_an_expired_token_is_refused(doc_staff):
    raw = make_token(doc_staff, days=1)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=3)):
        response = client_with(raw).get(AGREEMENTS)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_the_tokens_of_a_deactivated_user_stop_at_once(doc_staff):
    raw = make_token(doc_staff)
    assert client_with(raw).get(AGREEMENTS).status_code == 200
    doc_staff.is_active = False
    doc_staff.save()
    assert client_with(raw).get(AGREEMENTS).status_code == 401


def test_an_unknown_or_malformed_token_is_refused(db):
    assert client_with("moa_not-a-token").get(AGREEMENTS).status_code == 401
    assert client_with("abc").get(AGREEMENTS).status_code == 401
    assert client_with("").get(AGREEMENTS).status_code == 401


def test_without_a_token_or_session_the_api_answers_401_not_the_sign_in_page(client):
    response = client.get(AGREEMENTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_read_only_token_reads_but_does_not_write(doc_staff, moa):
    api = client_with(make_token(doc_staff, AccessToken.Scope.READ))
    assert api.get(AGREEMENTS).status_code == 200
    response = api.post("/api/v1/notifications/mark-read/", {}, format="json")
    assert response.status_code == 403
    assert "read only" in response.json()["detail"]


def test_the_service_refuses_an_unnamed_token(doc_staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        access_token_create(acting_user=doc_staff, name=" ", scope="read", expires_on=today())
    assert not AccessToken.objects.exists()


def test_a_revoked_tokens_write_is_refused_and_nothing_is_saved(client, doc_staff):
    NotificationFactory(user=doc_staff)
    raw = make_token(doc_staff)
    client.force_login(doc_staff)
    client.post(reverse("tokens:revoke", args=[AccessToken.objects.get().pk]))
    response = client_with(raw).post(MARK_READ, {}, format="json")
    assert response.status_code == 401
    assert Notification.objects.get().read_at is None


def test_an_expired_tokens_write_is_refused_and_nothing_is_saved(doc_staff):
    NotificationFactory(user=doc_staff)
    raw = make_token(doc_staff, days=1)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=3)):
        response = client_with(raw).post(MARK_READ, {}, format="json")
    assert response.status_code == 401
    assert Notification.objects.get().read_at is None


def test_the_served_schema_describes_the_personal_access_token(api_as, doc_staff):
    response = api_as(doc_staff).get(reverse("api:schema"), {"format": "json"})
    scheme = response.json()["components"]["securitySchemes"]["personalAccessToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
