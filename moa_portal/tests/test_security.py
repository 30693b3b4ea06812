"""Sign-in protections, the idle timeout, password reset and the production profile."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.tests.factories import DEFAULT_PASSWORD
from moa_portal.middleware import LAST_SEEN_KEY, LAST_SEEN_RESOLUTION

BASE_DIR = Path(__file__).resolve().parents[2]
START = datetime.datetime(2026, 11, 23, 14, 0, tzinfo=datetime.UTC)


def _fail_login(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": "wrong-password-123"})


def test_account_is_locked_after_the_failure_limit(client, doc_staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, doc_staff.username)
    response = client.post(reverse("login"), {"username": doc_staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_says_the_account_is_locked(client, doc_staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _fail_login(client, doc_staff.username)
    page = response.content.decode()
    assert response.status_code == 429
    assert "Account locked" in page and "Too many failed sign-in attempts" in page


def test_failures_below_the_limit_do_not_lock(client, doc_staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail_login(client, doc_staff.username)
    response = client.post(reverse("login"), {"username": doc_staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(doc_staff.pk)


def _sign_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_idle_session_is_signed_out_after_the_idle_limit(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        assert client.get(reverse("agreements:list")).status_code == 200
        clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get(reverse("agreements:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_activity_within_the_idle_limit_keeps_the_session(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        for _ in range(3):
            clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1))
            assert client.get(reverse("agreements:list")).status_code == 200


def test_idle_sign_out_tells_the_user_why(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        client.get(reverse("agreements:list"))
        clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        page = client.get(reverse("agreements:list"), follow=True).content.decode()
    assert f"signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity" in page


def test_long_idle_session_is_signed_out_too(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        clock.shift(datetime.timedelta(hours=3))
        response = client.get(reverse("agreements:list"))
    assert response["Location"].startswith(reverse("login"))


def test_idle_limit_follows_the_setting(client, doc_staff, moa, settings):
    settings.SESSION_IDLE_MINUTES = 5
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        clock.shift(datetime.timedelta(minutes=6))
        response = client.get(reverse("agreements:list"))
    assert response["Location"].startswith(reverse("login"))


def _session_writes(client, url: str, connection) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def test_pages_within_a_minute_of_the_last_activity_do_not_save_the_session(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        clock.shift(datetime.timedelta(seconds=LAST_SEEN_RESOLUTION - 1))
        assert _session_writes(client, reverse("agreements:list"), connection) == 0


def test_a_page_a_minute_after_the_last_activity_moves_the_idle_clock(client, doc_staff, moa):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, doc_staff)
        clock.shift(datetime.timedelta(seconds=LAST_SEEN_RESOLUTION))
        assert _session_writes(client, reverse("agreements:list"), connection) == 1
        assert client.session[LAST_SEEN_KEY] == START.timestamp() + LAST_SEEN_RESOLUTION


def test_idle_limit_is_thirty_minutes_by_default():
    assert settings.SESSION_IDLE_MINUTES == 30


@pytest.mark.django_db
def test_password_reset_sends_a_link_to_the_account_email(client, doc_staff):
    response = client.post(reverse("password_reset"), {"email": doc_staff.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def _reset_link(client, user) -> str:
    client.post(reverse("password_reset"), {"email": user.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line)
    return link.split("testserver", 1)[1]


def test_password_reset_refuses_a_weak_password(client, doc_staff):
    form_url = client.get(_reset_link(client, doc_staff), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()


def test_password_reset_accepts_a_strong_password(client, doc_staff):
    form_url = client.get(_reset_link(client, doc_staff), follow=True).redirect_chain[-1][0]
    new = "amber-falcon-orbit-41"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    doc_staff.refresh_from_db()
    assert doc_staff.check_password(new)


@pytest.mark.django_db
def test_pages_send_a_csp_without_inline_script_and_deny_framing(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_check_deploy_reports_nothing_with_production_settings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs, not production's.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "moa-portal.example.gov",
        "DATABASE_URL": "postgres://moa:moa@127.0.0.1:5432/moa_portal",
        # Production refuses to start without these (moa_portal/checks.py, issue 16).
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.gov:587",
        "PORTAL_URL": "https://moa-portal.example.gov",
        "DEFAULT_FROM_EMAIL": "MOA Portal <moa-portal@example.gov>",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="moa_portal.settings.production",
        ALLOWED_HOSTS="moa-portal.example.gov",
        DATABASE_URL="postgres://moa:moa@127.0.0.1:5432/moa_portal",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_admin_unlocks_a_locked_account(client, doc_staff, doc_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, doc_staff.username)
    admin_client = Client()
    admin_client.force_login(doc_admin)
    assert "Locked out" in admin_client.get(reverse("people:list")).content.decode()
    admin_client.post(reverse("people:unlock", args=[doc_staff.pk]))
    response = client.post(reverse("login"), {"username": doc_staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
