"""The case page: one case with everything an investigator works on, and the forms' state.

Every view of a case renders it through `render_case_page`: the case views
(reporting.console.cases) and the case actions (reporting.console.case_actions),
which show it again with the form that was sent, its problems beside it,
when they refuse it. The page is laid out in templates/console/case.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, render_template
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from crypto import PrivateKey, ReportKey
from reporting.cases.access import Holder, case_holders, may_hold_wraps
from reporting.casework import actions as case_actions
from reporting.casework import assignment as case_assignment
from reporting.casework import opening as casework
from reporting.casework.related import RelatedCases, related_cases
from reporting.console import blueprint, session_private_key
from reporting.console.case_action_forms import (
    AssignForm,
    GrantForm,
    OverrideForm,
    RerouteForm,
    RevokeForm,
    StatusForm,
)
from reporting.console.case_forms import NoteForm, ReplyForm
from reporting.console.labels import LABELS
from reporting.core.models import IntakeType, Queue, Report, ReportStatus, User
from reporting.intake.report_fields import LATER_STAGE_FIELDS, body_fields
from reporting.web.context import request_session, vigil
from reporting.web.errors import translated

# The flash category the case page shows (other pages' messages are theirs to show).
FLASH_CATEGORY = "case_action"

# Both thread forms are on one page: prefixes keep their fields' names and ids apart.
REPLY_PREFIX = "reply"
NOTE_PREFIX = "note"


def field_labels(intake_type: IntakeType) -> dict[str, str]:
    """The labels by body key the reporter saw on the form, and the later stages' narrative."""
    fields = {**body_fields(intake_type), "narrative": LATER_STAGE_FIELDS["narrative"]}
    return {name: translated(label) for name, label in fields.items()}


@dataclass(frozen=True)
class SentForms:
    """The forms of the page as they were sent, when one is shown again with its problems."""

    reply_form: ReplyForm | None = None
    note_form: NoteForm | None = None
    status_form: StatusForm | None = None
    assign_form: AssignForm | None = None
    reroute_form: RerouteForm | None = None
    grant_form: GrantForm | None = None
    revoke_form: RevokeForm | None = None
    override_form: OverrideForm | None = None


@dataclass(frozen=True)
class CaseActionsPanel:
    """What the actions of the case page (console/case/_status.html, _actions.html) show."""

    status_form: StatusForm
    next_statuses: list[ReportStatus]
    assign_form: AssignForm
    assignable: list[Holder]
    reroute_form: RerouteForm
    queues: list[Queue]
    grant_form: GrantForm
    grantable: list[User]
    revoke_form: RevokeForm
    holders: list[Holder]
    override_form: OverrideForm
    related: RelatedCases = field(repr=False)


def case_actions_panel(
    report: Report, key: ReportKey, private_key: PrivateKey, sent: SentForms
) -> CaseActionsPanel:
    """Build the forms and lists of the actions for the signed-in user.

    A form that was sent and refused is shown as it was sent; the others
    start empty. The case page has opened the case with the user's wrap and
    passes its key and the user's private key on; opening the user's other
    cases' findings for the related-cases list is audited by the service.
    """
    session = request_session()
    user: User = g.console_user

    status_form = sent.status_form or StatusForm(formdata=None)
    allowed = case_actions.next_statuses(report.status)
    status_form.status.choices = [SelectChoice(status.value, LABELS[status]) for status in allowed]

    holders = case_holders(session, report)
    # Whom the case may be assigned to: its holders who may still open it
    # (reporting.casework.assignment.assign_case checks the same).
    assignable = [
        holder for holder in holders if may_hold_wraps(holder.role, active=holder.is_active)
    ]
    assign_form = sent.assign_form or AssignForm(
        formdata=None, data={"assignee": str(report.assignee_id or "")}
    )
    assign_form.assignee.choices = [
        SelectChoice("", _l("Nobody")),
        *(SelectChoice(str(holder.user_id), holder.display_name) for holder in assignable),
    ]

    queues = case_assignment.reroute_targets(session, report)
    reroute_form = sent.reroute_form or RerouteForm(formdata=None)
    reroute_form.queue.choices = [SelectChoice(queue.slug, queue.name) for queue in queues]

    grantable = case_assignment.grantable_users(session, report, key, user)
    grant_form = sent.grant_form or GrantForm(formdata=None)
    grant_form.user_id.choices = [
        SelectChoice(candidate.id, f"{candidate.display_name} ({candidate.role.value})")
        for candidate in grantable
    ]

    override_form = sent.override_form or OverrideForm(
        formdata=None,
        data={
            "categories": list(report.categories),
            "priority": report.priority.value if report.priority is not None else None,
        },
    )
    return CaseActionsPanel(
        status_form=status_form,
        next_statuses=allowed,
        assign_form=assign_form,
        assignable=assignable,
        reroute_form=reroute_form,
        queues=queues,
        grant_form=grant_form,
        grantable=grantable,
        revoke_form=sent.revoke_form or RevokeForm(formdata=None),
        holders=holders,
        override_form=override_form,
        related=related_cases(session, report, key, user, private_key),
    )


def render_case_page(
    reference: str,
    *,
    sent: SentForms | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The case page for the signed-in user, who must hold the case (else 403)."""
    sent = sent or SentForms()
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
        panel=case_actions_panel(opened.report, opened.key, private_key, sent),
        reply_form=sent.reply_form or ReplyForm(formdata=None, prefix=REPLY_PREFIX),
        note_form=sent.note_form or NoteForm(formdata=None, prefix=NOTE_PREFIX),
        labels=field_labels(opened.report.intake_type),
        max_attachments=vigil().settings.max_attachments,
        notice=notice,
    )
    return page, status


@blueprint.context_processor
def _case_page_helpers() -> dict[str, object]:
    return {"case_action_flash": FLASH_CATEGORY}
