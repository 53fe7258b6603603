"""Console views: one case, its thread and its attachments (the work: reporting.casework.opening).

Replies and notes are written by reporting.casework.replies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from flask import Response, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WerkzeugResponse

from crypto import SealedSpool
from reporting.casework import opening as casework
from reporting.casework import replies
from reporting.console import allow, blueprint, session_private_key
from reporting.console.case_actions import case_actions_panel
from reporting.console.case_forms import NoteForm, ReplyForm
from reporting.core.models import CASE_ROLES, IntakeType
from reporting.core.settings import Settings
from reporting.intake import attachment_files
from reporting.intake.report_fields import LATER_STAGE_FIELDS, body_fields
from reporting.web.context import request_session, vigil
from reporting.web.downloads import attachment_disposition
from reporting.web.errors import translated
from reporting.web.requests import body_limit

# Both forms are on one page: prefixes keep their fields' names and ids apart.
REPLY_PREFIX = "reply"
NOTE_PREFIX = "note"


def field_labels(intake_type: IntakeType) -> dict[str, str]:
    """The labels by body key the reporter saw on the form, and the later stages' narrative."""
    fields = {**body_fields(intake_type), "narrative": LATER_STAGE_FIELDS["narrative"]}
    return {name: translated(label) for name, label in fields.items()}


def _case_page(
    reference: str,
    *,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    private_key = session_private_key()
    opened = casework.open_case(
        request_session(),
        reference,
        g.console_user,
        private_key,
        blob_store=vigil().blob_store,
        screener=vigil().screener,
    )
    page = render_template(
        "console/case.html",
        case=opened,
        report=opened.report,
        panel=case_actions_panel(opened.report, opened.key, private_key),
        reply_form=reply_form or ReplyForm(formdata=None, prefix=REPLY_PREFIX),
        note_form=note_form or NoteForm(formdata=None, prefix=NOTE_PREFIX),
        labels=field_labels(opened.report.intake_type),
        max_attachments=vigil().settings.max_attachments,
        notice=notice,
    )
    return page, status


@blueprint.get("/cases/<reference>", endpoint="case")
@allow(*CASE_ROLES)
def case_view(reference: str) -> tuple[str, int]:
    notice = {
        "reply": gettext("Your reply was sent."),
        "note": gettext("Your note was added."),
    }.get(request.args.get("done", ""))
    return _case_page(reference, notice=notice)


def reply_body_limit(settings: Settings) -> int:
    """A reply with all its files: every file at its limit, and the text besides."""
    return settings.max_attachments * settings.max_attachment_bytes + 1024 * 1024


def _plain_files(files: Iterable[object], *, limit: int) -> list[attachment_files.PlainFile]:
    # Every uploaded file arrives in a SealedSpool (reporting.web.requests), as on the public site.
    plain = [
        attachment_files.PlainFile(
            name=file.filename or "",
            content_type=file.mimetype or "application/octet-stream",
            spool=cast(SealedSpool, file.stream),
        )
        for file in files
        if isinstance(file, FileStorage)
    ]
    return attachment_files.chosen_files(plain, limit=limit)


@blueprint.post("/cases/<reference>/replies", endpoint="case_reply")
@allow(*CASE_ROLES)
@body_limit(reply_body_limit)
def case_reply(reference: str) -> WerkzeugResponse | tuple[str, int]:
    form = ReplyForm(prefix=REPLY_PREFIX)
    if not form.validate_on_submit():
        return _case_page(reference, reply_form=form, status=400)
    context = vigil()
    replies.add_reply(
        request_session(),
        reference,
        g.console_user,
        session_private_key(),
        form.cleaned_text(),
        uploads=context.uploads,
        files=_plain_files(form.attachments.data or [], limit=context.settings.max_attachments),
    )
    return redirect(url_for("console.case", reference=reference, done="reply", _anchor="thread"))


@blueprint.post("/cases/<reference>/notes", endpoint="case_note")
@allow(*CASE_ROLES)
def case_note(reference: str) -> WerkzeugResponse | tuple[str, int]:
    form = NoteForm(prefix=NOTE_PREFIX)
    if not form.validate_on_submit():
        return _case_page(reference, note_form=form, status=400)
    replies.add_note(
        request_session(), reference, g.console_user, session_private_key(), form.cleaned_text()
    )
    return redirect(url_for("console.case", reference=reference, done="note", _anchor="thread"))


@blueprint.get("/cases/<reference>/attachments/<int:attachment_id>", endpoint="case_attachment")
@allow(*CASE_ROLES)
def case_attachment(reference: str, attachment_id: int) -> Response:
    download = casework.stream_attachment(
        request_session(),
        reference,
        attachment_id,
        g.console_user,
        session_private_key(),
        blob_store=vigil().blob_store,
    )
    # Always a download of opaque bytes: a file's own type is never trusted
    # to be rendered by the browser on our origin, and its name is the
    # reporter's, so only a safe form of it goes into the header.
    response = Response(download.chunks, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = attachment_disposition(
        download.info.name, f"attachment-{attachment_id}"
    )
    response.headers.set("X-Content-Type-Options", "nosniff")
    return response
