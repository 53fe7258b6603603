"""The retention page: the closed cases due, and the purge that deletes them."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from reporting.admin.retention import closed_cases_due, purge_closed_cases
from reporting.console import allow, blueprint
from reporting.console.admin.forms import ConfirmForm
from reporting.console.admin.pages import PageResult, actor, refused
from reporting.core import clock
from reporting.core.models import Role
from reporting.web.context import request_session, vigil


def _retention_period() -> timedelta | None:
    days = vigil().settings.retention_days
    return timedelta(days=days) if days else None


def _retention_page(error: str | None = None) -> str:
    period = _retention_period()
    due = closed_cases_due(request_session(), older_than=period, now=clock.now()) if period else []
    return render_template(
        "console/admin/retention.html",
        retention_days=vigil().settings.retention_days,
        due=due,
        confirm=ConfirmForm(),
        error=error,
    )


@blueprint.get("/admin/retention", endpoint="admin_retention")
@allow(Role.ADMIN)
def retention() -> str:
    return _retention_page()


@blueprint.post("/admin/retention/purge", endpoint="admin_retention_purge")
@allow(Role.ADMIN)
def purge() -> PageResult:
    period = _retention_period()
    if not ConfirmForm().validate_on_submit():
        return refused(_retention_page, gettext("The form expired; try again."))
    if period is None:
        return refused(_retention_page, gettext("Retention is off: nothing is purged."))
    summary = purge_closed_cases(
        request_session(),
        vigil().blob_store,
        older_than=period,
        now=clock.now(),
        actor_user_id=actor(),
    )
    message = gettext("Purged %(count)d closed cases.", count=len(summary.purged))
    if summary.blobs_pending:
        message += " " + gettext(
            "%(count)d attachment files could not be deleted yet; the next purge tries again.",
            count=len(summary.blobs_pending),
        )
    flash(message)
    return redirect(url_for("console.admin_retention"))
