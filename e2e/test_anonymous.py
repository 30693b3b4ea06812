"""Journey 6: someone not signed in. Every page sends them to sign in; wrong passwords are
refused with a clear message; repeated failures lock the account, and the page says so."""

from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.conftest import sign_in
from e2e.pages import PAGES

ADMIN_INDEX = "/admin/"


def test_anonymous_visitor_is_sent_to_sign_in_from_every_page(page: Page, portal, moa):
    paths = [p.path(moa) for p in PAGES if p.viewer] + [reverse("my_work"), ADMIN_INDEX]
    sign_in_pages = {reverse("login"), reverse("admin:login")}
    for path in paths:
        page.goto(portal + path)
        url = urlparse(page.url)
        assert url.path in sign_in_pages, f"{path} showed {page.url} to someone not signed in"
        assert parse_qs(url.query).get("next") == [path], f"{path}: sign-in forgets where they were going"
        expect(page.get_by_label("Password")).to_be_visible()


def test_wrong_password_is_refused_with_a_clear_message(page: Page, portal, doc_staff, axe, screenshot):
    page.goto(portal + reverse("login"))
    sign_in(page, doc_staff.username, "not-the-password")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Username")).to_have_value(doc_staff.username)
    axe(page)
    screenshot(page, "login-error")


def test_empty_sign_in_form_shows_each_error_tied_to_its_field(page: Page, portal, check_field_errors, axe):
    page.goto(portal + reverse("login"))
    page.get_by_role("button", name="Sign in").click()

    errors = check_field_errors(page)
    assert errors == {"Username*": ["This field is required."], "Password*": ["This field is required."]}
    axe(page)


def test_repeated_failures_lock_the_account_and_the_page_says_so(
    page: Page, portal, doc_staff, axe, screenshot
):
    page.goto(portal + reverse("login"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(page, doc_staff.username, "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    sign_in(page, doc_staff.username, "not-the-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account locked")
    expect(page.get_by_role("alert")).to_contain_text(
        f"This account is locked after {settings.AXES_FAILURE_LIMIT} failed sign-in attempts"
    )
    axe(page)
    screenshot(page, "account-locked")

    page.get_by_role("link", name="Back to sign in").click()
    sign_in(page, doc_staff.username, "correct-horse-battery-staple")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account locked")
