"""A company saves the signed filing confirmation of each stage, with JavaScript and without."""

from __future__ import annotations

import pytest

from reporting.intake.confirmations import read_confirmation
from tests.browser.public.helpers import fill_values, submit_and_wait_for_receipt
from tests.browser.public.test_followup_js import DISCLOSURE

pytestmark = pytest.mark.browser


def _saved(page, trigger):
    with page.expect_download() as download:
        trigger.click()
    return download.value.suggested_filename, download.value.path().read_bytes()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_each_stage_filed_gives_a_confirmation_that_verifies(
    public_browser, intake_key, settings, javascript
):
    trusted = settings.resolved_filing_key().verify_key
    tab = public_browser.new_page(javascript=javascript)
    page = tab.page
    tab.goto("/disclosure")
    fill_values(page, DISCLOSURE)
    receipt = submit_and_wait_for_receipt(page, "Send the notification", javascript=javascript)
    # The receipt's advice is for a company, not for a reporter hiding from one.
    shown = page.locator("main").inner_text()
    assert "Keep it with the records of this disclosure" in shown
    assert "work computer" not in shown
    assert trusted.fingerprint in shown

    name, saved = _saved(page, page.get_by_role(
        "button" if javascript else "link", name="Download the filing confirmation"
    ))  # fmt: skip
    first = read_confirmation(saved, trusted)
    assert first.stage == "initial_notification"
    assert name == f"{first.reference}-initial-notification-confirmation.json"

    # Back with the receipt (the case view is built in place with JavaScript).
    if javascript:
        page.get_by_label("I have saved my receipt").check()
    else:
        page.get_by_role("button", name="I have saved my receipt").click()
    tab.goto("/followup")
    page.fill("#receipt", receipt)
    page.get_by_role("button", name="Open my report").click()
    page.select_option("#stage", "full_narrative")
    page.fill("#narrative", "The full story.")
    page.check("#certified")
    page.get_by_role("button", name="File this stage").click()
    page.get_by_text("This stage of your disclosure was received.").wait_for()
    trigger = page.locator("article.part").get_by_role(
        "button" if javascript else "link", name="Filing confirmation of this stage"
    )
    _, later = _saved(page, trigger)
    narrative = read_confirmation(later, trusted)
    assert narrative.stage == "full_narrative"
    assert narrative.reference == first.reference
    assert narrative.sha256 != first.sha256
