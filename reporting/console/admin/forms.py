"""Forms of the administrator's pages (Flask-WTF: every form carries a CSRF token).

Choices that come from the database (queues, users) are filled in by the view
before validation, so a value that names nothing is refused by the form.
"""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from reporting.core.models import Category, Domain, IntakeType, Priority, Role
from reporting.web.forms import VigilForm

ROLE_CHOICES = [
    SelectChoice(Role.INVESTIGATOR.value, "Investigator"),
    SelectChoice(Role.SUPERVISOR.value, "Supervisor / triage officer"),
    SelectChoice(Role.ADMIN.value, "Administrator"),
    SelectChoice(Role.AUDITOR.value, "Auditor"),
]


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    """Several choices as a list of checkboxes rather than a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(VigilForm):
    """A button's form: nothing but the CSRF token."""


class EnrolUserForm(VigilForm):
    username = StringField(
        "User name",
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(
                r"^[a-z0-9][a-z0-9._-]*$",
                message="Lower-case letters, digits, dots, hyphens and underscores only.",
            ),
        ],
    )
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.INVESTIGATOR.value)
    queues = CheckboxesField("Queues", choices=[])


class ChangeRoleForm(VigilForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class CreateQueueForm(VigilForm):
    slug = StringField(
        "Short name",
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Lower-case letters, digits and hyphens only."),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])


class RenameQueueForm(VigilForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])


class AddMemberForm(VigilForm):
    user_id = SelectField("User", coerce=int, choices=[])


def _choices(values: type[Category | Domain | Priority]) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.value.replace("_", " ")) for member in values]


class RuleForm(VigilForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    queue = SelectField("Send to queue", choices=[])
    categories = CheckboxesField("Risk categories (any of)", choices=_choices(Category))
    domains = CheckboxesField("WMD domains (any of)", choices=_choices(Domain))
    priorities = CheckboxesField("Priorities (any of)", choices=_choices(Priority))
    intake_types = CheckboxesField(
        "Intake types (any of)",
        choices=[
            SelectChoice(IntakeType.TIP.value, "tip"),
            SelectChoice(IntakeType.DISCLOSURE.value, "voluntary self-disclosure"),
        ],
    )
    countries = StringField(
        "Countries (any of)",
        validators=[
            Optional(),
            Length(max=500),
            Regexp(
                r"^\s*[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*\s*$",
                message="Two-letter country codes separated by commas, such as IR, KP.",
            ),
        ],
    )
    enabled = BooleanField("Enabled", default=True)

    def country_codes(self) -> list[str]:
        text: str = self.countries.data or ""
        return [code.strip().upper() for code in text.split(",") if code.strip()]


class ListUploadForm(VigilForm):
    file = FileField("List file", validators=[FileRequired("Choose a list file.")])
