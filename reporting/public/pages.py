"""The public pages. Every form works without JavaScript (reporting.intake.nojs does the crypto).

With JavaScript the pages' script takes the same forms over and uses the JSON
API instead (reporting.public.api), so the server never sees plaintext.
Pages that show or carry a receipt are answers to POSTs, never URLs, and like
every page they are sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final, cast

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from crypto import PublicKey, Receipt, ReportKey, SealedSpool
from reporting.core.errors import CaseNotFound, NotAcceptingReports
from reporting.core.models import IntakeType, PartKind, Report
from reporting.core.settings import Settings
from reporting.intake import attachment_files, nojs
from reporting.intake.confirmations import confirm_filing
from reporting.intake.followup import case_view, find_case, open_case_attachment
from reporting.intake.public_key import IntakeKeyError, active_intake_key
from reporting.intake.report_fields import STAGE_KINDS, STAGE_NAMES, body_fields
from reporting.public import blueprint, held, limits
from reporting.public.followup_forms import MessageForm, PartForm, ReceiptForm
from reporting.public.forms import DisclosureForm, TipForm
from reporting.public.script_messages import SCRIPT_MESSAGES
from reporting.web.context import filing_key, request_session, vigil
from reporting.web.downloads import attachment_disposition, confirmation_download
from reporting.web.requests import body_limit

# A page, a page with its status, or a response (a redirect, a download).
PageResult = str | tuple[str, int] | BaseResponse


def form_body_limit(settings: Settings) -> int:
    """A form with all its files: every file at its limit, and the text besides."""
    return settings.max_attachments * settings.max_attachment_bytes + 4 * 1024 * 1024


def _intake_key() -> PublicKey:
    try:
        return PublicKey(active_intake_key(request_session()).public_key)
    except IntakeKeyError:
        raise NotAcceptingReports() from None


def _plain_files(files: Iterable[object]) -> list[attachment_files.PlainFile]:
    # Every uploaded file arrives in a SealedSpool (reporting.web.requests).
    plain = [
        attachment_files.PlainFile(
            name=file.filename or "",
            content_type=file.mimetype or "application/octet-stream",
            spool=cast(SealedSpool, file.stream),
        )
        for file in files
        if isinstance(file, FileStorage)
    ]
    return attachment_files.chosen_files(plain, limit=vigil().settings.max_attachments)


PUBLIC_SCRIPT = "dist/vigil-public.js"


@blueprint.context_processor
def page_context() -> dict[str, Any]:
    settings = vigil().settings
    static = Path(current_app.static_folder or "")
    return {
        "upload_limits": {
            "max_attachments": settings.max_attachments,
            "max_attachment_bytes": settings.max_attachment_bytes,
        },
        # The forms' script (static/js/src/public/, built by npm) once it exists.
        "public_script": PUBLIC_SCRIPT if (static / PUBLIC_SCRIPT).is_file() else None,
        "script_messages": SCRIPT_MESSAGES,
        "filing_fingerprint": filing_key().verify_key.fingerprint,
    }


def _status() -> int:
    return 400 if request.method == "POST" else 200


@blueprint.get("/")
def index() -> str:
    return render_template("public/index.html")


@blueprint.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


def _report_page(
    template: str, form: TipForm | DisclosureForm, intake_type: IntakeType
) -> PageResult:
    intake_key = _intake_key()
    if not form.validate_on_submit():
        return render_template(template, form=form, intake_key=intake_key), _status()
    receipt, _ = nojs.submit_report(
        request_session(),
        vigil().uploads,
        intake_key=intake_key,
        intake_type=intake_type,
        body=form.to_body(),
        files=_plain_files(form.attachments.data or []),
    )
    held.hold(receipt)
    return redirect(url_for("public.receipt"), 303)


@blueprint.get("/receipt")
@limits.followup
def receipt() -> PageResult:
    """The receipt of the report this browser just sent, until the reporter has saved it."""
    receipt = held.held()
    if receipt is None:
        return redirect(url_for("public.index"), 303)
    report = _opened_report(receipt)
    return render_template("public/receipt.html", receipt=str(receipt), report=report)


@blueprint.post("/receipt")
@limits.followup
def receipt_saved() -> PageResult:
    """The reporter has saved their receipt: the browser holds it no longer (CSRF: app-wide)."""
    held.drop()
    return redirect(url_for("public.index"), 303)


@blueprint.route("/tip", methods=["GET", "POST"])
@limits.submissions
@body_limit(form_body_limit)
def tip() -> PageResult:
    return _report_page("public/tip.html", TipForm(), IntakeType.TIP)


@blueprint.route("/disclosure", methods=["GET", "POST"])
@limits.submissions
@body_limit(form_body_limit)
def disclosure() -> PageResult:
    return _report_page("public/disclosure.html", DisclosureForm(), IntakeType.DISCLOSURE)


# ------------------------------------------------------------------ follow-up


# What the case page says once after a form of it was sent (held.tell).
NOTICES: Final = {
    "message_sent": _l("Your message was sent."),
    "part_filed": _l("This stage of your disclosure was received."),
}


def _case_page(
    receipt: Receipt,
    *,
    message_form: MessageForm | None = None,
    part_form: PartForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    context = vigil()
    session = request_session()
    report = _opened_report(receipt)
    view = case_view(session, report)
    opened = nojs.open_case(view, nojs.report_key(report, receipt), context.blob_store)
    has_narrative = any(part.kind is PartKind.NARRATIVE for part in view.parts)
    # The stage due next is chosen: the full narrative until it is filed.
    part_form = part_form or PartForm(
        formdata=None,
        stage=STAGE_NAMES[PartKind.SUPPLEMENT if has_narrative else PartKind.NARRATIVE],
    )
    if has_narrative:
        part_form.stage.choices = [
            choice
            for choice in part_form.stage.choices
            if STAGE_KINDS[choice.value] is not PartKind.NARRATIVE
        ]
    notice = held.told()
    page = render_template(
        "public/case.html",
        case=opened,
        notice=NOTICES.get(notice) if notice else None,
        message_form=message_form or MessageForm(formdata=None),
        part_form=part_form,
        has_narrative=has_narrative,
        body_labels=body_fields(report.intake_type),
    )
    return page, status


@blueprint.route("/followup", methods=["GET", "POST"])
@limits.followup
def followup() -> PageResult:
    form = ReceiptForm()
    if not form.validate_on_submit():
        return render_template("public/followup.html", form=form), _status()
    receipt = form.parsed_receipt()
    try:
        _opened_report(receipt)
    except CaseNotFound as error:
        return render_template("public/followup.html", form=form, error=error), error.status
    held.hold(receipt)
    return redirect(url_for("public.case"), 303)


@blueprint.get("/case")
@limits.followup
def case() -> PageResult:
    """The case whose receipt this browser holds; else the follow-up page asks for it."""
    receipt = held.held()
    if receipt is None:
        return redirect(url_for("public.followup"), 303)
    return _case_page(receipt)


@blueprint.post("/case/close")
@limits.followup
def case_close() -> PageResult:
    held.drop()
    return redirect(url_for("public.followup", closed=1), 303)


def _opened_report(receipt: Receipt) -> Report:
    return find_case(
        request_session(),
        receipt.lookup_token(),
        delay=vigil().settings.lookup_delay,
        failures=limits.failed_lookups(),
    )


def _followup_post(
    form: MessageForm | PartForm,
    form_name: str,
    act: Callable[[Report, ReportKey, list[attachment_files.PlainFile]], object],
    notice: str,
) -> PageResult:
    """A form of the case page: act for the held receipt's case, then show the case again."""
    receipt = held.held()
    if receipt is None:
        return redirect(url_for("public.followup"), 303)
    if not form.validate_on_submit():
        return _case_page(receipt, status=400, **{form_name: form})
    report = _opened_report(receipt)
    act(report, nojs.report_key(report, receipt), _plain_files(form.attachments.data or []))
    held.tell(notice)
    return redirect(url_for("public.case"), 303)


