"""The scripts take the server's limits from the page: none is written into them.

The pages render each limit from the Python constant (reporting/public/forms.py);
these tests check that it arrives, and that the script obeys the page: a limit
changed on the page changes what the script does.
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import parse_qs, urlparse

import pytest

from reporting.intake.pow import CHALLENGE_LIFETIME
from reporting.intake.uploads import MAX_PART_BYTES
from reporting.public.forms import EMAIL_PATTERN, LONG, MAX_CONFLICT_LINES, NARRATIVE
from reporting.web.downloads import MAX_FILENAME
from tests.browser.public.helpers import submit_and_wait_for_receipt
from tests.browser.public.test_followup_js import DISCLOSURE, file_report, open_case

pytestmark = pytest.mark.browser

MIB = 1024 * 1024


def names(count: int) -> str:
    return "\n".join(f"Person {n}" for n in range(1, count + 1))


def test_a_report_form_checks_the_line_limit_the_page_gives(public_browser, intake_key):
    tab = public_browser.new_page()
    tab.goto("/tip")
    page = tab.page
    conflicts = page.locator("#conflicts")
    assert conflicts.get_attribute("data-max-lines") == str(MAX_CONFLICT_LINES)
    page.fill("#what_happened", "A lathe went east.")
    page.fill("#conflicts", names(MAX_CONFLICT_LINES + 1))
    page.get_by_role("button", name="Send the report").click()
    error = page.locator("#conflicts-js-error")
    assert error.text_content() == f"Give at most {MAX_CONFLICT_LINES}, one per line."

    # A smaller limit on the page is the one the script checks.
    conflicts.evaluate("(node) => { node.dataset.maxLines = '2'; }")
    page.fill("#conflicts", names(3))
    page.get_by_role("button", name="Send the report").click()
    assert error.text_content() == "Give at most 2, one per line."
    page.fill("#conflicts", names(2))
    page.get_by_role("button", name="Send the report").click()
    page.locator("[data-receipt-panel]").wait_for()


def test_a_disclosure_checks_the_email_pattern_the_page_gives(public_browser, intake_key):
    tab = public_browser.new_page()
    tab.goto("/disclosure")
    page = tab.page
    email = page.locator("#contact_email")
    assert email.get_attribute("data-email-pattern") == EMAIL_PATTERN
    page.fill("#contact_email", "export at example.org")
    page.get_by_role("button", name="Send the notification").click()
    error = page.locator("#contact_email-js-error")
    invalid = "Enter an e-mail address like name@example.org."
    assert error.text_content() == invalid

    # A stricter pattern on the page is the one the script checks.
    email.evaluate("(node) => { node.dataset.emailPattern = '^[a-z]+@example[.]org$'; }")
    page.fill("#contact_email", "export2@example.org")
    page.get_by_role("button", name="Send the notification").click()
    assert error.text_content() == invalid
    page.fill("#contact_email", "export@example.org")
    page.get_by_role("button", name="Send the notification").click()
    assert error.text_content() == ""


def test_a_challenge_older_than_the_page_allows_is_solved_again(public_browser, intake_key):
    challenges = []
    for lifetime in (int(CHALLENGE_LIFETIME.total_seconds()), 1):
        tab = public_browser.new_page()
        tab.goto("/tip")
        form = tab.page.locator("#report-form")
        assert form.get_attribute("data-pow-lifetime-seconds") == str(
            int(CHALLENGE_LIFETIME.total_seconds())
        )
        form.evaluate(f"(node) => {{ node.dataset.powLifetimeSeconds = '{lifetime}'; }}")
        tab.page.fill("#what_happened", "A lathe went east.")
        submit_and_wait_for_receipt(tab.page, "Send the report")
        challenges.append(len([r for r in tab.requests if r.url.endswith("/api/challenge")]))
    # Fresh for the server's lifetime; with one second, stale before it is used.
    assert challenges == [1, 2]


def test_the_case_view_takes_its_limits_from_the_page(public_browser, intake_key, tmp_path_factory):
    tab = public_browser.new_page()
    receipt = file_report(tab, "/disclosure", DISCLOSURE, "Send the notification")
    tab.goto("/followup")
    page = tab.page
    form = page.locator("#followup-form")
    assert form.get_attribute("data-max-message-length") == str(LONG)
    assert form.get_attribute("data-max-narrative-length") == str(NARRATIVE)
    assert form.get_attribute("data-max-part-bytes") == str(MAX_PART_BYTES)
    assert form.get_attribute("data-max-filename-length") == str(MAX_FILENAME)

    open_case(tab, receipt)
    assert page.locator("#text").get_attribute("maxlength") == str(LONG)
    assert page.locator("#narrative").get_attribute("maxlength") == str(NARRATIVE)

    # Parts of the size the page gives: 1 MiB here instead of the usual 4 MiB.
    page.get_by_role("button", name="Close this report").click()
    form.evaluate(f"(node) => {{ node.dataset.maxPartBytes = '{MIB}'; }}")
    page.fill("#receipt", receipt)
    page.get_by_role("button", name="Open my report").click()
    attachment = tmp_path_factory.mktemp("reporter") / "scan.bin"
    attachment.write_bytes(os.urandom(3 * MIB))
    page.fill("#text", "The scans.")
    page.set_input_files("#message-form-attachments", str(attachment))
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Your message was sent.").wait_for()
    offsets = [
        int(parse_qs(urlparse(r.url).query)["offset"][0])
        for r in tab.requests
        if "/api/uploads/" in r.url and "offset=" in r.url
    ]
    assert len(offsets) >= 4
    assert all(0 < later - earlier <= MIB for earlier, later in itertools.pairwise(offsets))
