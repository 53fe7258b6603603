"""Keyboard alone: a reporter files a tip and keeps the receipt, with JavaScript or without."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.public.helpers import stored_reports

pytestmark = pytest.mark.browser

# The tip form has many fields; a few hundred presses is more than enough to cross it.
MOST_TABS = 300


def focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))


def tab_to(page: Any, matches: str) -> None:
    """Press Tab until the focused element matches the CSS selector `matches`."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", matches):
            return
    raise AssertionError(f"Tab never reached {matches}; the focus is on {focused(page)}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_tip_is_filed_and_its_receipt_kept_with_the_keyboard_alone(
    public_browser: Any, intake_key: object, app: Any, javascript: bool
) -> None:
    tab = public_browser.new_page(javascript=javascript)
    page = tab.page
    tab.goto("/")
    # The first Tab reaches the skip link; the language picker follows it.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    tab_to(page, "a[hreflang='de']")
    tab_to(page, "main a[href*='/tip']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tip*")

    tab_to(page, "#what_happened")
    page.keyboard.type("Valves relabelled as plumbing parts, shipped via Dubai.")
    tab_to(page, "#report-form [type=submit]")
    page.keyboard.press("Enter")

    if javascript:
        page.locator("[data-receipt-panel]").wait_for(timeout=60_000)
        tab_to(page, "#receipt-saved")
        page.keyboard.press("Space")
        assert page.locator("#receipt-saved").is_checked()
        tab_to(page, "[data-receipt-panel] a.button")
        page.keyboard.press("Enter")
    else:
        page.wait_for_url("**/receipt*")
        tab_to(page, "form.receipt-saved button")
        page.keyboard.press("Enter")
    page.wait_for_url(tab.base_url + "/")
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
    assert report.public_reference
