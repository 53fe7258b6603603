"""Console views: the actions on a case (status, re-route, access, triage override).

Each action is a POST under `/console/cases/<reference>/…` that calls one
service of reporting.casework.actions or reporting.casework.assignment and
redirects back to the case page with a flash message; a refusal is a domain
error, shown as a 4xx page by reporting.web.errors with nothing written.

Who may do what (the services enforce it; the views only open the door):

- every view: investigators and supervisors (`@allow`), and then only those
  holding a wrap of the case; administrators and auditors never;
- status, re-route, revoke and triage override: any holder of the case.
  Re-routing and revoking change who can read a case, but the person working
  it is the one who knows it belongs elsewhere; each such action is audited
  with who did it;
- grant: any holder, but an investigator only to members of the case's
  queue; supervisors (the triage officers) to any investigator or supervisor.

The partial templates/console/case/_actions.html, included in the case page,
shows the forms and lists that `case_actions_panel` builds for the case view.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from crypto import PrivateKey, ReportKey
from reporting.cases.access import Holder, case_holders, case_key
from reporting.casework import actions as case_actions
from reporting.casework import assignment as case_assignment
from reporting.casework import opening as casework
from reporting.casework import replies
from reporting.casework.related import RelatedCases, related_cases
from reporting.console import allow, blueprint, session_private_key
from reporting.console.case_action_forms import (
    GrantForm,
    OverrideForm,
    RerouteForm,
    RevokeForm,
    StatusForm,
)
from reporting.core.errors import BadRequest
from reporting.core.models import CASE_ROLES, Queue, Report, ReportStatus, User
from reporting.web.context import request_session

# The flash category the partial shows (other pages' messages are theirs to show).
FLASH_CATEGORY = "case_action"


def _validated(form: FlaskForm) -> None:
    """Refuse the request (400, the first problem in words) unless the form is valid."""
    if not form.validate_on_submit():
        messages = [str(error) for errors in form.errors.values() for error in errors]
        raise BadRequest(messages[0] if messages else gettext("The form is not complete."))


def _back(reference: str, message: str) -> Response:
    flash(message, FLASH_CATEGORY)
    return redirect(url_for("console.case", reference=reference, _anchor="case-actions"))


def _held_case(reference: str) -> tuple[Session, Report, ReportKey]:
    """The request's session, the case and its key from the signed-in user's own wrap."""
    session = request_session()
    report = casework.find_report(session, reference)
    return (
        session,
        report,
        case_key(session, report, g.console_user, session_private_key()),
    )


def _label(value: str) -> str:
    return value.replace("_", " ")


@blueprint.post("/cases/<reference>/status", endpoint="case_status")
@allow(*CASE_ROLES)
def case_status(reference: str) -> Response:
    form = StatusForm()
    _validated(form)
    session = request_session()
    report = casework.find_report(session, reference)
    case_actions.change_status(
        session, report, g.console_user, form.chosen_status(), form.chosen_outcome()
    )
    message = gettext("The case is now %(status)s.", status=_label(report.status.value))
    if report.outcome is not None:
        message = gettext("The case is closed: %(outcome)s.", outcome=_label(report.outcome.value))
    if told := form.told_text():
        replies.add_reply(session, reference, g.console_user, session_private_key(), told)
        message += " " + gettext("The reporter was told in a message.")
    return _back(reference, message)


@blueprint.post("/cases/<reference>/queue", endpoint="case_reroute")
@allow(*CASE_ROLES)
def case_reroute(reference: str) -> Response:
    form = RerouteForm()
    _validated(form)
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
    message = gettext(
        "The case was moved to %(queue)s; %(count)d member(s) given access.",
        queue=queue.name,
        count=len(result.granted),
    )
    if result.revoked:
        message += " " + gettext(
            "%(count)d member(s) of the old queue lost access.", count=len(result.revoked)
        )
    return _back(reference, message)


@blueprint.post("/cases/<reference>/access", endpoint="case_grant")
@allow(*CASE_ROLES)
def case_grant(reference: str) -> Response:
    form = GrantForm()
    _validated(form)
    session, report, key = _held_case(reference)
    grantee = case_assignment.grant_access(session, report, key, g.console_user, form.user_id.data)
    return _back(
        reference, gettext("%(name)s now has access to the case.", name=grantee.display_name)
    )


@blueprint.post("/cases/<reference>/access/<int:user_id>/revoke", endpoint="case_revoke")
@allow(*CASE_ROLES)
def case_revoke(reference: str, user_id: int) -> Response:
    form = RevokeForm()
    _validated(form)
    session = request_session()
    report = casework.find_report(session, reference)
    grantee = case_assignment.revoke_access(session, report, g.console_user, user_id)
    if grantee.id == g.console_user.id:
        # Their own access ended: the case page would now refuse them. The
        # message has the default category: the case partial does not show it.
        flash(gettext("Your access to case %(reference)s was removed.", reference=reference))
        return redirect(url_for("console.home"))
    return _back(
        reference,
        gettext("%(name)s's access to the case was removed.", name=grantee.display_name),
    )


@blueprint.post("/cases/<reference>/triage", endpoint="case_override")
@allow(*CASE_ROLES)
def case_override(reference: str) -> Response:
    form = OverrideForm()
    _validated(form)
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
    return _back(
        reference, gettext("Triage was overridden; the reason was added as an internal note.")
    )


# ---------------------------------------------------------------- the partial's data


@dataclass(frozen=True)
class CaseActionsPanel:
    """What templates/console/case/_actions.html shows for one case."""

    status_form: StatusForm
    next_statuses: list[ReportStatus]
    reroute_form: RerouteForm
    queues: list[Queue]
    grant_form: GrantForm
    grantable: list[User]
    holders: list[Holder]
    override_form: OverrideForm
    related: RelatedCases


def case_actions_panel(report: Report, key: ReportKey, private_key: PrivateKey) -> CaseActionsPanel:
    """Build the forms and lists of the actions panel for the signed-in user.

    The case page has opened the case with the user's wrap and passes its key
    and the user's private key on; opening the user's other cases' findings
    for the related-cases list is audited by the service.
    """
    session = request_session()
    user: User = g.console_user

    status_form = StatusForm(formdata=None)
    allowed = case_actions.next_statuses(report.status)
    status_form.status.choices = [
        SelectChoice(status.value, _label(status.value).capitalize()) for status in allowed
    ]

    queues = case_assignment.reroute_targets(session, report)
    reroute_form = RerouteForm(formdata=None)
    reroute_form.queue.choices = [SelectChoice(queue.slug, queue.name) for queue in queues]

    grantable = case_assignment.grantable_users(session, report, key, user)
    grant_form = GrantForm(formdata=None)
    grant_form.user_id.choices = [
        SelectChoice(candidate.id, f"{candidate.display_name} ({candidate.role.value})")
        for candidate in grantable
    ]

    override_form = OverrideForm(
        formdata=None,
        data={
            "categories": list(report.categories),
            "priority": report.priority.value if report.priority is not None else None,
        },
    )
    return CaseActionsPanel(
        status_form=status_form,
        next_statuses=allowed,
        reroute_form=reroute_form,
        queues=queues,
        grant_form=grant_form,
        grantable=grantable,
        holders=case_holders(session, report),
        override_form=override_form,
        related=related_cases(session, report, key, user, private_key),
    )


@blueprint.context_processor
def _case_actions_helpers() -> dict[str, object]:
    return {"case_action_flash": FLASH_CATEGORY}
