"""The report forms with JavaScript: everything is encrypted before it leaves the browser."""

from __future__ import annotations

import json
import logging
import re

import pytest

from tests.browser.public.helpers import (
    RECEIPT_PATTERN,
    canary_file,
    decrypt_stored,
    files_containing,
    fill_every_field,
    fill_values,
    new_canary,
    open_as_intake,
    stored_reports,
    submit_and_wait_for_receipt,
)

pytestmark = pytest.mark.browser


def test_canary_never_leaves_the_browser_in_plaintext(
    public_browser, intake_key, app, settings, tmp_path, tmp_path_factory, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    canary = new_canary()
    attachment = canary_file(tmp_path_factory.mktemp("reporter"), canary)

    tab = public_browser.new_page()
    page = tab.page
    tab.goto("/tip")
    # The script has taken the form over: the notice that the server sees the text is gone.
    assert page.locator("#nojs-notice").is_hidden()
    # A second party and a second item, added the way a reporter would.
    page.get_by_role("button", name="Add another party").click()
    page.get_by_role("button", name="Add another item").click()
    filled = fill_every_field(page, "#report-form", canary)
    page.set_input_files("#attachments", str(attachment))
    receipt = submit_and_wait_for_receipt(page, "Send the report")

    # 1. Nothing that left the browser holds the canary, or the receipt.
    needle = canary.encode()
    leaked = [f"{r.method} {r.url}" for r in tab.requests if needle in r.body or canary in r.url]
    assert not leaked, f"canary sent in plaintext: {leaked}"
    assert not [r.url for r in tab.requests if receipt.encode() in r.body or receipt in r.url]
    # ... and the capture saw every byte that was sent: the JSON bodies whole,
    # the upload parts adding up to the stored ciphertext.
    posts = [r for r in tab.requests if r.method == "POST"]
    for request in posts:
        if "/api/uploads/" not in request.url:
            json.loads(request.body)
    parts = [r for r in posts if re.search(r"/api/uploads/[0-9a-f]{32}\?offset=", r.url)]
    assert parts

    # 2. No file the server wrote (database and WAL, blobs, pending uploads),
    # and no log, holds it.
    assert (tmp_path / "vigil.sqlite3").is_file()
    assert files_containing(tmp_path, [needle, canary.lower().encode()]) == {}
    assert canary not in caplog.text
    out, err = capfd.readouterr()
    assert canary not in out
    assert canary not in err

    # 3. The intake key (the triage worker's) opens the report and the file, intact.
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        assert report.server_saw_plaintext is False
        key, body = open_as_intake(report, intake_key)
        (stored,) = report.attachments
        info, data = decrypt_stored(key, stored, settings.blob_dir)
        assert sum(len(r.body) for r in parts) == stored.ciphertext_size
    assert body["form"] == "tip"
    assert body["format"] == 1
    assert body["what_happened"] == filled["what_happened"]
    assert len(body["parties"]) == 2
    assert len(body["goods"]) == 2
    assert body["parties"][1] == {
        "name": filled["parties-1-name"],
        "country": filled["parties-1-country"],
        "role": filled["parties-1-role"],
    }
    assert body["goods"][0]["code"] == filled["goods-0-code"]
    assert body["conflicts"] == [filled["conflicts"]]
    for name in ("route", "dates", "payment", "how_known"):
        assert body[name] == filled[name]
    assert info.name == attachment.name
    assert info.content_type == "text/plain"
    assert data == attachment.read_bytes()


TIP = {
    "what_happened": "  A lathe went east via a free-trade zone.  ",
    "goods-0-description": "5-axis CNC machine",
    "goods-0-code": "8457.10",
    "goods-0-quantity": "2",
    "goods-0-value": "EUR 410,000",
    "parties-0-name": "Acme Trading FZE",
    "parties-0-country": "AE",
    "parties-0-role": "consignee",
    "parties-1-name": "",
    "parties-1-country": "",
    "parties-1-role": "end_user",
    "route": "Hamburg → Jebel Ali → Bandar Abbas",
    "dates": "March 2024",
    "payment": "Letter of credit from a third-country bank",
    "how_known": "I handled the shipping documents",
    "conflicts": "J. Smith\n\n  A. N. Other \n",
}
DISCLOSURE = {
    "company": "Example Machine Tools GmbH",
    "company_address": "Industriestraße 1\n12345 Musterstadt",
    "contact_name": "Erika Mustermann",
    "contact_role": "Head of export control",
    "contact_email": "export@example.org",
    "contact_phone": "+49 30 1234567",
    "violation": "Two shipments without the required licence.",
    "items-0-description": "Frequency changer",
    "items-0-eccn": "3A225",
    "items-0-hs_code": "8504.40",
    "items-0-quantity": "4",
    "items-0-value": "EUR 80,000",
    "licences": "DE-123\nDE-456",
    "parties-0-name": "Nova Trade LLC",
    "parties-0-address": "Dubai",
    "parties-0-country": "AE",
    "parties-0-role": "intermediary",
    "dates": "2023-2024",
    "corrective_actions": "Screening software, training",
    "conflicts": "",
    "certified": "true",
}


@pytest.mark.parametrize(
    ("path", "values", "button"),
    [
        ("/tip", TIP, "Send the report"),
        ("/disclosure", DISCLOSURE, "Send the notification"),
    ],
    ids=["tip", "disclosure"],
)
def test_the_script_builds_the_body_the_server_builds(
    public_browser, intake_key, app, path, values, button
):
    """The same answers, with and without JavaScript, give the same report body."""
    for javascript in (True, False):
        tab = public_browser.new_page(javascript=javascript)
        tab.goto(path)
        if javascript and "parties-1-name" in values:
            tab.page.get_by_role("button", name="Add another party").click()
        fill_values(tab.page, values)
        receipt = submit_and_wait_for_receipt(tab.page, button, javascript=javascript)
        assert re.match(RECEIPT_PATTERN, receipt)
    with app.extensions["vigil"].session_factory() as session:
        with_script, without = stored_reports(session)
        assert with_script.server_saw_plaintext is False
        assert without.server_saw_plaintext is True
        _, body_js = open_as_intake(with_script, intake_key)
        _, body_server = open_as_intake(without, intake_key)
    assert body_js == body_server
    assert list(body_js) == list(body_server)  # the same members in the same order


def test_the_receipt_panel_asks_the_reporter_to_keep_the_receipt(public_browser, intake_key):
    tab = public_browser.new_page()
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.goto("/tip")
    page.fill("#what_happened", "Dual-use pumps relabelled as agricultural equipment.")
    receipt = submit_and_wait_for_receipt(page, "Send the report")

    panel = page.locator("[data-receipt-panel]")
    # Focus moved to the panel's heading, so a screen reader starts there.
    assert page.evaluate("() => document.activeElement.id") == "receipt-title"
    assert panel.locator(".receipt-group").all_text_contents() == receipt.split("-")
    assert panel.get_by_text("the only way back to your report").is_visible()
    # The form is gone, and so is the page's invitation to fill it in.
    assert page.locator("#report-form").count() == 0
    assert page.locator(".lead").is_hidden()

    panel.get_by_role("button", name="Copy receipt").click()
    page.get_by_text("Receipt copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == receipt

    # Leaving before confirming asks first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()

    finish = panel.get_by_role("link", name="Finish")
    assert finish.get_attribute("aria-disabled") == "true"
    finish.click(force=True)  # Playwright would wait: to it, aria-disabled means disabled
    assert page.url.endswith("/tip")  # not followed
    assert page.evaluate("() => document.activeElement.id") == "receipt-saved"
    panel.get_by_label("I have saved my receipt").check()
    assert finish.get_attribute("aria-disabled") is None
    finish.click()
    page.wait_for_url(tab.base_url + "/")
    assert dialogs == ["beforeunload"]  # no second question


def test_without_webcrypto_the_proof_of_work_runs_in_the_script(public_browser, intake_key, app):
    """Where the page offers no WebCrypto (not a secure context), the script computes PBKDF2."""
    tab = public_browser.new_page()
    page = tab.page
    page.add_init_script(
        "Object.defineProperty(globalThis.crypto, 'subtle', { get: () => undefined })"
    )
    tab.goto("/tip")
    assert page.evaluate("() => globalThis.crypto.subtle") is None
    page.fill("#what_happened", "Solved without WebCrypto.")
    submit_and_wait_for_receipt(page, "Send the report")
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        _, body = open_as_intake(report, intake_key)
    assert body["what_happened"] == "Solved without WebCrypto."


def test_rows_can_be_added_and_removed_and_stay_numbered(public_browser, intake_key, app):
    tab = public_browser.new_page()
    page = tab.page
    tab.goto("/tip")
    parties = page.locator("#parties [data-repeat-row]")
    # The blank rows rendered for browsers without scripts are folded into one.
    assert parties.count() == 1
    add = page.get_by_role("button", name="Add another party")
    add.click()
    add.click()
    assert parties.count() == 3
    # Focus went to the new row's first field.
    assert page.evaluate("() => document.activeElement.name") == "parties-2-name"
    page.fill("#parties-0-name", "First")
    page.fill("#parties-1-name", "Second")
    page.fill("#parties-2-name", "Third")
    page.get_by_role("button", name="Remove Party 2").click()
    assert parties.count() == 2
    assert [parties.nth(i).locator("legend").text_content().split() for i in range(2)] == [
        ["Party", "1"],
        ["Party", "2"],
    ]
    # Names, ids and labels follow: the third row is now parties-1.
    assert page.input_value("#parties-1-name") == "Third"
    assert page.get_by_label("Name").nth(1).input_value() == "Third"
    assert page.locator("#parties-2-name").count() == 0
    page.get_by_role("button", name="Remove Party 2").click()
    # The last row stays: there is nothing to remove.
    assert page.get_by_role("button", name="Remove Party 1").is_hidden()

    page.fill("#what_happened", "Rows.")
    submit_and_wait_for_receipt(page, "Send the report")
    with app.extensions["vigil"].session_factory() as session:
        (report,) = stored_reports(session)
        _, body = open_as_intake(report, intake_key)
    assert [p["name"] for p in body["parties"]] == ["First"]
    assert body["goods"] == []


def test_the_proof_of_work_shows_how_long_it_usually_takes_here(public_browser, intake_key):
    """Progress and an honest estimate: the usual time, measured on this device."""
    tab = public_browser.new_page()
    page = tab.page

    # A challenge far harder than the server's, so that the search is still running.
    def harder(route):
        response = route.fetch()
        body = {**response.json(), "difficulty": 24, "iterations": 1}
        route.fulfill(response=response, json=body)

    page.route("**/api/challenge", harder)
    tab.goto("/tip")
    page.fill("#what_happened", "A lathe went east.")
    page.get_by_role("button", name="Send the report").click()
    estimate = page.locator(".js-pow-estimate")
    page.wait_for_function(
        "() => /usually takes about \\d+ s/.test("
        "document.querySelector('.js-pow-estimate')?.textContent || '')",
        timeout=20_000,
    )
    seconds = int(re.search(r"about (\d+) s", estimate.text_content() or "").group(1))
    # 2^24 tries of about a tenth of a millisecond each or more: many minutes.
    assert seconds > 60
    assert 0 < float(page.locator(".js-progress progress").evaluate("(bar) => bar.value")) < 0.1
