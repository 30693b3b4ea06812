"""The system-use notice (AC-8) accepted before any sign-in, and the ".gov" site banner."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agreements.tests.factories import DEFAULT_PASSWORD

NOTICE = "You are accessing a U.S. Government information system.\n\nUsage may be monitored."


@pytest.fixture
def notice_on(settings):
    settings.PORTAL_SYSTEM_USE_NOTICE = NOTICE
    return settings


def test_sign_in_page_sends_a_visitor_to_the_notice_first(notice_on, db):
    response = Client().get(reverse("login") + "?next=/agreements/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:notice"))


def test_notice_page_shows_each_paragraph_of_the_configured_text(notice_on, db):
    response = Client().get(reverse("accounts:notice"))
    assert response.status_code == 200
    assert b"<p>You are accessing a U.S. Government information system.</p>" in response.content
    assert b"<p>Usage may be monitored.</p>" in response.content


def test_password_posted_without_accepting_the_notice_is_not_tried(notice_on, doc_staff):
    client = Client()
    response = client.post(reverse("login"), {"username": doc_staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:notice"))
    assert "_auth_user_id" not in client.session


def test_accepting_the_notice_leads_back_to_the_sign_in_and_lets_the_user_in(notice_on, doc_staff):
    client = Client()
    login_with_next = reverse("login") + "?next=/agreements/"
    accepted = client.post(reverse("accounts:notice"), {"next": login_with_next})
    assert accepted["Location"] == login_with_next
    assert client.get(login_with_next).status_code == 200
    credentials = {"username": doc_staff.username, "password": DEFAULT_PASSWORD, "next": "/agreements/"}
    response = client.post(login_with_next, credentials)
    assert response["Location"] == "/agreements/"
    assert client.session["_auth_user_id"] == str(doc_staff.pk)


def test_notice_acceptance_does_not_follow_a_next_to_another_site(notice_on, db):
    response = Client().post(reverse("accounts:notice"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("login")


def test_without_a_notice_configured_the_sign_in_page_shows_the_form(settings, db):
    settings.PORTAL_SYSTEM_USE_NOTICE = ""
    assert Client().get(reverse("login")).status_code == 200
    assert Client().get(reverse("accounts:notice"))["Location"] == reverse("login")


def test_official_banner_is_on_every_page_where_the_setting_is_on(settings, db):
    settings.PORTAL_OFFICIAL_BANNER = True
    response = Client().get(reverse("login"))
    assert b"An official website of the United States government" in response.content
    assert b"vendor/uswds/icon-dot-gov" in response.content


def test_official_banner_is_absent_where_the_setting_is_off(settings, db):
    settings.PORTAL_OFFICIAL_BANNER = False
    response = Client().get(reverse("login"))
    assert b"An official website of the United States government" not in response.content


@pytest.mark.parametrize("next_url", ["9999-12-31", "home", "accounts:notice", "//evil.example/"])
def test_notice_acceptance_answers_any_next_without_an_error(notice_on, db, next_url):
    response = Client().post(reverse("accounts:notice"), {"next": next_url})
    assert response.status_code == 302