@blueprint.post("/followup/messages")
@limits.followup
@body_limit(form_body_limit)
def followup_message() -> PageResult:
    form = MessageForm()
    return _followup_post(
        form,
        "message_form",
        lambda report, key, files: nojs.send_message(
            request_session(), vigil().uploads, report, key, payload=form.to_record(), files=files
        ),
        "message_sent",
    )


@blueprint.post("/followup/parts")
@limits.followup
@body_limit(form_body_limit)
def followup_part() -> PageResult:
    form = PartForm()
    return _followup_post(
        form,
        "part_form",
        lambda report, key, files: nojs.file_part(
            request_session(),
            vigil().uploads,
            report,
            key,
            kind=STAGE_KINDS[form.stage.data],
            body=form.to_body(),
            files=files,
        ),
        "part_filed",
    )


@blueprint.get("/case/attachments/<int:attachment_id>")
@limits.followup
def case_attachment(attachment_id: int) -> PageResult:
    receipt = held.held()
    if receipt is None:
        return redirect(url_for("public.followup"), 303)
    report = _opened_report(receipt)
    key = nojs.report_key(report, receipt)
    source = open_case_attachment(vigil().blob_store, report, attachment_id)
    info, chunks = attachment_files.decrypted_download(key, source)
    # Always a download of opaque bytes: a file's own type is never trusted
    # to be rendered by the browser on our origin.
    response = Response(chunks, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = attachment_disposition(info.name, "attachment")
    return response


@blueprint.get("/case/confirmation", defaults={"part_id": None})
@blueprint.get("/case/confirmation/<int:part_id>")
@limits.followup
def case_confirmation(part_id: int | None) -> PageResult:
    """The signed filing confirmation of a disclosure's first stage, or of a later one."""
    receipt = held.held()
    if receipt is None:
        return redirect(url_for("public.followup"), 303)
    report = _opened_report(receipt)
    return confirmation_download(confirm_filing(filing_key(), vigil().blob_store, report, part_id))
