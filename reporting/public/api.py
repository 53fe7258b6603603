"""The JSON API the public pages' script uses (docs/submission.md).

Thin views: parse, call a service, answer. Every refusal is a VigilError that
reporting/web/errors.py turns into `{"error", "message"}` with a 4xx status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from flask import Response, request, send_file

from crypto import RecordKind, b64encode
from reporting.cases.deadlines import DeadlineKind
from reporting.core import clock
from reporting.core.errors import (
    BadRequest,
    InvalidSubmission,
    LengthRequired,
    UnsupportedMediaType,
)
from reporting.core.models import Report
from reporting.intake import payloads
from reporting.intake.confirmations import confirm_filing
from reporting.intake.followup import (
    CaseView,
    add_message,
    add_part,
    attachment_heads,
    case_view,
    find_case,
    open_case_attachment,
)
from reporting.intake.pow import (
    SPENT_CHALLENGE_PURGE,
    issue_challenge,
    purge_spent_challenges,
    spend_proof,
)
from reporting.intake.report_fields import STAGE_KINDS, STAGE_NAMES
from reporting.intake.submissions import create_report, parse_new_report
from reporting.intake.uploads import MAX_PART_BYTES
from reporting.public import blueprint, limits
from reporting.web.context import derived_secret, filing_key, request_session, vigil
from reporting.web.downloads import confirmation_download
from reporting.web.requests import body_limit

POW_KEY_LABEL = "pow-challenge"


def _json_limit(_settings: object) -> int:
    return payloads.MAX_JSON_BYTES


def json_body() -> object:
    if request.mimetype != "application/json":
        raise UnsupportedMediaType()
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidSubmission()
    return data


def _hour(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _find_case(data: dict[str, object]) -> Report:
    token = payloads.lookup_token(data)
    return find_case(
        request_session(),
        token,
        delay=vigil().settings.lookup_delay,
        failures=limits.failed_lookups(),
    )


# Not limited: a challenge is an HMAC and stores nothing, and a limit shared by
# everybody would let a flood of requests keep honest reporters from getting one.
@blueprint.post("/api/challenge")
def api_challenge() -> dict[str, Any]:
    key, price = derived_secret(POW_KEY_LABEL), limits.proof_of_work_price()
    challenge = issue_challenge(key, price, vigil().settings.pow_iterations, clock.now())
    return {
        "challenge": challenge.token,
        "difficulty": challenge.difficulty,
        "iterations": challenge.iterations,
    }


# Not limited either: what pending uploads hold together is bounded in bytes,
# oldest first (reporting/intake/uploads.py), and opening one is charged against it.
@blueprint.post("/api/uploads")
def api_open_upload() -> tuple[dict[str, Any], int]:
    return {"upload": vigil().uploads.create()}, 201


@blueprint.post("/api/uploads/<upload_id>")
@limits.upload_parts
@body_limit(lambda _settings: MAX_PART_BYTES)
def api_upload_part(upload_id: str) -> dict[str, Any]:
    if request.mimetype != "application/octet-stream":
        raise UnsupportedMediaType()
    offset = request.args.get("offset", type=int)
    if offset is None or offset < 0:
        raise BadRequest()
    if request.content_length is None:
        raise LengthRequired()
    received = vigil().uploads.append(
        upload_id,
        offset,
        request.stream,
        request.content_length,
        final=request.args.get("final") == "1",
    )
    return {"received": received}


@blueprint.post("/api/reports")
@limits.submissions
@body_limit(_json_limit)
def api_reports() -> tuple[dict[str, Any], int]:
    context = vigil()
    new, proof = parse_new_report(json_body(), max_attachments=context.settings.max_attachments)
    session = request_session()
    now = clock.now()
    spend_proof(
        session,
        derived_secret(POW_KEY_LABEL),
        proof,
        required=limits.required_proof_of_work(),
        iterations=context.settings.pow_iterations,
        now=now,
    )
    # Committed with the report: spent challenges are forgotten once expired.
    # Not flushing the new one first: its clash with a racing report is for
    # create_report to answer (409).
    if SPENT_CHALLENGE_PURGE.due():
        with session.no_autoflush:
            purge_spent_challenges(session, now)
    report = create_report(session, context.uploads, new)
    limits.paid_report_accepted()
    return {"reference": report.public_reference}, 201


_DEADLINE_NAMES: Final = {
    DeadlineKind.ACKNOWLEDGEMENT: "ack_due",
    DeadlineKind.FEEDBACK: "feedback_due",
    DeadlineKind.NARRATIVE: "narrative_due",
}


def case_json(view: CaseView, heads: dict[int, bytes]) -> dict[str, Any]:
    """The case for the reporter's browser; `heads`: each file's first bytes (attachment_heads)."""
    report = view.report
    return {
        "reference": report.public_reference,
        "intake_type": report.intake_type.value,
        "status": report.status.value,
        "received_hour": _hour(report.received_hour),
        "deadlines": {_DEADLINE_NAMES[due.kind]: _hour(due.due) for due in view.deadlines},
        "server_saw_plaintext": report.server_saw_plaintext,
        "reporter_wrap": b64encode(view.reporter_wrap),
        "body": b64encode(report.body),
        "parts": [
            {
                "id": part.id,
                "kind": STAGE_NAMES[part.kind],
                "submitted_hour": _hour(part.submitted_hour),
                "body": b64encode(part.body),
            }
            for part in view.parts
        ],
        "messages": [
            {
                "id": message.id,
                "author": message.author.value,
                "created_hour": _hour(message.created_hour),
                "record": b64encode(message.record),
            }
            for message in view.messages
        ],
        "attachments": [
            {
                "id": attachment.id,
                "size": attachment.size,
                "head": b64encode(heads[attachment.id]),
                "author": attachment.author.value,
                "message": attachment.message_id,
                "part": attachment.part_id,
            }
            for attachment in view.attachments
        ],
    }


@blueprint.post("/api/case")
@limits.followup
@body_limit(_json_limit)
def api_case() -> dict[str, Any]:
    data = payloads.members(json_body(), ("lookup_token",))
    view = case_view(request_session(), _find_case(data))
    return case_json(view, attachment_heads(vigil().blob_store, view))


@blueprint.post("/api/case/messages")
@limits.followup
@body_limit(_json_limit)
def api_case_message() -> tuple[dict[str, Any], int]:
    context = vigil()
    data = payloads.members(json_body(), ("lookup_token", "record"), ("attachments",))
    record = payloads.record(data, "record", RecordKind.MESSAGE)
    upload_ids = payloads.upload_ids(data, limit=context.settings.max_attachments)
    report = _find_case(data)
    message = add_message(request_session(), context.uploads, report, record, upload_ids)
    return {"id": message.id}, 201


@blueprint.post("/api/case/parts")
@limits.followup
@body_limit(_json_limit)
def api_case_part() -> tuple[dict[str, Any], int]:
    context = vigil()
    data = payloads.members(json_body(), ("lookup_token", "kind", "record"), ("attachments",))
    kind = STAGE_KINDS.get(str(data["kind"]))
    if kind is None:
        raise InvalidSubmission()
    body = payloads.record(data, "record", RecordKind.BODY)
    upload_ids = payloads.upload_ids(data, limit=context.settings.max_attachments)
    report = _find_case(data)
    part = add_part(
        request_session(),
        context.uploads,
        report,
        kind=kind,
        body=body,
        upload_ids=upload_ids,
        server_saw_plaintext=False,
    )
    return {"id": part.id}, 201


@blueprint.post("/api/case/attachments/<int:attachment_id>")
@limits.followup
@body_limit(_json_limit)
def api_case_attachment(attachment_id: int) -> Response:
    data = payloads.members(json_body(), ("lookup_token",))
    source = open_case_attachment(vigil().blob_store, _find_case(data), attachment_id)
    return send_file(source, mimetype="application/octet-stream", etag=False, max_age=None)


@blueprint.post("/api/case/confirmation")
@limits.followup
@body_limit(_json_limit)
def api_case_confirmation() -> Response:
    """A disclosure stage's signed filing confirmation: the first (no `part`) or a later one."""
    data = payloads.members(json_body(), ("lookup_token",), ("part",))
    part_id = data.get("part")
    if part_id is not None and (type(part_id) is not int or part_id < 1):
        raise InvalidSubmission()
    confirmation = confirm_filing(filing_key(), vigil().blob_store, _find_case(data), part_id)
    return confirmation_download(confirmation)
