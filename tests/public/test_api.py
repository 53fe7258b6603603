"""The JSON API of docs/submission.md, as the pages' script uses it, and every way to misuse it.

Each refusal is checked for its status, its error code and message, and for
leaving no row and no blob behind.
"""

from __future__ import annotations

import base64
import io
import os
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from crypto import (
    RecordKind,
    ReportKey,
    b64encode,
    decrypt_attachment,
    open_attachment,
    open_report,
    seal_record,
)
from reporting.app import create_app
from reporting.core.models import (
    Author,
    HolderKind,
    IntakeType,
    Message,
    PartKind,
    Report,
    ReportPart,
)
from tests.public.support import (
    Reporter,
    attachment_stream,
    investigator_reply,
    open_intake_wrap,
    seal_tip,
    storage_state,
)
from tests.storage.helpers import make_user


@pytest.fixture
def reporter(client, intake_key) -> Reporter:
    return Reporter(client)


def intake_public(intake_key):
    return intake_key.public_key


def only_report(app) -> Report:
    session = app.extensions["vigil"].session_factory()
    return session.scalars(select(Report)).one()


# ------------------------------------------------------------------ submitting


def test_a_tip_with_attachments_is_stored_whole(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key)
    content = b"bill of lading " * 100_000
    stream = attachment_stream(sealed.key, content, name="bl.pdf")
    upload = reporter.upload(stream, part_size=300_000)
    response = reporter.submit(sealed, [upload])
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]

    report = only_report(app)
    assert report.public_reference == reference
    assert report.intake_type is IntakeType.TIP
    assert not report.server_saw_plaintext
    assert report.received_hour.minute == 0
    assert report.ack_due == report.received_hour + timedelta(days=7)
    assert report.feedback_due.month in {(report.received_hour.month + 2) % 12 + 1}
    assert report.narrative_due is None
    assert {wrap.holder_kind for wrap in report.wraps} == {HolderKind.INTAKE, HolderKind.REPORTER}
    key, body = open_report(sealed.envelope, intake_key, as_holder="intake")
    assert body["what_happened"] == "a lathe went east"
    (attachment,) = report.attachments
    assert attachment.ciphertext_size == len(stream)
    assert attachment.author_side is Author.REPORTER
    plain = io.BytesIO()
    with app.extensions["vigil"].blob_store.open_reader(attachment.blob_key) as source:
        assert decrypt_attachment(key, source, plain).name == "bl.pdf"
    assert plain.getvalue() == content
    # The pending upload is gone: attached once, it cannot be attached again.
    assert storage_state(app).files == {f"{attachment.blob_key[:2]}/{attachment.blob_key}"}


def test_a_disclosure_gets_its_narrative_deadline(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key, {"form": "disclosure", "format": 1})
    response = reporter.submit(sealed, intake_type="disclosure")
    assert response.status_code == 201
    report = only_report(app)
    assert report.intake_type is IntakeType.DISCLOSURE
    assert report.narrative_due == report.received_hour + timedelta(days=180)
    assert report.ack_due is None


def refused(app, response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["error"] == code
    assert answer["message"]


def envelope_with(sealed, **changes):
    envelope = sealed.envelope.to_json()
    envelope.update(changes)
    return envelope


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda s: {"envelope": envelope_with(s, v=2)}, "invalid_submission"),
        (lambda s: {"envelope": envelope_with(s, body="not base64!")}, "invalid_submission"),
        (
            lambda s: {"envelope": envelope_with(s, body=b64encode(b"\x01\x01" + bytes(600)))},
            "invalid_submission",
        ),
        (lambda s: {"envelope": envelope_with(s, extra=1)}, "invalid_submission"),
        (
            lambda s: {"envelope": envelope_with(s, wraps={"intake": b64encode(bytes(82))})},
            "invalid_submission",
        ),
        (
            lambda s: {
                "envelope": {
                    **s.envelope.to_json(),
                    "body": b64encode(seal_record(s.key, RecordKind.MESSAGE, {})),
                }
            },
            "invalid_submission",
        ),
        (lambda s: {"intake_type": "rumour"}, "invalid_submission"),
        (lambda s: {"lookup_token": b64encode(bytes(31))}, "invalid_submission"),
        (lambda s: {"lookup_token": 7}, "invalid_submission"),
        (lambda s: {"attachments": "abc"}, "invalid_submission"),
        (lambda s: {"attachments": ["0" * 32, "0" * 32]}, "invalid_submission"),
        (lambda s: {"attachments": ["f" * 32]}, "not_found"),
        (lambda s: {"attachments": ["../../etc/passwd"]}, "not_found"),
        (lambda s: {"unexpected": True}, "invalid_submission"),
        (lambda s: {"pow": {"challenge": "v1.8.1.x.y", "nonce": "1"}}, "proof_of_work"),
        (lambda s: {"pow": None}, "proof_of_work"),
    ],
)
def test_malformed_submissions_are_refused_and_leave_nothing(
    app, reporter, intake_key, change, code
):
    before = storage_state(app)
    sealed = seal_tip(intake_key.public_key)
    response = reporter.submit(sealed, **change(sealed))
    refused(app, response, 404 if code == "not_found" else 400, code)
    assert storage_state(app) == before


