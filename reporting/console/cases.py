"""Console views: one case, its thread and its attachments (the work: reporting.casework.opening).

Replies and notes are written by reporting.casework.replies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from flask import Response, g, redirect, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WerkzeugResponse

from crypto import SealedSpool
from reporting.casework import opening as casework
from reporting.casework import replies
from reporting.console import allow, blueprint, session_private_key
from reporting.console.case_forms import NoteForm, ReplyForm
from reporting.console.case_page import NOTE_PREFIX, REPLY_PREFIX, SentForms, render_case_page
from reporting.core.models import CASE_ROLES
from reporting.core.settings import Settings
from reporting.intake import attachment_files
from reporting.web.context import request_session, vigil
from reporting.web.downloads import attachment_disposition
from reporting.web.requests import body_limit


@blueprint.get("/cases/<reference>", endpoint="case")
@allow(*CASE_ROLES)
def case_view(reference: str) -> tuple[str, int]:
    notice = {
        "reply": gettext("Your reply was sent."),
        "note": gettext("Your note was added."),
    }.get(request.args.get("done", ""))
    return render_case_page(reference, notice=notice)


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
        return render_case_page(reference, sent=SentForms(reply_form=form), status=400)
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
        return render_case_page(reference, sent=SentForms(note_form=form), status=400)
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
