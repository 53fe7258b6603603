"""Console forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from reporting.accounts.password_policy import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from reporting.web.forms import VigilForm


class SignInForm(VigilForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    code = StringField(
        _l("Authentication code"),
        validators=[
            DataRequired(),
            Regexp(r"^\s*[0-9]{6}\s*$", message=_l("Enter the six digits.")),
        ],
    )


class ChangePasswordForm(VigilForm):
    """The checks that need no database; the service checks the rest (current password, reuse)."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password.")),
            Length(max=PASSWORD_MAX_LENGTH),
        ],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Choose a new password.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                # Length fills in %(min)d itself.
                message=_l("Choose a password of at least %(min)d characters."),
            ),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=_l("Choose a password of at most %(max)d characters."),
            ),
        ],
    )
    confirmation = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("new_password", message=_l("The two new passwords do not match.")),
        ],
    )


class SignOutOthersForm(VigilForm):
    """No fields: the CSRF token is the form."""