def test_too_many_attachments_are_refused(app, settings, intake_key, client):
    reporter = Reporter(client)
    uploads = [reporter.open_upload() for _ in range(settings.max_attachments + 1)]
    response = reporter.submit(seal_tip(intake_key.public_key), uploads)
    refused(app, response, 400, "invalid_submission")
    assert "At most" in response.get_json()["message"]


def test_wrong_content_type_missing_csrf_and_bad_json(app, reporter, intake_key):
    before = storage_state(app)
    form = reporter.client.post(
        "/api/reports",
        data="x=1",
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": reporter.csrf},
    )
    refused(app, form, 415, "unsupported_media_type")
    broken = reporter.client.post(
        "/api/reports",
        data="{not json",
        content_type="application/json",
        headers={"X-CSRFToken": reporter.csrf},
    )
    refused(app, broken, 400, "invalid_submission")
    sealed = seal_tip(intake_key.public_key)
    no_csrf = reporter.client.post("/api/reports", json={"envelope": sealed.envelope.to_json()})
    refused(app, no_csrf, 400, "csrf")
    wrong_method = reporter.client.get("/api/reports")
    refused(app, wrong_method, 405, "method_not_allowed")
    assert storage_state(app) == before


@pytest.mark.parametrize(
    "path", ["/api/reports", "/api/case", "/api/case/messages", "/api/case/attachments/1"]
)
def test_deeply_nested_json_is_refused_as_invalid(app, reporter, path):
    before = storage_state(app)
    response = reporter.client.post(
        path,
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"X-CSRFToken": reporter.csrf},
    )
    refused(app, response, 400, "invalid_submission")
    assert storage_state(app) == before


def test_a_proof_of_work_is_accepted_once(app, reporter, intake_key):
    proof = reporter.proof()
    first = reporter.submit(seal_tip(intake_key.public_key), pow=proof)
    assert first.status_code == 201
    again = reporter.submit(seal_tip(intake_key.public_key), pow=proof)
    refused(app, again, 400, "proof_of_work")
    unsolved = reporter.submit(
        seal_tip(intake_key.public_key), pow={**reporter.proof(), "nonce": "x"}
    )
    refused(app, unsolved, 400, "proof_of_work")


@pytest.mark.parametrize(
    "challenge",
    [
        "v1.8.1.отчёт.00",  # in the signed part
        "v1.8.1.x.报告",  # in the MAC
    ],
)
def test_a_challenge_with_non_ascii_characters_is_refused(app, reporter, intake_key, challenge):
    before = storage_state(app)
    response = reporter.submit(
        seal_tip(intake_key.public_key), pow={"challenge": challenge, "nonce": "1"}
    )
    refused(app, response, 400, "proof_of_work")
    assert storage_state(app) == before


def test_difficulty_zero_needs_no_proof(settings, intake_key, tmp_path):
    app = create_app(replace(settings, pow_difficulty=0))
    try:
        reporter = Reporter(app.test_client())
        payload_pow_free = seal_tip(intake_key.public_key)
        response = reporter.post_json(
            "/api/reports",
            {
                "intake_type": "tip",
                "envelope": payload_pow_free.envelope.to_json(),
                "lookup_token": payload_pow_free.token,
            },
        )
        assert response.status_code == 201, response.get_json()
    finally:
        app.extensions["vigil"].engine.dispose()


def test_a_lookup_token_is_used_once(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key)
    assert reporter.submit(sealed).status_code == 201
    before = storage_state(app)
    refused(app, reporter.submit(sealed), 409, "conflict")
    assert storage_state(app) == before


# ------------------------------------------------------------------ uploads


def test_uploads_resume_at_the_offset_the_server_has(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key)
    stream = attachment_stream(sealed.key, b"x" * 5000)
    upload = reporter.open_upload()
    assert reporter.send_part(upload, 0, stream[:1000]).get_json() == {"received": 1000}
    behind = reporter.send_part(upload, 0, stream[:1000])
    refused(app, behind, 409, "offset_mismatch")
    assert behind.get_json()["received"] == 1000
    ahead = reporter.send_part(upload, 2000, stream[2000:])
    assert ahead.get_json()["received"] == 1000
    assert reporter.send_part(upload, 1000, stream[1000:], final=True).get_json() == {
        "received": len(stream)
    }
    refused(app, reporter.send_part(upload, len(stream), b"more"), 409, "upload_complete")
    assert reporter.submit(sealed, [upload]).status_code == 201


