"""The case page at 1366x768, in Chromium: the summary and the status always in reach,
tables readable, and a refused form lands the page on its problem."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.accounts.enrolment import Enrolment
from reporting.core.models import ReportStatus
from reporting.pipeline.screening_lists import store_list
from tests.browser.conftest import PublicBrowser
from tests.browser.console.support import sign_in, visit
from tests.browser.public.test_accessibility import REFUSED_LOG
from tests.console.conftest import ConsoleInstance, export_control_tip
from tests.console.test_case_actions import set_status
from tests.console.test_case_rescreen import PARTY, denied_parties

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


# How many lines each cell's text takes (one box per line of an inline range).
LINES = """(selector) => [...document.querySelectorAll(selector)].map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
})"""


def _expect_refusal_logged(tab: Any) -> None:
    """A refused form answers 4xx, which Chromium logs: that is the page working, not a fault."""
    errors = tab.problems.console_errors
    assert any(message.startswith(REFUSED_LOG) for message in errors)
    errors[:] = [message for message in errors if not message.startswith(REFUSED_LOG)]


def _in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    if box is None:
        return False
    return box["y"] >= 0 and box["y"] + min(box["height"], 40) <= LAPTOP["height"]


def test_the_case_page_keeps_the_summary_and_status_in_reach_at_1366x768(
    public_browser: PublicBrowser,
    people: dict[str, Enrolment],
    app: Any,
    settings: Any,
    intake_key: Any,
) -> None:
    console = ConsoleInstance(app, settings, intake_key)
    with console.session_factory() as session:
        store_list(session, denied_parties("v1", PARTY))
    filed = console.file_report(export_control_tip())
    console.triage()
    set_status(console, filed, ReportStatus.INVESTIGATING, None)
    tab = public_browser.new_page(viewport=LAPTOP)
    sign_in(tab, people["sam"])  # the hit routed the case to sanctions
    visit(tab, f"/console/cases/{filed.reference}")
    page = tab.page

    # The screening table is readable: no column squeezed to a word per line.
    assert page.evaluate(LINES, "table.hits th") == [1] * 6
    assert PARTY in page.locator("table.hits").inner_text()
    assert page.evaluate(LINES, "table.hits td:nth-child(3)") == [1]

    # At the far end of the case, the summary and the status form are still on screen.
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 0
    assert _in_view(page, "#summary-heading")
    assert _in_view(page, "#action-status")
    # The sections are a click away.
    page.locator(".case-sections").get_by_role("link", name="Messages and notes").click()
    assert _in_view(page, "#thread-heading")

    # An empty reply: the page comes back on the reply field, with the problem beside it.
    page.locator("#reply-form").get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    _expect_refusal_logged(tab)
    assert page.evaluate("() => document.activeElement.id") == "reply-text"
    assert _in_view(page, "#reply-text")
    assert page.locator("#reply-text-error").inner_text() == "Write the reply first."

    # Closing without an outcome: the refusal at the top of the status form,
    # in view, and the words for the reporter still there.
    page.get_by_label("New status").select_option("closed")
    page.get_by_label("What the reporter is told (optional)").fill("Thank you for the report.")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_load_state()
    _expect_refusal_logged(tab)
    problem = page.locator(".case-status .form-problem")
    assert problem.inner_text() == "Choose an outcome to close the case."
    assert page.evaluate("() => document.activeElement.classList.contains('form-problem')")
    assert _in_view(page, ".case-status .form-problem")
    assert page.get_by_label("What the reporter is told (optional)").input_value() == (
        "Thank you for the report."
    )
