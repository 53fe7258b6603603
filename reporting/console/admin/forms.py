"""Forms of the administrator's pages (Flask-WTF: every form carries a CSRF token).

Choices that come from the database (queues, users) are filled in by the view
before validation, so a value that names nothing is refused by the form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
    SelectChoice(Role.INVESTIGATOR.value, _l("Investigator")),
    SelectChoice(Role.SUPERVISOR.value, _l("Supervisor / triage officer")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
    SelectChoice(Role.AUDITOR.value, _l("Auditor")),
]


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    """Several choices as a list of checkboxes rather than a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(VigilForm):
    """A button's form: nothing but the CSRF token."""


class EnrolUserForm(VigilForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(
                r"^[a-z0-9][a-z0-9._-]*$",
                message=_l("Lower-case letters, digits, dots, hyphens and underscores only."),
            ),
        ],
    )
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.INVESTIGATOR.value)
    queues = CheckboxesField(_l("Queues"), choices=[])


class ChangeRoleForm(VigilForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class CreateQueueForm(VigilForm):
    slug = StringField(
        _l("Short name"),
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$", message=_l("Lower-case letters, digits and hyphens only.")
            ),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class RenameQueueForm(VigilForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class AddMemberForm(VigilForm):
    user_id = SelectField(_l("User"), coerce=int, choices=[])


def _choices(values: type[Category | Domain | Priority]) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.value.replace("_", " ")) for member in values]


class RuleForm(VigilForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    queue = SelectField(_l("Send to queue"), choices=[])
    categories = CheckboxesField(_l("Risk categories (any of)"), choices=_choices(Category))
    domains = CheckboxesField(_l("WMD domains (any of)"), choices=_choices(Domain))
    priorities = CheckboxesField(_l("Priorities (any of)"), choices=_choices(Priority))
    intake_types = CheckboxesField(
        _l("Intake types (any of)"),
        choices=[
            SelectChoice(IntakeType.TIP.value, _l("tip")),
            SelectChoice(IntakeType.DISCLOSURE.value, _l("voluntary self-disclosure")),
        ],
    )
    countries = StringField(
        _l("Countries (any of)"),
        validators=[
            Optional(),
            Length(max=500),
            Regexp(
                r"^\s*[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*\s*$",
                message=_l("Two-letter country codes separated by commas, such as IR, KP."),
            ),
        ],
    )
    enabled = BooleanField(_l("Enabled"), default=True)

    def country_codes(self) -> list[str]:
        text: str = self.countries.data or ""
        return [code.strip().upper() for code in text.split(",") if code.strip()]


class ListUploadForm(VigilForm):
    file = FileField(_l("List file"), validators=[FileRequired(_l("Choose a list file."))])