def test_attaching_an_incomplete_upload_is_refused_and_it_stays_pending(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key)
    # Cut at a chunk boundary: the layout alone would look whole.
    stream = attachment_stream(sealed.key, b"y" * 200_000)
    cut = len(stream) - (200_000 - 3 * 65_536) - 16
    upload = reporter.open_upload()
    reporter.send_part(upload, 0, stream[:cut])
    before = storage_state(app)
    response = reporter.submit(sealed, [upload])
    refused(app, response, 400, "invalid_upload")
    assert storage_state(app) == before  # no row, no blob; the upload still pending
    assert reporter.send_part(upload, cut, stream[cut:], final=True).status_code == 200
    assert reporter.submit(sealed, [upload]).status_code == 201


def test_a_truncated_stream_cannot_be_completed(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key)
    stream = attachment_stream(sealed.key, b"z" * 70_000)
    # The second chunk (4,464 bytes and its tag) cut to 10 bytes: no chunk is that short.
    upload = reporter.open_upload()
    response = reporter.send_part(upload, 0, stream[: len(stream) - 4480 + 10], final=True)
    refused(app, response, 400, "invalid_upload")
    refused(app, reporter.submit(sealed, [upload]), 400, "invalid_upload")


def test_a_stream_that_is_no_attachment_is_refused_at_its_header(app, reporter):
    upload = reporter.open_upload()
    response = reporter.send_part(upload, 0, b"PDF-1.7 plain text is not ciphertext" * 10)
    refused(app, response, 400, "invalid_upload")
    # The part was dropped: the upload is empty again.
    assert reporter.send_part(upload, 1, b"x").get_json()["received"] == 0


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        (
            "/api/uploads/{upload}?offset=0",
            {"content_type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        ("/api/uploads/{upload}", {}, 400, "bad_request"),
        ("/api/uploads/{upload}?offset=-1", {}, 400, "bad_request"),
        ("/api/uploads/{upload}?offset=zero", {}, 400, "bad_request"),
        ("/api/uploads/" + "a" * 32 + "?offset=0", {}, 404, "not_found"),
        ("/api/uploads/..%2F..%2Fsecret_key?offset=0", {}, 404, "not_found"),
    ],
)
def test_bad_upload_parts_are_refused(app, reporter, path, headers, status, code):
    upload = reporter.open_upload()
    response = reporter.client.post(
        path.format(upload=upload),
        data=b"\x01" * 10,
        headers={"X-CSRFToken": reporter.csrf},
        **({"content_type": "application/octet-stream"} | headers),
    )
    refused(app, response, status, code)


def test_upload_parts_and_streams_have_size_limits(app, settings, intake_key, client):
    small = create_app(replace(settings, max_attachment_bytes=2000))
    try:
        reporter = Reporter(small.test_client())
        upload = reporter.open_upload()
        too_long = reporter.send_part(upload, 0, bytes(4000 + 101 + 4368 + 100))
        refused(small, too_long, 413, "too_large")
        big_part = reporter.send_part(upload, 0, bytes(8 * 1024 * 1024 + 1))
        refused(small, big_part, 413, "too_large")
    finally:
        small.extensions["vigil"].engine.dispose()


def test_expired_uploads_are_deleted(app, reporter):
    upload = reporter.open_upload()
    uploads = app.extensions["vigil"].uploads
    path = uploads.directory / upload
    os.utime(path, (0, 0))
    assert uploads.purge_expired() == 1
    assert not path.exists()
    refused(app, reporter.send_part(upload, 0, b"x"), 404, "not_found")


# ------------------------------------------------------------------ following up


@pytest.fixture
def filed(app, reporter, intake_key):
    """A tip filed through the API, with its receipt-side values."""
    sealed = seal_tip(intake_key.public_key)
    assert reporter.submit(sealed).status_code == 201
    return sealed


def test_the_case_shows_replies_but_never_notes(app, reporter, filed, intake_key):
    session = app.extensions["vigil"].session_factory()
    report = session.scalars(select(Report)).one()
    user = make_user(session)
    key = open_intake_wrap(report, intake_key)
    reply = investigator_reply(session, report, key, user.id, "Which port?")
    session.add(
        Message(
            report_id=report.id,
            author_kind=Author.INVESTIGATOR,
            author_user_id=user.id,
            kind="note",
            ciphertext=seal_record(key, RecordKind.NOTE, {"text": "internal"}),
        )
    )
    session.commit()

    answer = reporter.post_json("/api/case", {"lookup_token": filed.token})
    assert answer.status_code == 200
    case = answer.get_json()
    assert case["reference"] == report.public_reference
    assert case["status"] == "new"
    assert case["deadlines"]["ack_due"].endswith("+00:00")
    assert [m["id"] for m in case["messages"]] == [reply.id]
    assert case["messages"][0]["author"] == "investigator"
    assert base64.b64decode(case["reporter_wrap"]) == next(
        w.wrapped_key for w in report.wraps if w.holder_kind is HolderKind.REPORTER
    )
    session.refresh(reply)
    assert reply.read_by_reporter
    session.close()


