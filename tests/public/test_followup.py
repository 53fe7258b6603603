"""Coming back with the receipt, without JavaScript: read replies, answer, add stages and files."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from crypto import RecordKind, open_record
from reporting.core.models import Author, Message, PartKind, Report, ReportPart
from tests.fixtures.app import csrf_token_from, shown_html
from tests.public.support import (
    NAMED_DOWNLOADS,
    Reporter,
    attachment_stream,
    investigator_reply,
    open_intake_wrap,
    receipt_from,
    seal_tip,
    storage_state,
)
from tests.storage.helpers import make_user


def file_nojs(client, path: str, data: dict[str, object]) -> str:
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    response = client.post(
        path, data={"csrf_token": token, **data}, content_type="multipart/form-data"
    )
    # Post/Redirect/Get: the receipt is shown by the page the form redirects to.
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200, page.get_data(as_text=True)
    return receipt_from(page.get_data(as_text=True))


def open_case(client, receipt: str):
    """The case page for `receipt`, reached as a browser does: the form, its redirect, the page."""
    token = csrf_token_from(client.get("/followup").get_data(as_text=True))
    return client.post(
        "/followup", data={"csrf_token": token, "receipt": receipt}, follow_redirects=True
    )


def test_a_reporter_reads_a_reply_and_answers_it(app, client, intake_key):
    receipt = file_nojs(
        client,
        "/tip",
        {
            "what_happened": "Valves relabelled as plumbing parts",
            "attachments": [(io.BytesIO(b"invoice"), "invoice.txt", "text/plain")],
        },
    )
    session = app.extensions["vigil"].session_factory()
    report = session.scalars(select(Report)).one()
    key = open_intake_wrap(report, intake_key)
    user = make_user(session)
    investigator_reply(session, report, key, user.id, "Which forwarder handled them?")

    # Typed in lower case with spaces: still the receipt.
    page = open_case(client, receipt.lower().replace("-", " "))
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert "Which forwarder handled them?" in html
    assert "Valves relabelled as plumbing parts" in html
    assert "invoice.txt" in html
    # The page does not carry the receipt: the browser holds it, sealed (reporting/public/held.py).
    assert receipt not in html
    assert receipt.lower().replace("-", " ") not in html
    assert page.headers["Cache-Control"] == "no-store"

    token = csrf_token_from(html)
    sent = client.post(
        "/followup/messages",
        data={
            "csrf_token": token,
            "text": "Blue Dolphin Logistics",
            "attachments": [(io.BytesIO(b"waybill"), "waybill.txt", "text/plain")],
        },
        content_type="multipart/form-data",
    )
    # Post/Redirect/Get: reloading the page that follows sends nothing again.
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/case")
    answer = client.get("/case")
    assert answer.status_code == 200
    assert "Your message was sent." in answer.get_data(as_text=True)
    assert "Blue Dolphin Logistics" in answer.get_data(as_text=True)
    again = client.get("/case")
    assert "Your message was sent." not in shown_html(again.get_data(as_text=True))  # said once

    session.expire_all()
    message = session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert message.author_kind is Author.REPORTER
    assert open_record(key, RecordKind.MESSAGE, message.ciphertext) == {
        "format": 1,
        "author": "reporter",
        "text": "Blue Dolphin Logistics",
    }
    assert [a.message_id for a in report.attachments if a.message_id] == [message.id]
    reply = session.scalars(select(Message).where(Message.author_kind == Author.INVESTIGATOR)).one()
    assert reply.read_by_reporter

    # The reporter downloads the investigator-visible file, decrypted by the server.
    attachment_id = next(a.id for a in report.attachments if a.message_id == message.id)
    download = client.get(f"/case/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.data == b"waybill"
    assert download.mimetype == "application/octet-stream"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"waybill.txt\"; filename*=UTF-8''waybill.txt"
    )
    session.close()


def test_wrong_and_malformed_receipts(app, client, intake_key):
    file_nojs(client, "/tip", {"what_happened": "x"})
    wrong = open_case(client, "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC")
    assert wrong.status_code == 404
    assert "No case matches this receipt" in wrong.get_data(as_text=True)
    malformed = open_case(client, "not a receipt")
    assert malformed.status_code == 400
    assert 'id="receipt-error"' in malformed.get_data(as_text=True)
    expired = client.post("/followup", data={"receipt": "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC"})
    assert expired.status_code == 400
    assert "This form has expired" in expired.get_data(as_text=True)


def test_disclosure_stages_without_javascript(app, client, intake_key):
    receipt = file_nojs(
        client,
        "/disclosure",
        {
            "company": "Acme",
            "contact_name": "C",
            "contact_email": "c@acme.example",
            "violation": "v",
            "certified": "y",
        },
    )
    page = open_case(client, receipt)
    html = page.get_data(as_text=True)
    assert "Full narrative due" in html
    # The stage due next is the one chosen; what must be filled in says so.
    assert re.search(
        r'<option selected value="full_narrative">|<option value="full_narrative" selected', html
    )
    assert re.search(
        r'<label for="narrative">[^<]+ <span class="required">\(required\)</span>', html
    )
    token = csrf_token_from(html)

    def file(stage: str, certified: bool = True):
        data = {"csrf_token": token, "stage": stage, "narrative": f"{stage} text"}
        if certified:
            data["certified"] = "y"
        return client.post(
            "/followup/parts", data=data, content_type="multipart/form-data", follow_redirects=True
        )

    uncertified = file("full_narrative", certified=False)
    assert uncertified.status_code == 400
    assert 'id="certified-error"' in uncertified.get_data(as_text=True)
    narrative = file("full_narrative")
    assert narrative.status_code == 200
    assert "full_narrative text" in narrative.get_data(as_text=True)
    assert "This stage of your disclosure was received." in narrative.get_data(as_text=True)
    assert "Full narrative due" not in shown_html(narrative.get_data(as_text=True))
    before = storage_state(app)
    second = file("full_narrative")
    assert second.status_code == 409
    assert storage_state(app) == before
    assert file("supplement").status_code == 200
    after = client.get("/case").get_data(as_text=True)
    assert 'value="full_narrative"' not in after
    assert re.search(
        r'<option selected value="supplement">|<option value="supplement" selected', after
    )

    with app.extensions["vigil"].session_factory() as session:
        parts = session.scalars(select(ReportPart).order_by(ReportPart.id)).all()
        report = session.scalars(select(Report)).one()
        key = open_intake_wrap(report, intake_key)
        assert [p.kind for p in parts] == [PartKind.NARRATIVE, PartKind.SUPPLEMENT]
        assert all(p.server_saw_plaintext for p in parts)
        assert open_record(key, RecordKind.BODY, parts[0].body) == {
            "form": "disclosure",
            "format": 1,
            "stage": "full_narrative",
            "narrative": "full_narrative text",
            "certified": True,
        }


@pytest.mark.parametrize("path", ["/followup/messages", "/followup/parts", "/case"])
def test_case_forms_without_a_held_receipt_go_to_the_followup_page(app, client, intake_key, path):
    token = csrf_token_from(client.get("/followup").get_data(as_text=True))
    data = {"csrf_token": token, "text": "x", "narrative": "x", "certified": "y"}
    response = client.post(path, data=data) if path != "/case" else client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/followup")
    # A cookie whose held receipt does not open is no receipt.
    with client.session_transaction() as browser:
        browser["held_receipt"] = "AQI" + "A" * 77
    response = client.post(path, data=data) if path != "/case" else client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/followup")


def test_the_receipt_page_shows_the_receipt_until_it_is_saved(app, client, intake_key):
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))
    sent = client.post(
        "/tip",
        data={"csrf_token": token, "what_happened": "Valves"},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    first = client.get("/receipt")
    receipt = receipt_from(first.get_data(as_text=True))
    # A reload shows the same receipt and files nothing.
    assert receipt_from(client.get("/receipt").get_data(as_text=True)) == receipt
    with app.extensions["vigil"].session_factory() as session:
        assert len(session.scalars(select(Report)).all()) == 1
    token = csrf_token_from(first.get_data(as_text=True))
    saved = client.post("/receipt", data={"csrf_token": token})
    assert saved.status_code == 303
    gone = client.get("/receipt")
    assert gone.status_code == 303
    assert receipt not in client.get("/").get_data(as_text=True)


def test_closing_the_report_lets_go_of_the_receipt(app, client, intake_key):
    receipt = file_nojs(client, "/tip", {"what_happened": "Valves"})
    page = open_case(client, receipt)
    closed = client.post(
        "/case/close", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
    assert closed.status_code == 303
    followup = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "this browser no longer holds your receipt" in followup
    assert client.get("/case").status_code == 303


@pytest.mark.parametrize(("name", "disposition"), NAMED_DOWNLOADS)
def test_a_file_named_in_any_script_downloads_under_its_name(
    app, client, intake_key, name, disposition
):
    reporter = Reporter(client)
    sealed = seal_tip(intake_key.public_key)
    content = "Накладная · بوليصة · 提单\n".encode() * 1000
    upload = reporter.upload(attachment_stream(sealed.key, content, name=name))
    assert reporter.submit(sealed, [upload]).status_code == 201
    with app.extensions["vigil"].session_factory() as session:
        (attachment,) = session.scalars(select(Report)).one().attachments
        attachment_id = attachment.id

    assert open_case(client, str(sealed.receipt)).status_code == 200
    download = client.get(f"/case/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == disposition
    assert download.data == content
