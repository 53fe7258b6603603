"""Forms of the case actions (reporting.console.case_actions): Flask-WTF, so each carries CSRF.

The fixed vocabularies (statuses, outcomes, categories, priorities) are
checked here as choices; queues and users change, so those fields take any
value and reporting.casework.assignment checks that it names one that may be used.

Each form has its own prefix (`status-status`, `triage-reason`, ...), so the
fields' ids do not collide with each other or with the case page's forms.
The revoke buttons, one per holder, share one unprefixed CSRF-only form.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from reporting.casework.actions import MAX_REASON
from reporting.console.case_forms import MAX_TEXT
from reporting.console.labels import LABELS
from reporting.core.errors import BadRequest, translatable
from reporting.core.models import Category, Outcome, Priority, ReportStatus
from reporting.web.forms import VigilForm


def _choices(values: type[StrEnum]) -> list[SelectChoice]:
    return [SelectChoice(member.value, LABELS[member]) for member in values]


STATUS_CHOICES = _choices(ReportStatus)
OUTCOME_CHOICES = [SelectChoice("", _l("No outcome (only when closing)")), *_choices(Outcome)]
CATEGORY_CHOICES = _choices(Category)
PRIORITY_CHOICES = _choices(Priority)


class _PrefixedForm(VigilForm):
    PREFIX: ClassVar[str]

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class StatusForm(_PrefixedForm):
    PREFIX = "status"
    status = SelectField(
        _l("New status"), choices=STATUS_CHOICES, validators=[InputRequired(_l("Choose a status."))]
    )
    outcome = SelectField(
        _l("Outcome"),
        choices=OUTCOME_CHOICES,
        default="",
        description=_l("Required to close the case, and only then."),
    )
    # The reporter sees the new status; the outcome stays inside the console
    # unless the investigator chooses to tell it, in words of their own.
    told = TextAreaField(
        _l("What the reporter is told (optional)"),
        validators=[Length(max=MAX_TEXT)],
        description=_l(
            "The reporter sees the new status, never the outcome. Write here what they may know"
            " of it; it is sent to them as a message, encrypted."
        ),
    )

    def chosen_status(self) -> ReportStatus:
        return ReportStatus(self.status.data)

    def chosen_outcome(self) -> Outcome | None:
        return Outcome(self.outcome.data) if self.outcome.data else None

    def told_text(self) -> str:
        return str(self.told.data or "").strip()


class RerouteForm(_PrefixedForm):
    PREFIX = "queue"
    queue = SelectField(
        _l("Move to queue"), validate_choice=False, validators=[DataRequired(_l("Choose a queue."))]
    )
    revoke_previous = BooleanField(
        _l("Also remove the current queue's other members from the case")
    )


class GrantForm(_PrefixedForm):
    PREFIX = "grant"
    user_id = SelectField(
        _l("Give access to"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a user."))],
    )


class AssignForm(_PrefixedForm):
    PREFIX = "assign"
    # "" for nobody; otherwise a user's id, which the service checks holds the case.
    assignee = SelectField(_l("Assigned to"), validate_choice=False, default="")

    def chosen_assignee(self) -> int | None:
        value = str(self.assignee.data or "")
        if not value:
            return None
        if not value.isdigit():
            raise BadRequest(translatable("Choose someone from the list."))
        return int(value)


class RevokeForm(VigilForm):
    """Only the CSRF token: the user whose access ends is in the form's address."""


class OverrideForm(_PrefixedForm):
    PREFIX = "triage"
    categories = SelectMultipleField(
        _l("Categories"),
        choices=CATEGORY_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        # No DataRequired: it would mark every checkbox `required`, which a
        # browser reads as "tick them all". The service refuses an empty choice.
    )
    priority = SelectField(
        _l("Priority"),
        choices=PRIORITY_CHOICES,
        validators=[InputRequired(_l("Choose a priority."))],
    )
    reason = TextAreaField(
        _l("Reason (kept as an encrypted internal note)"),
        validators=[
            DataRequired(_l("Give the reason for the override.")),
            # Length fills in %(max)d itself.
            Length(max=MAX_REASON, message=_l("The reason is limited to %(max)d characters.")),
        ],
    )