def test_a_reporter_answers_with_a_file(app, reporter, filed):
    stream = attachment_stream(filed.key, b"more evidence")
    upload = reporter.upload(stream)
    record = seal_record(
        filed.key, RecordKind.MESSAGE, {"format": 1, "author": "reporter", "text": "Rotterdam"}
    )
    response = reporter.post_json(
        "/api/case/messages",
        {"lookup_token": filed.token, "record": b64encode(record), "attachments": [upload]},
    )
    assert response.status_code == 201, response.get_json()
    message_id = response.get_json()["id"]
    case = reporter.post_json("/api/case", {"lookup_token": filed.token}).get_json()
    assert case["messages"][-1]["author"] == "reporter"
    (attachment,) = case["attachments"]
    assert attachment["message"] == message_id
    download = reporter.post_json(
        f"/api/case/attachments/{attachment['id']}", {"lookup_token": filed.token}
    )
    assert download.status_code == 200
    assert download.mimetype == "application/octet-stream"
    assert download.data == stream
    # The case carries each file's first bytes, from which the reporter's
    # browser opens the name and size it was sent with.
    head = base64.b64decode(attachment["head"])
    assert head == stream[: len(head)]
    info = open_attachment(filed.key, io.BytesIO(head)).info
    assert (info.name, info.size) == ("evidence.pdf", len(b"more evidence"))


def test_disclosure_stages(app, reporter, intake_key):
    sealed = seal_tip(intake_key.public_key, {"form": "disclosure", "format": 1})
    assert reporter.submit(sealed, intake_type="disclosure").status_code == 201

    def file(kind):
        body = seal_record(sealed.key, RecordKind.BODY, {"stage": kind})
        return reporter.post_json(
            "/api/case/parts",
            {"lookup_token": sealed.token, "kind": kind, "record": b64encode(body)},
        )

    assert file("full_narrative").status_code == 201
    assert file("supplement").status_code == 201
    before = storage_state(app)
    refused(app, file("full_narrative"), 409, "conflict")
    refused(app, file("preface"), 400, "invalid_submission")
    assert storage_state(app) == before
    parts = reporter.post_json("/api/case", {"lookup_token": sealed.token}).get_json()["parts"]
    assert [part["kind"] for part in parts] == ["full_narrative", "supplement"]
    with app.extensions["vigil"].session_factory() as session:
        kinds = session.scalars(select(ReportPart.kind).order_by(ReportPart.id)).all()
    assert kinds == [PartKind.NARRATIVE, PartKind.SUPPLEMENT]


def test_a_tip_has_no_later_stages(app, reporter, filed):
    body = seal_record(filed.key, RecordKind.BODY, {})
    response = reporter.post_json(
        "/api/case/parts",
        {"lookup_token": filed.token, "kind": "supplement", "record": b64encode(body)},
    )
    refused(app, response, 409, "conflict")


def test_wrong_and_unknown_tokens_get_the_same_answer(app, reporter, filed):
    wrong = reporter.post_json("/api/case", {"lookup_token": b64encode(bytes(32))})
    unknown = reporter.post_json(
        "/api/case",
        {"lookup_token": seal_tip(filed.receipt.reporter_private_key().public_key).token},
    )
    refused(app, wrong, 404, "not_found")
    assert wrong.get_json() == unknown.get_json()
    record = b64encode(seal_record(ReportKey.generate(), RecordKind.MESSAGE, {}))
    message = reporter.post_json(
        "/api/case/messages", {"lookup_token": b64encode(bytes(32)), "record": record}
    )
    assert message.status_code == 404
    other = reporter.post_json("/api/case/attachments/1", {"lookup_token": filed.token})
    refused(app, other, 404, "not_found")


def test_a_malformed_message_is_refused(app, reporter, filed):
    before = storage_state(app)
    body_record = seal_record(filed.key, RecordKind.BODY, {})
    response = reporter.post_json(
        "/api/case/messages", {"lookup_token": filed.token, "record": b64encode(body_record)}
    )
    refused(app, response, 400, "invalid_submission")
    assert storage_state(app) == before


def test_a_failed_lookup_waits(settings, intake_key):
    app = create_app(replace(settings, lookup_delay=0.2))
    try:
        reporter = Reporter(app.test_client())
        started = time.monotonic()
        reporter.post_json("/api/case", {"lookup_token": b64encode(bytes(32))})
        assert time.monotonic() - started >= 0.2
    finally:
        app.extensions["vigil"].engine.dispose()
