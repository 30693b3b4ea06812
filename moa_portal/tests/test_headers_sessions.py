"""Response headers on every page, methods the portal refuses, and the absolute session lifetime."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from agreements.tests.factories import DEFAULT_PASSWORD
from compliance.services import calendar_feed_token_regenerate

START = datetime.datetime(2026, 11, 23, 14, 0, tzinfo=datetime.UTC)


def _sign_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "url_name",
    ["my_work", "agreements:list", "activities:meeting_list", "compliance:dashboard", "people:list"],
)
def test_signed_in_pages_are_not_stored(client, doc_admin, url_name):
    client.force_login(doc_admin)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_dashboard_export_is_not_stored(client, doc_manager, moa):
    client.force_login(doc_manager)
    response = client.get(reverse("compliance:export", kwargs={"what": "summary", "fmt": "csv"}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_calendar_feed_is_not_stored(client, doc_staff, moa):
    token = calendar_feed_token_regenerate(acting_user=doc_staff).token
    response = client.get(reverse("compliance:calendar_feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_pages_carry_a_permissions_policy(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.mark.django_db
def test_passkeys_are_allowed_for_the_portals_own_pages_only(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in policy
    assert "publickey-credentials-create=(self)" in policy


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["trace", "put", "delete", "patch", "options"])
def test_unsupported_methods_are_refused(client, method):
    response = getattr(client, method)(reverse("login"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"


def test_trace_is_refused_for_a_signed_in_user(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.generic("TRACE", reverse("agreements:list"))
    assert response.status_code == 405


def test_active_session_ends_after_the_absolute_lifetime(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        # Active all along: a page every 20 minutes, never idle long enough for the idle limit.
        steps = settings.SESSION_ABSOLUTE_HOURS * 3 + 1
        responses = []
        for _ in range(steps):
            clock.shift(datetime.timedelta(minutes=20))
            responses.append(client.get(reverse("agreements:list")))
    assert all(r.status_code == 200 for r in responses[:-1])
    assert responses[-1].status_code == 302
    assert responses[-1]["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def _stay_active(client, clock, minutes: int) -> None:
    for _ in range(minutes // 20):
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(reverse("agreements:list")).status_code == 200


def test_absolute_lifetime_sign_out_says_why(client, doc_staff, moa, settings):
    settings.SESSION_ABSOLUTE_HOURS = 1
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        _stay_active(client, clock, 60)
        clock.shift(datetime.timedelta(minutes=1))
        page = client.get(reverse("agreements:list"), follow=True).content.decode()
    assert "a session lasts at most 1 hours" in page


def test_signing_in_again_starts_a_new_lifetime(client, doc_staff, moa, settings):
    settings.SESSION_ABSOLUTE_HOURS = 1
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        _stay_active(client, clock, 40)
        _sign_in(client, doc_staff)
        _stay_active(client, clock, 40)


def test_absolute_lifetime_is_twelve_hours_by_default():
    assert settings.SESSION_ABSOLUTE_HOURS == 12
