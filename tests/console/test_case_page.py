"""The case page: a case decrypted for an investigator who holds a wrap, and its thread.

An investigator of the routed queue sees the report's fields next to the
triage findings (the evidence marked in the text it came from), replies to
the reporter (who reads the reply with the receipt on the public follow-up
page), writes internal notes (which the reporter never sees) and downloads
attachments decrypted. Nobody else sees anything: another queue's
investigator, an auditor and an administrator all get 403. Every decryption
and every write is audited, and the report's text stays out of the database
and the audit log.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from crypto import RecordKind, open_record
from reporting.core.models import (
    Attachment,
    AuditEntry,
    Author,
    Message,
    MessageKind,
    Report,
    ReportStatus,
    Role,
    current_hour,
)
from tests.console.conftest import ConsoleInstance, FiledCase, export_control_tip
from tests.fixtures.app import csrf_token_from, shown_html
from tests.public.support import (
    NAMED_DOWNLOADS,
    Reporter,
    attachment_stream,
    receipt_from,
    seal_tip,
)

# A file larger than one attachment chunk, so the download streams several.
ATTACHMENT_SIZE = 300_000 + 17


def case_url(reference: str) -> str:
    return f"/console/cases/{reference}"


@pytest.fixture
def triaged(console: ConsoleInstance) -> FiledCase:
    """The export-control tip, triaged: the export-control queue's members hold wraps."""
    console.add_user("erin", queues=("export-control",), display_name="Erin Export")
    console.add_user("sam", queues=("sanctions",))
    console.add_user("audrey", role=Role.AUDITOR, queues=("export-control",))
    console.add_user("adam", role=Role.ADMIN, queues=("export-control",))
    filed = console.file_report(export_control_tip())
    assert len(console.triage().triaged) == 1
    return filed


def audit_actions(console: ConsoleInstance, report_id: int) -> list[str]:
    with console.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target == f"report:{report_id}")
                .order_by(AuditEntry.seq)
            )
        )


