"""Forms of the case actions (reporting.console.case_actions): Flask-WTF, so each carries CSRF.

The fixed vocabularies (statuses, outcomes, categories, priorities) are
checked here as choices; queues and users change, so those fields take any
value and reporting.case_actions checks that it names one that may be used.
"""

from __future__ import annotations

from enum import StrEnum

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from reporting.case_actions import MAX_REASON
from reporting.models import Outcome, Priority, ReportStatus, RiskCategory


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _choices(values: type[StrEnum]) -> list[SelectChoice]:
    return [SelectChoice(member.value, _label(member.value)) for member in values]


STATUS_CHOICES = _choices(ReportStatus)
OUTCOME_CHOICES = [SelectChoice("", "No outcome (only when closing)"), *_choices(Outcome)]
CATEGORY_CHOICES = _choices(RiskCategory)
PRIORITY_CHOICES = [SelectChoice(priority.value, priority.value) for priority in Priority]


class StatusForm(FlaskForm):  # type: ignore[misc]
    status = SelectField(
        "New status", choices=STATUS_CHOICES, validators=[InputRequired("Choose a status.")]
    )
    outcome = SelectField("Outcome", choices=OUTCOME_CHOICES, default="")

    def chosen_status(self) -> ReportStatus:
        return ReportStatus(self.status.data)

    def chosen_outcome(self) -> Outcome | None:
        return Outcome(self.outcome.data) if self.outcome.data else None


class RerouteForm(FlaskForm):  # type: ignore[misc]
    queue = SelectField(
        "Move to queue", validate_choice=False, validators=[DataRequired("Choose a queue.")]
    )
    revoke_previous = BooleanField("Also remove the current queue's other members from the case")


class GrantForm(FlaskForm):  # type: ignore[misc]
    user_id = SelectField(
        "Give access to",
        coerce=int,
        validate_choice=False,
        validators=[InputRequired("Choose a user.")],
    )


class RevokeForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the user whose access ends is in the form's address."""


class OverrideForm(FlaskForm):  # type: ignore[misc]
    categories = SelectMultipleField(
        "Categories",
        choices=CATEGORY_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one category.")],
    )
    priority = SelectField(
        "Priority", choices=PRIORITY_CHOICES, validators=[InputRequired("Choose a priority.")]
    )
    reason = TextAreaField(
        "Reason (kept as an encrypted internal note)",
        validators=[
            DataRequired("Give the reason for the override."),
            Length(max=MAX_REASON, message=f"The reason is limited to {MAX_REASON} characters."),
        ],
    )
