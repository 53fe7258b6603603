"""The case list in Chromium: the keyboard reaches the first case in a few presses, and
the rows speak in words, not codes."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.accounts.enrolment import Enrolment
from tests.browser.conftest import PublicBrowser
from tests.browser.console.support import sign_in, visit
from tests.console.conftest import ConsoleInstance, export_control_tip

pytestmark = pytest.mark.browser


def test_the_first_case_is_a_few_presses_past_the_skip_link(
    public_browser: PublicBrowser,
    people: dict[str, Enrolment],
    app: Any,
    settings: Any,
    intake_key: Any,
) -> None:
    console = ConsoleInstance(app, settings, intake_key)
    filed = [console.file_report(export_control_tip()) for _ in range(2)]
    console.triage()
    tab = public_browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(tab, people["erin"])
    visit(tab, "/console/cases")
    page = tab.page

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    presses = 0
    while presses < 10 and not page.evaluate(
        "() => document.activeElement.classList.contains('reference')"
    ):
        page.keyboard.press("Tab")
        presses += 1
    # The folded filters, the four sortable column headers, then the first case.
    assert presses <= 6, presses
    assert page.evaluate("() => document.activeElement.textContent") in {
        case.reference for case in filed
    }

    # Words, not codes: the intake, the categories, the status.
    row = page.locator("tr.case-row").first.inner_text()
    assert "Tip" in row
    assert "Export control" in row
    assert "export_control" not in row
    assert "New" in row

    # Filtering opens the folded filters, with the labels of the vocabularies.
    visit(tab, "/console/cases?category=end_use")
    assert page.locator("details.case-filters-panel").get_attribute("open") is not None
    assert page.locator("#filter-category option:checked").inner_text() == "End use and end user"
