"""Following up with JavaScript: the case is opened, read and answered in the browser."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from crypto import RecordKind, ReportKey, decrypt_attachment, open_record, seal_record
from reporting.accounts.enrolment import create_user
from reporting.core.blobstore import FilesystemBlobStore
from reporting.core.models import Author, Message, PartKind, Report, ReportPart, Role
from tests.browser.public.helpers import (
    canary_file,
    fill_values,
    new_canary,
    open_as_intake,
    submit_and_wait_for_receipt,
)

pytestmark = pytest.mark.browser


def file_report(tab, path, values, button, attachment=None) -> str:
    tab.goto(path)
    fill_values(tab.page, values)
    if attachment is not None:
        tab.page.set_input_files("#attachments", str(attachment))
    return submit_and_wait_for_receipt(tab.page, button)


def the_report(session, intake_key) -> tuple[Report, ReportKey]:
    report = session.scalars(select(Report)).one()
    key, _ = open_as_intake(report, intake_key)
    return report, key


def open_case(tab, receipt: str) -> None:
    tab.goto("/followup")
    tab.page.fill("#receipt", receipt)
    tab.page.get_by_role("button", name="Open my report").click()
    tab.page.locator("[data-case-view]").wait_for()


def test_reporter_reads_a_reply_and_answers_it(
    public_browser, intake_key, app, settings, tmp_path_factory
):
    files = tmp_path_factory.mktemp("reporter")
    evidence = canary_file(files, "EVIDENCE", size=150_000)
    tab = public_browser.new_page()
    receipt = file_report(
        tab, "/tip", {"what_happened": "A lathe went east."}, "Send the report", evidence
    )

    # An investigator replies, through the crypto API, as the console will.
    with app.extensions["vigil"].session_factory() as session:
        report, key = the_report(session, intake_key)
        user = create_user(
            session,
            username="inv",
            display_name="Investigator",
            role=Role.INVESTIGATOR,
            cost=settings.password_cost,
        )
        question = "Which port did it leave from?"
        session.add(
            Message(
                report_id=report.id,
                author_kind=Author.INVESTIGATOR,
                author_user_id=user.user_id,
                kind="message",
                ciphertext=seal_record(
                    key,
                    RecordKind.MESSAGE,
                    {"format": 1, "author": "investigator", "text": question},
                ),
            )
        )
        session.commit()
        reference = report.public_reference

    # The reporter comes back with the receipt, typed in lower case with spaces.
    reader = public_browser.new_page()
    page = reader.page
    open_case(reader, receipt.lower().replace("-", " "))
    view = page.locator("[data-case-view]")
    assert view.locator("h1").text_content() == f"Your report {reference}"
    assert "Received, waiting to be read" in view.locator(".case-facts").text_content()
    assert "A lathe went east." in view.locator(".report-body").text_content()
    reply = view.locator("article.message.investigator")
    assert question in reply.text_content()
    assert "An investigator wrote" in reply.text_content()

    # Each file is listed as it was sent, its name and its own size (not the
    # ciphertext's), before anything is downloaded.
    page.wait_for_function(
        "(name) => document.querySelector('.attachment-name')?.textContent.startsWith(name)",
        arg=evidence.name,
    )
    assert view.locator(".attachment-name").first.text_content() == f"{evidence.name} (146 KiB)"
    # The first submission's file, decrypted in the browser under its own name.
    with page.expect_download() as download:
        view.locator(".attachment").first.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == evidence.name
    assert download.value.path().read_bytes() == evidence.read_bytes()

    # The answer, with a file, sealed in the browser.
    canary = new_canary()
    answer = f"From Hamburg, on 3 March. {canary}"
    page.fill("#text", answer)
    page.set_input_files("#message-form-attachments", str(canary_file(files, canary, 5000)))
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Your message was sent.").wait_for()
    assert answer in view.locator("article.message.reporter").text_content()
    assert not [r.url for r in reader.requests if canary.encode() in r.body or canary in r.url]

    with app.extensions["vigil"].session_factory() as session:
        mine = session.scalars(select(Message).where(Message.author_kind == Author.REPORTER)).one()
        assert mine.kind.value == "message"
        assert open_record(key, RecordKind.MESSAGE, mine.ciphertext) == {
            "format": 1,
            "author": "reporter",
            "text": answer,
        }
        (attached,) = [a for a in report_attachments(session) if a.message_id == mine.id]
        sink = io.BytesIO()
        store = FilesystemBlobStore(settings.blob_dir)
        with store.open_reader(attached.blob_key) as source:
            info = decrypt_attachment(key, source, sink)
        assert info.name == f"{canary}-evidence.txt"
        # Opening the case marked the investigator's message read.
        theirs = session.scalars(
            select(Message).where(Message.author_kind == Author.INVESTIGATOR)
        ).one()
        assert theirs.read_by_reporter is True

    # Closing the case forgets it and gives the receipt form back.
    page.get_by_role("button", name="Close this report").click()
    assert page.locator("[data-case-view]").count() == 0
    assert page.locator("#receipt").input_value() == ""


def report_attachments(session):
    report = session.scalars(select(Report)).one()
    return report.attachments


def test_a_wrong_receipt_gets_the_not_found_message(public_browser, intake_key):
    tab = public_browser.new_page()
    page = tab.page
    tab.goto("/followup")
    # Well formed, but nobody's.
    page.fill("#receipt", "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC")
    page.get_by_role("button", name="Open my report").click()
    error = page.locator("#receipt-js-error")
    error.wait_for()
    assert "No case matches this receipt" in error.text_content()
    assert page.locator("#receipt").get_attribute("aria-invalid") == "true"
    assert "receipt-js-error" in page.locator("#receipt").get_attribute("aria-describedby")
    assert page.locator("[data-case-view]").count() == 0
    # Only the lookup token went out, never the receipt.
    (lookup,) = [r for r in tab.requests if r.url.endswith("/api/case")]
    assert b"7KQ2" not in lookup.body
    assert re.fullmatch(rb'\{"lookup_token":"[A-Za-z0-9+/]{43}="\}', lookup.body)

    # Malformed: refused in the browser, nothing sent.
    page.fill("#receipt", "7KQ2-M9XD-T4RA")
    page.get_by_role("button", name="Open my report").click()
    page.get_by_text("This is not a receipt").wait_for()
    assert len([r for r in tab.requests if r.url.endswith("/api/case")]) == 1


def test_an_expired_form_says_so(public_browser, intake_key):
    tab = public_browser.new_page()
    page = tab.page
    tab.goto("/followup")
    page.evaluate("() => { document.querySelector('[name=csrf_token]').value = 'expired'; }")
    page.fill("#receipt", "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC")
    page.get_by_role("button", name="Open my report").click()
    alert = page.locator("#followup-form .js-alert")
    alert.wait_for()
    assert "reload the page" in alert.text_content()


DISCLOSURE = {
    "company": "Example Machine Tools GmbH",
    "contact_name": "Erika Mustermann",
    "contact_email": "export@example.org",
    "violation": "Two shipments without the required licence.",
    "certified": "true",
}


def test_a_disclosure_files_its_full_narrative_on_the_same_case(public_browser, intake_key, app):
    tab = public_browser.new_page()
    receipt = file_report(tab, "/disclosure", DISCLOSURE, "Send the notification")
    open_case(tab, receipt)
    page = tab.page
    view = page.locator("[data-case-view]")
    assert "Full narrative due" in view.locator(".case-facts").text_content()

    # Certification is required: the box must be ticked.
    page.select_option("#stage", "full_narrative")
    page.fill("#narrative", "The full story.\nSecond paragraph.")
    page.get_by_role("button", name="File this stage").click()
    assert page.locator("#certified").get_attribute("aria-invalid") == "true"
    page.check("#certified")
    page.get_by_role("button", name="File this stage").click()
    page.get_by_text("This stage of your disclosure was received.").wait_for()
    assert "Full narrative" in view.locator("article.part h3").text_content()
    assert "Second paragraph." in view.locator("article.part").text_content()
    # One narrative per case: only a supplement can follow, and nothing is due any more.
    assert page.locator("#stage option").all_text_contents() == ["Supplement"]
    assert "Full narrative due" not in view.locator(".case-facts").text_content()

    with app.extensions["vigil"].session_factory() as session:
        _, key = the_report(session, intake_key)
        (part,) = session.scalars(select(ReportPart)).all()
        assert part.kind is PartKind.NARRATIVE
        assert part.server_saw_plaintext is False
        assert open_record(key, RecordKind.BODY, part.body) == {
            "form": "disclosure",
            "format": 1,
            "narrative": "The full story.\r\nSecond paragraph.",
            "certified": True,
            "stage": "full_narrative",
        }