def post_form(client: FlaskClient, page_url: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def change_status(client: FlaskClient, url: str, status: str, outcome: str, *, told: str = ""):  # type: ignore[no-untyped-def]
    """The case page's status form, sent as the browser does (its fields are prefixed)."""
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    fields = {"csrf_token": token, "status": status, "outcome": outcome, "told": told}
    return client.post(
        f"{url}/status", data={f"status-{name}": value for name, value in fields.items()}
    )


def followup_page(console: ConsoleInstance, receipt: str) -> str:
    """The reporter's follow-up page, opened with the receipt in a browser without JavaScript."""
    client = console.app.test_client()
    token = csrf_token_from(client.get("/followup").get_data(as_text=True))
    response = client.post(
        "/followup", data={"csrf_token": token, "receipt": receipt}, follow_redirects=True
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return shown_html(response.get_data(as_text=True))


# ---------------------------------------------------------------- reading


def test_an_investigator_of_the_routed_queue_sees_fields_and_findings(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    response = console.client_for("erin").get(case_url(triaged.reference))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Case {triaged.reference}" in page
    # The report's fields.
    assert "the buyer would not say what they were for" in " ".join(page.split())
    assert "Nordlicht Werkstoffe GmbH" in page
    assert "I work in the shipping department." in page
    # The findings: priority, a fired indicator with its evidence marked, the ECCN.
    with console.session_factory() as session:
        report = session.get_one(Report, triaged.report_id)
        findings = open_record(triaged.key, RecordKind.FINDINGS, report.findings or b"")
        priority = report.priority
    assert priority is not None
    assert f'<dd class="priority">{priority.value}</dd>' in page
    assert isinstance(findings, dict)
    indicator = findings["indicators"][0]
    assert indicator["id"] in page
    evidence = indicator["evidence"][0]
    assert f"<mark>{evidence['text']}</mark>" in page
    assert "<code>1C216</code>" in page
    assert "Triage findings" in page
    assert "case.open" in audit_actions(console, triaged.report_id)


def test_a_supervisor_of_the_routed_queue_opens_the_case(console: ConsoleInstance) -> None:
    console.add_user("sue", role=Role.SUPERVISOR, queues=("export-control",))
    filed = console.file_report(export_control_tip())
    console.triage()

    response = console.client_for("sue").get(case_url(filed.reference))

    assert response.status_code == 200
    assert "Nordlicht Werkstoffe GmbH" in response.get_data(as_text=True)


def test_evidence_is_escaped_and_marked_at_its_offsets(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control",))
    tip = export_control_tip(
        what_happened="<b>bold</b> & Maraging steel tubes were shipped without an export licence."
    )
    filed = console.file_report(tip)
    console.triage()

    page = console.client_for("erin").get(case_url(filed.reference)).get_data(as_text=True)

    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in page
    assert re.search(r"<mark>maraging steel", page, re.IGNORECASE)


@pytest.mark.parametrize("username", ["sam", "audrey", "adam"])
def test_nobody_else_sees_the_case(
    console: ConsoleInstance, triaged: FiledCase, username: str
) -> None:
    response = console.client_for(username).get(case_url(triaged.reference))

    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Nordlicht" not in page
    assert "Maraging" not in page
    assert "case.open" not in audit_actions(console, triaged.report_id)


def test_an_unknown_reference_is_not_found(console: ConsoleInstance, triaged: FiledCase) -> None:
    response = console.client_for("erin").get(case_url("VGL-00000000"))

    assert response.status_code == 404


def test_a_user_of_another_queue_cannot_reply_note_or_download(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("sam")
    token = csrf_token_from(client.get("/console/").get_data(as_text=True))
    base = case_url(triaged.reference)

    assert (
        client.post(f"{base}/replies", data={"csrf_token": token, "reply-text": "hi"}).status_code
        == 403
    )
    assert (
        client.post(f"{base}/notes", data={"csrf_token": token, "note-text": "hi"}).status_code
        == 403
    )
    assert client.get(f"{base}/attachments/1").status_code == 403
    with console.session_factory() as session:
        assert session.scalars(select(Message)).all() == []


# ---------------------------------------------------------------- the thread


def test_a_reply_reaches_the_reporter(console: ConsoleInstance, triaged: FiledCase) -> None:
    client = console.client_for("erin")
    url = case_url(triaged.reference)
    before = followup_page(console, str(triaged.receipt))
    assert "Received, waiting to be read" in before
    assert "Acknowledgement due by" in before

    response = post_form(client, url, f"{url}/replies", {"reply-text": "Which port, please?"})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your reply was sent." in page
    assert "Which port, please?" in page
    assert "Erin Export wrote to the reporter" in page
    with console.session_factory() as session:
        message = session.scalars(select(Message)).one()
        assert message.kind is MessageKind.MESSAGE
        assert open_record(triaged.key, RecordKind.MESSAGE, message.ciphertext) == {
            "format": 1,
            "author": "investigator",
            "text": "Which port, please?",
        }
        report = session.get_one(Report, triaged.report_id)
        assert report.last_investigator_activity_hour == current_hour()
    public = followup_page(console, str(triaged.receipt))
    assert "Which port, please?" in public
    assert "An investigator wrote" in public
    # A reply is an acknowledgement: the reporter is no longer told one is due.
    assert "Acknowledged" in public
    assert "Acknowledgement due by" not in public
    assert "Feedback due by" in public
    assert report.status is ReportStatus.ACKNOWLEDGED
    assert report.acknowledged_hour == current_hour()
    assert {"case.status", "case.reply"} <= set(audit_actions(console, triaged.report_id))


def test_a_closed_case_owes_the_reporter_no_deadline_and_shows_no_internal_word(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("erin")
    url = case_url(triaged.reference)
    for status, outcome in [("acknowledged", ""), ("investigating", ""), ("closed", "duplicate")]:
        assert change_status(client, url, status, outcome).status_code == 302
        if status == "investigating":
            public = followup_page(console, str(triaged.receipt))
            assert "Being investigated" in public
            assert "Acknowledgement due by" not in public
            assert "Feedback due by" in public
    public = followup_page(console, str(triaged.receipt))
    assert "Closed" in public
    assert " due" not in public.replace("Full narrative due", "")
    # The outcome and the investigators' workflow words stay inside the console.
    for internal in ("duplicate", "Duplicate", "investigating", "triage", "priority"):
        assert internal not in public


def test_closing_tells_the_reporter_only_what_the_investigator_writes(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("erin")
    url = case_url(triaged.reference)
    told = "Thank you. What you sent helped; the case is closed."
    steps = [("acknowledged", "", ""), ("investigating", "", ""), ("closed", "substantiated", told)]
    for status, outcome, words in steps:
        response = change_status(client, url, status, outcome, told=words)
        assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The reporter was told in a message." in page
    public = followup_page(console, str(triaged.receipt))
    assert "Closed" in public
    assert told in public
    assert "substantiated" not in public.lower()
    assert {"case.status", "case.reply"} <= set(audit_actions(console, triaged.report_id))


def test_a_note_is_never_shown_to_the_reporter(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("erin")
    url = case_url(triaged.reference)

    response = post_form(client, url, f"{url}/notes", {"note-text": "Cross-check with case 12."})

    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Internal note" in page
    assert "Cross-check with case 12." in page
    with console.session_factory() as session:
        note = session.scalars(select(Message)).one()
        assert note.kind is MessageKind.NOTE
        assert open_record(triaged.key, RecordKind.NOTE, note.ciphertext)["text"] == (
            "Cross-check with case 12."
        )
    public = followup_page(console, str(triaged.receipt))
    assert "Cross-check" not in public
    assert "No messages yet." in public
    # A note is no acknowledgement: the reporter has heard from nobody.
    assert "Received, waiting to be read" in public
    assert "Acknowledgement due by" in public
    assert "case.note" in audit_actions(console, triaged.report_id)


def test_an_empty_reply_is_refused_with_a_message(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("erin")
    url = case_url(triaged.reference)

    response = post_form(client, url, f"{url}/replies", {"reply-text": "   "})

    assert response.status_code == 400
    assert "Write the reply first." in response.get_data(as_text=True)
    with console.session_factory() as session:
        assert session.scalars(select(Message)).all() == []


def test_a_reply_without_csrf_token_is_refused(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("erin")

    response = client.post(f"{case_url(triaged.reference)}/replies", data={"reply-text": "hi"})

    assert response.status_code == 400
    with console.session_factory() as session:
        assert session.scalars(select(Message)).all() == []


# ---------------------------------------------------------------- attachments and plaintext


def file_tip_with_attachment(
    console: ConsoleInstance, canary: str, content: bytes
) -> tuple[str, str]:
    """A tip sent through the public form without JavaScript, with a file; (reference, receipt).

    It is moved two hours into the past so that the worker takes it at once.
    """
    client = console.app.test_client()
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))
    tip = export_control_tip()
    data: dict[str, object] = {
        "csrf_token": token,
        "what_happened": f"{tip['what_happened']} {canary}",
        "goods-0-description": "Maraging steel tubes",
        "goods-0-code": "1C216",
        "goods-0-quantity": "40",
        "parties-0-name": "Nordlicht Werkstoffe GmbH",
        "parties-0-country": "DE",
        "parties-0-role": "buyer",
        "how_known": f"I work in the shipping department. {canary}",
        "attachments": [(io.BytesIO(content), "../reports/manifest march.txt", "text/plain")],
    }
    response = client.post(
        "/tip", data=data, content_type="multipart/form-data", follow_redirects=True
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    receipt = receipt_from(response.get_data(as_text=True))
    earlier = current_hour() - timedelta(hours=2)
    with console.session_factory() as session:
        session.execute(
            update(Report).values(received_hour=earlier, last_reporter_activity_hour=earlier)
        )
        session.commit()
        reference = session.scalars(select(Report.public_reference)).one()
    assert len(console.triage().triaged) == 1
    return reference, receipt


def test_an_attachment_downloads_decrypted_and_nothing_is_left_in_plaintext(
    console: ConsoleInstance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    console.add_user("erin", queues=("export-control",))
    canary = f"CANARY-{secrets.token_hex(8)}"
    content = (f"{canary} manifest line\n".encode() * (ATTACHMENT_SIZE // 30 + 1))[:ATTACHMENT_SIZE]
    reference, receipt = file_tip_with_attachment(console, canary, content)
    client = console.client_for("erin")
    url = case_url(reference)

    page = client.get(url).get_data(as_text=True)
    assert canary in page
    assert ">../reports/manifest march.txt</a>" in page
    link = re.search(rf'href="({re.escape(url)}/attachments/\d+)"', page)
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.mimetype == "application/octet-stream"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "manifest march.txt" in disposition
    assert "/" not in disposition
    assert ".." not in disposition
    assert download.get_data() == content
    post_form(client, url, f"{url}/replies", {"reply-text": f"Reply {canary}"})
    post_form(client, url, f"{url}/notes", {"note-text": f"Note {canary}"})

    actions = audit_actions(console, report_id=1)
    for action in ("case.open", "case.download", "case.reply", "case.note"):
        assert action in actions
    assert f"Reply {canary}" in followup_page(console, receipt)

    # The plaintext is nowhere: not in the database (file or rows), not in the
    # audit log, not in the logs.
    with console.session_factory() as session:
        for entry in session.scalars(select(AuditEntry)):
            assert canary not in repr(entry.details)
            assert canary not in (entry.target or "")
    console.engine.dispose()
    needle = canary.encode()
    for path in _files_under(Path(console.settings.instance_path)):
        assert needle not in path.read_bytes(), f"canary found in {path}"
    if console.engine.dialect.name == "postgresql":
        with console.engine.connect() as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for table in list(tables):
                hits = connection.execute(
                    text(f"SELECT count(*) FROM {table} AS t WHERE CAST(t AS text) LIKE :plain"),
                    {"plain": f"%{canary}%"},
                ).scalar()
                assert hits == 0, f"canary in table {table}"
    else:
        database = console.engine.url.database
        assert database
        for path in Path(database).parent.glob(Path(database).name + "*"):
            assert needle not in path.read_bytes(), f"canary found in {path}"
    assert canary not in caplog.text


def file_tip_with_named_attachment(console: ConsoleInstance, name: str, content: bytes) -> str:
    """A tip sent from a browser with JavaScript, its file named `name`, triaged; its reference.

    The browser encrypts the file's name with the file, so any name arrives as it was.
    """
    reporter = Reporter(console.app.test_client())
    sealed = seal_tip(console.intake_key.public_key, export_control_tip())
    upload = reporter.upload(attachment_stream(sealed.key, content, name=name))
    assert reporter.submit(sealed, [upload]).status_code == 201
    earlier = current_hour() - timedelta(hours=2)
    with console.session_factory() as session:
        session.execute(update(Report).values(received_hour=earlier))
        session.commit()
        reference = session.scalars(select(Report.public_reference)).one()
    assert len(console.triage().triaged) == 1
    return reference


@pytest.mark.parametrize(("name", "disposition"), NAMED_DOWNLOADS)
def test_an_attachment_named_in_any_script_downloads_under_its_name(
    console: ConsoleInstance, name: str, disposition: str
) -> None:
    console.add_user("erin", queues=("export-control",))
    content = "Накладная · بوليصة · 提单\n".encode() * 1000
    reference = file_tip_with_named_attachment(console, name, content)
    client = console.client_for("erin")
    url = case_url(reference)
    link = re.search(rf'href="({re.escape(url)}/attachments/\d+)"', client.get(url).text)
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == disposition
    assert download.get_data() == content


def test_an_attachment_of_another_case_is_not_found(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control",))
    canary = f"CANARY-{secrets.token_hex(8)}"
    reference, _receipt = file_tip_with_attachment(console, canary, b"content")
    other = console.file_report(export_control_tip())
    console.triage()
    client = console.client_for("erin")

    with console.session_factory() as session:
        attachment_ids = [a.id for a in session.get_one(Report, 1).attachments]
    response = client.get(f"{case_url(other.reference)}/attachments/{attachment_ids[0]}")

    assert response.status_code == 404
    assert client.get(f"{case_url(reference)}/attachments/999").status_code == 404


def _files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_reply_with_a_file_reaches_the_reporter_encrypted(
    console: ConsoleInstance, triaged: FiledCase
) -> None:
    client = console.client_for("erin")
    url = case_url(triaged.reference)
    content = b"Form for the reporter\n" * 5000
    token = csrf_token_from(client.get(url).get_data(as_text=True))

    response = client.post(
        f"{url}/replies",
        data={
            "csrf_token": token,
            "reply-text": "Please fill in the attached form.",
            "reply-attachments": [(io.BytesIO(content), "questions.txt", "text/plain")],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    with console.session_factory() as session:
        message = session.scalars(select(Message)).one()
        attachment = session.scalars(select(Attachment)).one()
        assert attachment.message_id == message.id
        assert attachment.author_side is Author.INVESTIGATOR
        with console.app.extensions["vigil"].blob_store.open_reader(attachment.blob_key) as blob:
            assert b"Form for the reporter" not in blob.read()
    page = client.get(url).get_data(as_text=True)
    assert ">questions.txt</a>" in page
    assert client.get(f"{url}/attachments/{attachment.id}").get_data() == content
    # The reporter sees the file with the reply and downloads it with the receipt.
    public = followup_page(console, str(triaged.receipt))
    assert "questions.txt" in public
    reporter = console.app.test_client()
    token = csrf_token_from(reporter.get("/followup").get_data(as_text=True))
    reporter.post("/followup", data={"csrf_token": token, "receipt": str(triaged.receipt)})
    download = reporter.get(f"/case/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.get_data() == content
