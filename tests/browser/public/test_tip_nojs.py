"""The tip form with JavaScript off (Tor Browser at "Safest"): it works, and nothing is left."""

from __future__ import annotations

import logging
import re

import pytest

from tests.browser.public.helpers import (
    RECEIPT_PATTERN,
    canary_file,
    decrypt_stored,
    files_containing,
    fill_every_field,
    new_canary,
    open_as_intake,
    stored_reports,
    submit_and_wait_for_receipt,
)

pytestmark = pytest.mark.browser


def test_without_javascript_the_canary_reaches_no_disk_and_no_log(
    public_browser, intake_key, app, settings, tmp_path, tmp_path_factory, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    canary = new_canary()
    attachment = canary_file(tmp_path_factory.mktemp("reporter"), canary, size=1_500_000)

    tab = public_browser.new_page(javascript=False)
    page = tab.page
    tab.goto("/tip")
    # Before sending, the page says that the server will see the text.
    assert page.locator("#nojs-notice").is_visible()
    assert page.locator("script[src$='vigil-public.js']").count() == 1  # loaded, not run
    filled = fill_every_field(page, "#report-form", canary)
    page.set_input_files("#attachments", str(attachment))
    receipt = submit_and_wait_for_receipt(page, "Send the report", javascript=False)
    assert re.match(RECEIPT_PATTERN, receipt)
    # Without a script the form went the plain way, not through the JSON API.
    posts = [r.url for r in tab.requests if r.method == "POST"]
    assert posts == [tab.base_url + "/tip"]

    # Nothing on disk (database and WAL, blobs, pending uploads and their
    # spools) and nothing in a log holds the canary.
    needles = [canary.encode(), canary.lower().encode()]
    assert files_containing(tmp_path, needles) == {}
    assert canary not in caplog.text
    out, err = capfd.readouterr()
    assert canary not in out
    assert canary not in err

    # The server sealed it to the intake key the moment it arrived, and says so.
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        assert report.server_saw_plaintext is True
        key, body = open_as_intake(report, intake_key)
        (stored,) = report.attachments
        info, data = decrypt_stored(key, stored, settings.blob_dir)
    assert body["what_happened"] == filled["what_happened"]
    # Three rows were rendered for each group, and all were filled.
    assert [p["name"] for p in body["parties"]] == [filled[f"parties-{i}-name"] for i in range(3)]
    assert body["goods"][2]["value"] == filled["goods-2-value"]
    assert body["conflicts"] == [filled["conflicts"]]
    assert info.name == attachment.name
    assert data == attachment.read_bytes()


def test_reload_and_back_never_send_the_report_again_nor_show_it(public_browser, intake_key, app):
    """Post/Redirect/Get: the receipt page reloads as itself; Back finds an empty form."""
    tab = public_browser.new_page(javascript=False)
    page = tab.page
    tab.goto("/tip")
    page.fill("#what_happened", "Valves relabelled as plumbing parts, via Dubai.")
    receipt = submit_and_wait_for_receipt(page, "Send the report", javascript=False)
    assert page.url == tab.base_url + "/receipt"
    page.reload()
    assert page.locator("#receipt").text_content() == receipt
    page.go_back()
    page.wait_for_load_state()
    assert page.url == tab.base_url + "/tip"
    assert page.locator("#what_happened").input_value() == ""
    page.go_forward()
    page.wait_for_load_state()
    assert page.locator("#receipt").text_content() == receipt
    with app.extensions["vigil"].session_factory() as session:
        assert len(stored_reports(session)) == 1
    # Once saved, the receipt is gone from this browser.
    page.get_by_role("button", name="I have saved my receipt").click()
    page.wait_for_url(tab.base_url + "/")
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("#receipt").count() == 0
    assert receipt not in page.content()
    posts = [r.url for r in tab.requests if r.method == "POST"]
    assert posts == [tab.base_url + "/tip", tab.base_url + "/receipt"]
