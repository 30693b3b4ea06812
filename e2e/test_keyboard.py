"""Keyboard users: the first Tab reaches the skip link, Enter moves focus to the main
content, and every control focused on the way shows a visible focus ring. Journey 5: a
progress update filled in and saved without the mouse."""

import pytest
from django.urls import reverse
from playwright.sync_api import FileChooser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.conftest import small_pdf

FOCUS_STATE = """() => {
  const el = document.activeElement;
  const css = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    name: (el.getAttribute('aria-label') || el.innerText || el.name || el.tagName).trim().slice(0, 60),
    isSkipLink: el.classList.contains('skip-link'),
    // Tab walks through a date input's own parts; on its calendar button the input is only
    // :focus-within (the portal's CSS keeps the ring on it then).
    focusVisible: el.matches(':focus-visible') || (/^date/.test(el.type) && el.matches(':focus-within')),
    outlineStyle: css.outlineStyle,
    outlineWidth: parseFloat(css.outlineWidth),
    onScreen: box.width > 1 && box.height > 1,
  };
}"""
# How many controls of the main content to walk through (fewer if the content has fewer).
MAX_STEPS_AFTER_MAIN = 8
# A form field is a few Tabs from the previous one (help links, the file button): a bound.
MAX_TABS_TO_A_FIELD = 12
FILE_CHOOSER_TIMEOUT_MS = 3_000
NARRATIVE = "Met WCO officials by phone; the position paper slips to next quarter."


def assert_focus_is_visible(state: dict) -> None:
    assert state["focusVisible"], f"{state['name']!r} is focused but not :focus-visible"
    assert state["outlineStyle"] != "none" and state["outlineWidth"] >= 2, (
        f"{state['name']!r} has no visible focus ring: {state['outlineStyle']} {state['outlineWidth']}px"
    )
    assert state["onScreen"], f"{state['name']!r} is focused but not visible"


@pytest.mark.parametrize("which", ["login", "agreement"])
def test_tab_reaches_the_skip_link_first_and_focus_stays_visible(
    page: Page, which, portal, moa, doc_staff, login
):
    if which == "login":
        page.goto(portal + reverse("login"))
    else:
        login(page, doc_staff)
        page.goto(portal + moa.get_absolute_url())

    page.keyboard.press("Tab")
    state = page.evaluate(FOCUS_STATE)
    assert state["isSkipLink"], f"the first Tab reached {state['name']!r}, not the skip link"
    assert_focus_is_visible(state)

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    reached = []
    for _ in range(MAX_STEPS_AFTER_MAIN):
        page.keyboard.press("Tab")
        if not page.evaluate("() => document.querySelector('main').contains(document.activeElement)"):
            break
        state = page.evaluate(FOCUS_STATE)
        assert_focus_is_visible(state)
        reached.append(state["name"])
    assert reached, "Tab after the skip link reached no control in the main content"


def open_file_chooser_by_keyboard(page: Page) -> FileChooser:
    """Space (or Enter) on a focused file input opens the chooser.

    Headless Chromium now and then lets a key press go by without opening it. A listener
    registered first keeps Playwright intercepting file choosers for the whole attempt (so a
    chooser that opens between two waits is still caught, never left open natively), and the
    keys are tried a few times, each with its own bounded wait.
    """
    opened: list[FileChooser] = []

    def keep(chooser: FileChooser) -> None:
        opened.append(chooser)

    page.on("filechooser", keep)
    try:
        for key in ("Space", "Enter", "Space", "Enter", "Space"):
            if opened:
                break
            try:
                with page.expect_file_chooser(timeout=FILE_CHOOSER_TIMEOUT_MS) as chooser:
                    page.keyboard.press(key)
                return chooser.value
            except PlaywrightTimeoutError:
                continue
    finally:
        page.remove_listener("filechooser", keep)
    if opened:
        return opened[0]
    raise AssertionError("Neither Space nor Enter opened the file chooser")


def test_progress_update_is_filled_and_saved_with_the_keyboard_alone(
    page: Page, portal, moa, doc_staff, login
):
    """Journey 5: journey 1's form, by keyboard only; focus visible at every step."""
    item = moa.commitments.get(code="VI.2")
    evidence = small_pdf("Keyboard-only evidence, VI.2")
    login(page, doc_staff)
    page.goto(portal + reverse("activities:update_create", args=[moa.slug, item.code]))

    def tab_to(label: str, *, backwards: bool = False) -> None:
        """Press Tab (Shift+Tab) until the field labelled `label` has focus, checking the ring
        on every control passed on the way."""
        field = page.get_by_label(label, exact=True)
        for _ in range(MAX_TABS_TO_A_FIELD):
            page.keyboard.press("Shift+Tab" if backwards else "Tab")
            assert_focus_is_visible(page.evaluate(FOCUS_STATE))
            if field.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached the field {label!r}")

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_STATE)["isSkipLink"]
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to("Status*")
    for _ in range(2):  # Not started → On track → At risk
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Status*")).to_have_value("at_risk")
    tab_to("Percent complete*")
    page.keyboard.press("Control+A")
    page.keyboard.type("40")
    tab_to("Narrative*")
    page.keyboard.type(NARRATIVE)
    tab_to("Evidence files")
    open_file_chooser_by_keyboard(page).set_files(
        files=[{"name": "keyboard.pdf", "mimeType": "application/pdf", "buffer": evidence}]
    )
    # Back up to check the percentage kept its value, then on to the button.
    tab_to("Percent complete*", backwards=True)
    expect(page.get_by_label("Percent complete*")).to_have_value("40")
    save = page.get_by_role("button", name="Save update")
    for _ in range(MAX_TABS_TO_A_FIELD):
        page.keyboard.press("Tab")
        assert_focus_is_visible(page.evaluate(FOCUS_STATE))
        if save.evaluate("el => el === document.activeElement"):
            break
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(
        f"Update saved for {item.code}. Its status is now At risk."
    )
    newest = page.get_by_role("list", name="Timeline, newest first").locator(":scope > li").first
    expect(newest).to_contain_text("40%")
    expect(newest).to_contain_text(NARRATIVE)
    expect(newest.get_by_role("link", name="keyboard.pdf")).to_be_visible()
