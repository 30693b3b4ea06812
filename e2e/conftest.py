"""Browser tests: the portal served by pytest-django's live server, driven by Debian's Chromium.

One browser for the whole session (pytest-playwright's `browser` fixture, launched from
/usr/bin/chromium: a browser is never downloaded); a fresh context and page per test. Every
test that uses `page` gets the live server, hence a transactional database; the serialized
rollback puts back the rows migrations created (the role groups) after each test's flush.

Helpers are fixtures returning functions, so tests read as journeys:
`login(page, user)`, `open_page(page, path)`, `axe(page)`, `check_structure(page)`,
`check_field_errors(page)`, `screenshot(page, name)` (into SCREENSHOTS_DIR, which `make screenshots`
sets to docs/screenshots; without it, into the session's temporary folder, so a test run never
rewrites the tracked pictures); `portal_records` fills the MOA with a
little of everything (an update, a meeting with a follow-up action, an outreach event) so lists
and the dashboard show something; `small_pdf(text)` makes a real PDF to upload as evidence.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities import services
from activities.models import Meeting
from agreements.models import CommitmentStatus
from agreements.permissions import ADMIN, MANAGER, STAFF
from agreements.tests.factories import DEFAULT_PASSWORD, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls that fixtures
# make there are still synchronous, so Django's guard against async use does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
#: Where `screenshot` saves its pictures: `make screenshots` sets it to docs/screenshots.
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR", "")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The whole page, down to this many CSS pixels: the agreement's full text is 14,000 px tall
# at desktop width (25,000 on a phone), megabytes of PNG that no reader scrolls through.
SCREENSHOT_MAX_HEIGHT = 4000
# Bounded waits: a page of this portal renders in well under a second.
TIMEOUT_MS = 10_000
PASSWORD = DEFAULT_PASSWORD
# axe-core impacts that fail a test (WCAG 2.1 AA, Section 508).
FAILING_IMPACTS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "section508", "best-practice"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"No browser at {CHROMIUM}: install Debian's chromium package (.ci/run does).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "timeout": 30_000,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-US"}


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    """Give the live server a media prefix to route: the portal sets MEDIA_URL to None
    (evidence is never served directly), which Django's live server cannot parse."""
    with override_settings(MEDIA_URL="/evidence-is-not-served-directly/"):
        yield


@pytest.fixture(scope="session")
def live_server(_media_url_for_live_server, live_server):
    return live_server


@pytest.fixture(scope="session")
def _serialized_database(django_db_setup) -> str | None:
    """The rows migrations created (role groups, content types), as Django serialized them
    when it built the test database, read before Playwright starts its event loop."""
    return getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def playwright(_serialized_database, playwright):
    """Once Playwright's event loop runs in this thread, Django's connection handler keeps
    the thread's connections in a context variable: a new connection object, without the
    serialized rows that a serialized rollback restores. Hand them to it."""
    if _serialized_database is not None:
        connections[DEFAULT_DB_ALIAS]._test_serialized_contents = _serialized_database
    return playwright


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path) -> Path:
    """Evidence the browser uploads lands in a temporary folder, never in var/."""
    settings.MEDIA_ROOT = tmp_path / "evidence"
    return settings.MEDIA_ROOT


@pytest.fixture
def portal(live_server, django_db_serialized_rollback) -> str:
    """The live server's base URL."""
    return live_server.url


@pytest.fixture
def page(page: Page, portal: str) -> Page:
    """pytest-playwright's page, with bounded timeouts and the portal as its base."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


# Users, one per role, with fixed names so screenshots do not change from run to run.
# They override the root conftest's fixtures of the same names.
@pytest.fixture
def doc_staff(doc):
    return UserFactory(username="doc.staff", first_name="Dana", last_name="Reyes", party=doc, roles=[STAFF])


@pytest.fixture
def dhs_staff(dhs):
    return UserFactory(username="dhs.staff", first_name="Sam", last_name="Ortiz", party=dhs, roles=[STAFF])


@pytest.fixture
def doc_manager(doc):
    return UserFactory(username="doc.manager", first_name="Lee", last_name="Park", party=doc, roles=[MANAGER])


@pytest.fixture
def doc_admin(doc):
    return UserFactory(
        username="doc.admin", first_name="Ari", last_name="Cole", party=doc, roles=[ADMIN], is_staff=True
    )


@pytest.fixture
def open_page(portal: str) -> Callable[[Page, str], Page]:
    """Go to a path of the portal and wait until it has loaded."""

    def _open(page: Page, path: str) -> Page:
        response = page.goto(portal + path)
        assert response is not None and response.ok, f"{path} answered {response and response.status}"
        return page

    return _open


def sign_in(page: Page, username: str, password: str) -> None:
    """Fill the sign-in form on the current page and submit it, as a person would."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def login(portal: str) -> Callable[..., Page]:
    """Sign `user` in from the login page; leaves the page where the portal sends them."""

    def _login(page: Page, user, password: str = PASSWORD) -> Page:
        page.goto(portal + reverse("login"))
        sign_in(page, user.username, password)
        # Signed in: the sign-out form (in the user's menu) is on the page.
        expect(page.locator("form[action='/accounts/logout/']")).to_be_attached()
        return page

    return _login


def format_violations(violations: list[dict]) -> str:
    """axe-core's findings as lines a person can act on: rule, impact, help, where."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node['html'][:200]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def run_axe(page: Page) -> list[dict]:
    """Run axe-core on the page as it stands; return every violation.

    The script is evaluated through the DevTools protocol, which the page's CSP does not
    govern (an injected <script> tag would be refused by `script-src 'self'`, as it should).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return JSON.stringify(r.violations); }",
        AXE_TAGS,
    )
    return json.loads(result)


