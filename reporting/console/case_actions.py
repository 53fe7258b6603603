"""Console views: the actions on a case (status, re-route, access, triage override).

Each action is a POST under `/console/cases/<reference>/…` that calls one
service of reporting.casework.actions or reporting.casework.assignment and
redirects back to the case page with a flash message. A form that is not
valid, or that the service refuses, is shown again on the case page as it was
sent, with the problem beside it and the focus on it (4xx), and nothing is
written; only a case the user may not open is an error page.

Who may do what (the services enforce it; the views only open the door):

- every view: investigators and supervisors (`@allow`), and then only those
  holding a wrap of the case; administrators and auditors never;
- status, assignment, re-route, revoke and triage override: any holder of the case.
  Re-routing and revoking change who can read a case, but the person working
  it is the one who knows it belongs elsewhere; each such action is audited
  with who did it;
- grant: any holder, but an investigator only to members of the case's
  queue; supervisors (the triage officers) to any investigator or supervisor.

The case page (reporting.console.case_page) shows the forms and lists.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, g, redirect, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from crypto import ReportKey
from reporting.cases.access import case_key
from reporting.casework import actions as case_actions
from reporting.casework import assignment as case_assignment
from reporting.casework import opening as casework
from reporting.casework import replies
from reporting.console import allow, blueprint, session_private_key
from reporting.console.case_action_forms import (
    AssignForm,
    GrantForm,
    OverrideForm,
    RerouteForm,
    RevokeForm,
    StatusForm,
)
from reporting.console.case_page import FLASH_CATEGORY, SentForms, render_case_page
from reporting.console.labels import label
from reporting.core.errors import CaseAccessDenied, NotFound, VigilError
from reporting.core.models import CASE_ROLES, Queue, Report
from reporting.web.context import request_session
from reporting.web.errors import translated


def _act(
    reference: str, sent: SentForms, form: FlaskForm, act: Callable[[], Response | str]
) -> Response | tuple[str, int]:
    """Do what a valid form asks and go back to the case with its message.

    Otherwise show the case again with the form as it was sent: its fields'
    problems beside them, or the service's refusal at the top of the form.
    A case the user may not open, or one that does not exist, stays an error.
    """
    status = 400
    if form.validate_on_submit():
        try:
            done = act()
        except (CaseAccessDenied, NotFound):
            raise
        except VigilError as refusal:
            # Nothing the refused action began may be written with the page.
            request_session().rollback()
            form.form_errors.append(translated(refusal.message))
            status = refusal.status
        else:
            return done if isinstance(done, Response) else _back(reference, done)
    return render_case_page(reference, sent=sent, status=status)


def _back(reference: str, message: str) -> Response:
    flash(message, FLASH_CATEGORY)
    return redirect(url_for("console.case", reference=reference))


def _held_case(reference: str) -> tuple[Session, Report, ReportKey]:
    """The request's session, the case and its key from the signed-in user's own wrap."""
    session = request_session()
    report = casework.find_report(session, reference)
    return (
        session,
        report,
        case_key(session, report, g.console_user, session_private_key()),
    )


@blueprint.post("/cases/<reference>/status", endpoint="case_status")
@allow(*CASE_ROLES)
def case_status(reference: str) -> Response | tuple[str, int]:
    form = StatusForm()

    def change() -> str:
        session = request_session()
        report = casework.find_report(session, reference)
        case_actions.change_status(
            session, report, g.console_user, form.chosen_status(), form.chosen_outcome()
        )
        message: str = gettext("Status changed to %(status)s.", status=label(report.status))
        if report.outcome is not None:
            message = gettext(
                "The case is closed. Outcome: %(outcome)s.", outcome=label(report.outcome)
            )
        if told := form.told_text():
            replies.add_reply(session, reference, g.console_user, session_private_key(), told)
            message += " " + gettext("The reporter was told in a message.")
        return message

    return _act(reference, SentForms(status_form=form), form, change)


@blueprint.post("/cases/<reference>/assignee", endpoint="case_assign")
@allow(*CASE_ROLES)
def case_assign(reference: str) -> Response | tuple[str, int]:
    form = AssignForm()

    def assign() -> str:
        session = request_session()
        report = casework.find_report(session, reference)
        assignee = case_assignment.assign_case(
            session, report, g.console_user, form.chosen_assignee()
        )
        done: str = (
            gettext("The case is assigned to %(name)s.", name=assignee.display_name)
            if assignee is not None
            else gettext("The case is assigned to nobody.")
        )
        return done

    return _act(reference, SentForms(assign_form=form), form, assign)


@blueprint.post("/cases/<reference>/queue", endpoint="case_reroute")
@allow(*CASE_ROLES)
def case_reroute(reference: str) -> Response | tuple[str, int]:
    form = RerouteForm()

    def reroute() -> str:
        session, report, key = _held_case(reference)
        result = case_assignment.reroute(
            session,
            report,
            key,
            g.console_user,
            str(form.queue.data),
            revoke_previous=bool(form.revoke_previous.data),
        )
        queue = session.get_one(Queue, report.queue_id)
        message: str = gettext(
            "The case was moved to %(queue)s; %(count)d member(s) given access.",
            queue=queue.name,
            count=len(result.granted),
        )
        if result.revoked:
            message += " " + gettext(
                "%(count)d member(s) of the old queue lost access.", count=len(result.revoked)
            )
        return message

    return _act(reference, SentForms(reroute_form=form), form, reroute)


@blueprint.post("/cases/<reference>/access", endpoint="case_grant")
@allow(*CASE_ROLES)
def case_grant(reference: str) -> Response | tuple[str, int]:
    form = GrantForm()

    def grant() -> str:
        session, report, key = _held_case(reference)
        grantee = case_assignment.grant_access(
            session, report, key, g.console_user, form.user_id.data
        )
        granted: str = gettext("%(name)s now has access to the case.", name=grantee.display_name)
        return granted

    return _act(reference, SentForms(grant_form=form), form, grant)


@blueprint.post("/cases/<reference>/access/<int:user_id>/revoke", endpoint="case_revoke")
@allow(*CASE_ROLES)
def case_revoke(reference: str, user_id: int) -> Response | tuple[str, int]:
    form = RevokeForm()

    def revoke() -> Response | str:
        session = request_session()
        report = casework.find_report(session, reference)
        grantee = case_assignment.revoke_access(session, report, g.console_user, user_id)
        if grantee.id == g.console_user.id:
            # Their own access ended: the case page would now refuse them. The
            # message has the default category: the case page does not show it.
            flash(gettext("Your access to case %(reference)s was removed.", reference=reference))
            return redirect(url_for("console.home"))
        removed: str = gettext(
            "%(name)s's access to the case was removed.", name=grantee.display_name
        )
        return removed

    return _act(reference, SentForms(revoke_form=form), form, revoke)


@blueprint.post("/cases/<reference>/triage", endpoint="case_override")
@allow(*CASE_ROLES)
def case_override(reference: str) -> Response | tuple[str, int]:
    form = OverrideForm()

    def override() -> str:
        session, report, key = _held_case(reference)
        case_actions.override_triage(
            session,
            report,
            key,
            g.console_user,
            list(form.categories.data or []),
            str(form.priority.data),
            str(form.reason.data),
        )
        overridden: str = gettext(
            "Triage was overridden; the reason was added as an internal note."
        )
        return overridden

    return _act(reference, SentForms(override_form=form), form, override)
