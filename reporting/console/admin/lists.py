"""The screening lists page: the imported versions, and an upload of a new one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from reporting.admin.errors import AdministrationError
from reporting.admin.lists import MAX_LIST_UPLOAD_BYTES, import_uploaded_list
from reporting.console import allow, blueprint
from reporting.console.admin.forms import ListUploadForm
from reporting.console.admin.pages import PageResult, actor, intake_fingerprint, refused
from reporting.core.models import Role
from reporting.pipeline.screening_lists import list_versions
from reporting.web.context import request_session, vigil
from reporting.web.requests import body_limit


def _lists_page(form: ListUploadForm | None = None, error: str | None = None) -> str:
    return render_template(
        "console/admin/lists.html",
        versions=list_versions(request_session()),
        form=form or ListUploadForm(),
        error=error,
        intake_fingerprint=intake_fingerprint(),
    )


@blueprint.get("/admin/lists", endpoint="admin_lists")
@allow(Role.ADMIN)
def lists() -> str:
    return _lists_page()


@blueprint.post("/admin/lists", endpoint="admin_list_import")
@allow(Role.ADMIN)
@body_limit(lambda _settings: MAX_LIST_UPLOAD_BYTES + 1024 * 1024)
def import_list() -> PageResult:
    form = ListUploadForm()
    if not form.validate_on_submit():
        return _lists_page(form), 400
    upload: FileStorage = form.file.data
    upload.stream.seek(0)
    try:
        result = import_uploaded_list(
            request_session(),
            upload.stream,
            work_dir=vigil().settings.instance_path,
            actor_user_id=actor(),
        )
    except AdministrationError as error:
        return refused(lambda **kw: _lists_page(form, **kw), error)
    if result.created:
        flash(
            gettext(
                "Imported %(source)s version %(version)s: %(count)d entries. Reports already"
                " triaged are screened again against it when an investigator of their queue"
                " opens them.",
                source=result.source,
                version=result.version_label,
                count=result.entry_count,
            )
        )
    else:
        flash(
            gettext(
                "%(source)s version %(version)s was already imported.",
                source=result.source,
                version=result.version_label,
            )
        )
    return redirect(url_for("console.admin_lists"))
