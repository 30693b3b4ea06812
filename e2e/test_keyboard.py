"""Keyboard users: the first Tab reaches the skip link, Enter moves focus to the main
content, and every control focused on the way shows a visible focus ring."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

FOCUS_STATE = """() => {
  const el = document.activeElement;
  const css = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    name: (el.getAttribute('aria-label') || el.innerText || el.name || el.tagName).trim().slice(0, 60),
    isSkipLink: el.classList.contains('skip-link'),
    focusVisible: el.matches(':focus-visible'),
    outlineStyle: css.outlineStyle,
    outlineWidth: parseFloat(css.outlineWidth),
    onScreen: box.width > 1 && box.height > 1,
  };
}"""
# How many controls of the main content to walk through (fewer if the content has fewer).
MAX_STEPS_AFTER_MAIN = 8


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