@pytest.fixture
def axe() -> Callable[[Page], list[dict]]:
    """Fail on any serious or critical axe-core violation; return the lesser ones."""

    def _axe(page: Page) -> list[dict]:
        violations = run_axe(page)
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"axe-core on {page.url}:\n{format_violations(failing)}"
        return violations

    return _axe


@pytest.fixture
def check_structure() -> Callable[[Page], None]:
    """The furniture every page must have: a title, one h1, landmarks, a working skip link."""

    def _check(page: Page) -> None:
        title = page.title().strip()
        assert title and title != "MOA Portal", f"{page.url} has no page title of its own: {title!r}"
        assert page.locator("h1").count() == 1, f"{page.url} must have exactly one h1"
        for landmark in ("main", "header", "nav"):
            assert page.locator(landmark).count() >= 1, f"{page.url} has no <{landmark}>"
        assert page.locator("main").count() == 1, f"{page.url} must have exactly one <main>"
        skip = page.locator("a.skip-link")
        expect(skip).to_have_attribute("href", "#main")
        page.locator("body").focus()
        skip.focus()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()

    return _check


FIELD_ERRORS = """() => {
  const invalid = [...document.querySelectorAll('[aria-invalid="true"]')].map(el => {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    const said = ids.map(id => document.getElementById(id)).filter(Boolean)
      .map(e => e.innerText.trim()).filter(Boolean);
    const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : (el.name || el.id);
    return {label, said};
  });
  const described = new Set([...document.querySelectorAll('[aria-describedby]')]
    .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/)));
  const loose = [...document.querySelectorAll('.invalid-feedback')]
    .filter(e => e.offsetParent !== null && !described.has(e.id)
      && ![...e.querySelectorAll('[id]')].some(c => described.has(c.id)))
    .map(e => e.innerText.trim());
  return {invalid, loose};
}"""


@pytest.fixture
def check_field_errors() -> Callable[[Page], dict[str, list[str]]]:
    """A form shown back with errors: every invalid field is marked `aria-invalid` and tied by
    `aria-describedby` to the words of its error, and no error message floats untied.
    Returns {field label: [what its error says]}."""

    def _check(page: Page) -> dict[str, list[str]]:
        # The refused form arrives by navigation after the click: wait for it, not for time.
        page.wait_for_selector('[aria-invalid="true"]', state="attached")
        found = page.evaluate(FIELD_ERRORS)
        assert found["invalid"], f"{page.url}: no field is marked aria-invalid"
        for field in found["invalid"]:
            assert field["said"], f"{page.url}: the invalid field {field['label']!r} is tied to no error text"
        assert not found["loose"], f"{page.url}: error messages tied to no field: {found['loose']}"
        return {field["label"]: field["said"] for field in found["invalid"]}

    return _check


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SCREENSHOTS_DIR when set (`make screenshots`), else a temporary folder: the pictures
    are still taken on every run (so the code that takes them keeps working), but only
    `make screenshots` changes the ones in docs/."""
    if SCREENSHOTS_DIR:
        return Path(SCREENSHOTS_DIR).resolve()
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Page, str], list[Path]]:
    """Save full-page PNGs at desktop and phone width as <screenshot_dir>/<name>-{desktop,phone}.png.

    Take them before anything moves focus, so no focus ring shows in the picture.
    """

    def _shoot(page: Page, name: str) -> list[Path]:
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        original = page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            path = screenshot_dir / f"{name}-{label}.png"
            height = page.evaluate("() => document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, SCREENSHOT_MAX_HEIGHT)}
            page.screenshot(path=path, full_page=True, clip=clip, animations="disabled", caret="hide")
            paths.append(path)
        if original:
            page.set_viewport_size(original)
        return paths

    return _shoot


def small_pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying `text`: objects, a cross-reference table with the
    right byte offsets, and a trailer, as a PDF reader expects them."""
    words = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 720 Td ({words}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# Fixed dates inside the MOA's term, so the pictures do not change from run to run.
RECORDS_DAY = datetime.date(2018, 3, 15)


@pytest.fixture
def portal_records(moa, doc, doc_staff, dhs_staff) -> dict:
    """A little of everything, entered as staff would (through the services)."""
    update = services.progress_update_create(
        commitment=moa.commitments.get(code="VI.5"),
        acting_user=doc_staff,
        reporting_party=doc,
        as_of=RECORDS_DAY,
        status=CommitmentStatus.ON_TRACK,
        percent_complete=25,
        narrative="First quarterly call held; the next one is set for June.",
    )
    meeting = services.meeting_create(
        agreement=moa,
        acting_user=dhs_staff,
        kind="quarterly",
        title="Q1 2018 DOC–DHS call",
        starts_at=timezone.make_aware(datetime.datetime.combine(RECORDS_DAY, datetime.time(10))),
        format=Meeting.Format.CALL,
        minutes="Reviewed the points of contact and the outreach plan.",
        items=[moa.commitments.get(code="VI.5")],
        attendee_users=[doc_staff, dhs_staff],
        follow_ups=[
            {"description": "Circulate the outreach plan.", "owner_user": doc_staff, "due_on": RECORDS_DAY}
        ],
    )
    event = services.outreach_event_create(
        agreement=moa,
        acting_user=doc_staff,
        organising_party=doc,
        title="E-commerce exporters forum",
        held_on=RECORDS_DAY,
        city="Chicago",
        country="United States",
        place="us",
        audiences=["enterprises"],
        attendance=120,
        items=[moa.commitments.get(code="VI.3")],
    )
    return {"update": update, "meeting": meeting, "event": event}
