"""Console forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from reporting.accounts.password_policy import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from reporting.web.forms import VigilForm


class SignInForm(VigilForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    code = StringField(
        "Authentication code",
        validators=[DataRequired(), Regexp(r"^\s*[0-9]{6}\s*$", message="Enter the six digits.")],
    )


class ChangePasswordForm(VigilForm):
    """The checks that need no database; the service checks the rest (current password, reuse)."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a new password."),
            Length(
                min=PASSWORD_MIN_LENGTH,
                message=f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters.",
            ),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters.",
            ),
        ],
    )
    confirmation = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("new_password", message="The two new passwords do not match."),
        ],
    )


class SignOutOthersForm(VigilForm):
    """No fields: the CSRF token is the form."""
