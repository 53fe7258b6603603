"""The tip form with JavaScript: everything is encrypted before it leaves the browser."""

from __future__ import annotations

import logging
import re

import pytest

from tests.browser.public.helpers import (
    RECEIPT_PATTERN,
    canary_file,
    decrypt_stored,
    fill_every_field,
    files_containing,
    new_canary,
    open_as_intake,
    stored_reports,
)

pytestmark = pytest.mark.browser


def test_canary_never_leaves_the_browser_in_plaintext(
    public_browser, intake_key, app, settings, tmp_path, tmp_path_factory, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    canary = new_canary()
    reporter_files = tmp_path_factory.mktemp("reporter")
    attachment = canary_file(reporter_files, canary)

    tab = public_browser.new_page()
    page = tab.page
    tab.goto("/tip")
    # The script has taken the form over: the no-JS notice is gone.
    assert page.locator("#nojs-notice").is_hidden()
    # A second party and a second item, added the way a reporter would.
    page.get_by_role("button", name=re.compile("Add another party", re.I)).click()
    page.get_by_role("button", name=re.compile("Add another item", re.I)).click()
    filled = fill_every_field(page, "#report-form", canary)
    page.set_input_files("#attachments", str(attachment))
    page.get_by_role("button", name="Send the report").click()

    panel = page.locator("[data-receipt-panel]")
    panel.wait_for(timeout=60_000)
    receipt = panel.locator("[data-receipt]").get_attribute("data-receipt")
    assert receipt and re.match(RECEIPT_PATTERN, receipt)

    # 1. Nothing that left the browser holds the canary.
    needle = canary.encode()
    assert tab.requests, "no request was recorded"
    leaked = [f"{r.method} {r.url}" for r in tab.requests if needle in r.body or canary in r.url]
    assert not leaked, f"canary sent in plaintext: {leaked}"
    uploads = [r for r in tab.requests if re.search(r"/api/uploads/[0-9a-f]+\?offset=", r.url)]
    assert uploads and sum(len(r.body) for r in uploads) > attachment.stat().st_size
    # The receipt is never sent either, in any form.
    assert not [r for r in tab.requests if receipt.encode() in r.body or receipt in r.url]

    # 2. No file the server wrote (database, WAL, blobs, pending uploads), and no log.
    for suffix in ("", "-wal"):
        database = tmp_path / f"vigil.sqlite3{suffix}"
        if suffix == "":
            assert database.is_file()
    assert files_containing(tmp_path, [needle, canary.lower().encode()]) == {}
    assert canary not in caplog.text
    out, err = capfd.readouterr()
    assert canary not in out and canary not in err

    # 3. The intake key opens the report and the file, intact.
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        assert report.server_saw_plaintext is False
        key, body = open_as_intake(report, intake_key)
        assert body["form"] == "tip" and body["format"] == 1
        assert body["what_happened"] == filled["what_happened"]
        assert len(body["parties"]) == 2 and len(body["goods"]) == 2
        assert body["parties"][1]["name"] == filled["parties-1-name"]
        assert body["conflicts"] == [filled["conflicts"]]
        (stored,) = report.attachments
        info, data = decrypt_stored(key, stored, settings.blob_dir)
    assert info.name == attachment.name
    assert info.content_type == "text/plain"
    assert data == attachment.read_bytes()
    tab.assert_clean()
