"""The users pages: enrol, deactivate, reactivate, unlock, change role, reset credentials.

The credential sheet (a new user's password and TOTP secret, or a reset's) is
rendered once, in the answer to the POST that made it, and stored nowhere;
every console page is sent with `Cache-Control: no-store`. Its QR code is
inline SVG made here on the server (segno), without style attributes, so it
needs nothing from another origin and nothing the CSP does not already allow.
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from markupsafe import Markup

from reporting.accounts import resets
from reporting.admin import users as user_admin
from reporting.admin.errors import AdministrationError
from reporting.console import allow, blueprint
from reporting.console.admin.forms import ChangeRoleForm, ConfirmForm, EnrolUserForm
from reporting.console.admin.pages import (
    PageResult,
    actor,
    intake_fingerprint,
    queue_choices,
    refused,
)
from reporting.core import clock
from reporting.core.errors import NotFound
from reporting.core.models import Role, User
from reporting.web.context import request_session, vigil


def totp_qr_svg(uri: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code: no style attribute, no data: URI."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        svgclass="totp-qr",
        lineclass=None,
        title=gettext("QR code for your authenticator app"),
    )
    # segno builds the markup from the QR matrix and our fixed strings only.
    return Markup(svg)  # noqa: S704


def _sheet_page(sheet: user_admin.CredentialSheet, *, purpose: str) -> str:
    qr = totp_qr_svg(sheet.totp_uri) if sheet.totp_uri else None
    return render_template("console/admin/sheet.html", sheet=sheet, purpose=purpose, qr=qr)


def _users_page(form: EnrolUserForm | None = None, error: str | None = None) -> str:
    if form is None:
        form = EnrolUserForm()
        form.queues.choices = queue_choices()
    return render_template(
        "console/admin/users.html",
        rows=user_admin.users_overview(request_session()),
        form=form,
        error=error,
        intake_fingerprint=intake_fingerprint(),
    )


@blueprint.get("/admin/users", endpoint="admin_users")
@allow(Role.ADMIN)
def users() -> str:
    return _users_page()


@blueprint.post("/admin/users", endpoint="admin_user_enrol")
@allow(Role.ADMIN)
def enrol_user() -> PageResult:
    form = EnrolUserForm()
    form.queues.choices = queue_choices()
    if not form.validate_on_submit():
        return _users_page(form), 400
    session = request_session()
    try:
        sheet = user_admin.enrol_user(
            session,
            username=form.username.data,
            display_name=form.display_name.data,
            role=Role(form.role.data),
            queue_slugs=form.queues.data or [],
            cost=vigil().settings.password_cost,
            actor_user_id=actor(),
        )
    except AdministrationError as error:
        return refused(lambda **kw: _users_page(form, **kw), error)
    session.commit()
    return _sheet_page(sheet, purpose="enrolment")


def _user_page(user_id: int, error: str | None = None) -> str:
    user = request_session().get(User, user_id)
    if user is None:
        raise NotFound()
    row = next(
        row for row in user_admin.users_overview(request_session()) if row.user.id == user_id
    )
    role_form = ChangeRoleForm(role=user.role.value)
    return render_template(
        "console/admin/user.html",
        row=row,
        role_form=role_form,
        confirm=ConfirmForm(),
        error=error,
        now=clock.now(),
    )


@blueprint.get("/admin/users/<int:user_id>", endpoint="admin_user")
@allow(Role.ADMIN)
def user_detail(user_id: int) -> str:
    return _user_page(user_id)


def _user_action(user_id: int, action: Callable[[], object], done: str) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return refused(
            lambda **kw: _user_page(user_id, **kw), gettext("The form expired; try again.")
        )
    try:
        action()
    except AdministrationError as error:
        return refused(lambda **kw: _user_page(user_id, **kw), error)
    request_session().commit()
    flash(done)
    return redirect(url_for("console.admin_user", user_id=user_id))


@blueprint.post("/admin/users/<int:user_id>/deactivate", endpoint="admin_user_deactivate")
@allow(Role.ADMIN)
def deactivate_user(user_id: int) -> PageResult:
    return _user_action(
        user_id,
        lambda: user_admin.set_active(
            request_session(), user_id=user_id, active=False, actor_user_id=actor()
        ),
        gettext("The user is deactivated and signed out everywhere."),
    )


@blueprint.post("/admin/users/<int:user_id>/reactivate", endpoint="admin_user_reactivate")
@allow(Role.ADMIN)
def reactivate_user(user_id: int) -> PageResult:
    return _user_action(
        user_id,
        lambda: user_admin.set_active(
            request_session(), user_id=user_id, active=True, actor_user_id=actor()
        ),
        gettext("The user is active again."),
    )


@blueprint.post("/admin/users/<int:user_id>/unlock", endpoint="admin_user_unlock")
@allow(Role.ADMIN)
def unlock_user(user_id: int) -> PageResult:
    return _user_action(
        user_id,
        lambda: resets.unlock_user(request_session(), user_id, actor_user_id=actor()),
        gettext("The lockout is lifted: the user can sign in again."),
    )


@blueprint.post("/admin/users/<int:user_id>/role", endpoint="admin_user_role")
@allow(Role.ADMIN)
def change_user_role(user_id: int) -> PageResult:
    form = ChangeRoleForm()
    if not form.validate_on_submit():
        return refused(lambda **kw: _user_page(user_id, **kw), gettext("Choose one of the roles."))
    try:
        user_admin.change_role(
            request_session(), user_id=user_id, role=Role(form.role.data), actor_user_id=actor()
        )
    except AdministrationError as error:
        return refused(lambda **kw: _user_page(user_id, **kw), error)
    request_session().commit()
    flash(gettext("The role is changed."))
    return redirect(url_for("console.admin_user", user_id=user_id))


def _reset(
    user_id: int, make: Callable[[], user_admin.CredentialSheet], purpose: str
) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return refused(
            lambda **kw: _user_page(user_id, **kw), gettext("The form expired; try again.")
        )
    try:
        sheet = make()
    except AdministrationError as error:
        return refused(lambda **kw: _user_page(user_id, **kw), error)
    request_session().commit()
    return _sheet_page(sheet, purpose=purpose)


@blueprint.post(
    "/admin/users/<int:user_id>/reset-second-factor", endpoint="admin_user_reset_second_factor"
)
@allow(Role.ADMIN)
def reset_second_factor(user_id: int) -> PageResult:
    return _reset(
        user_id,
        lambda: user_admin.reset_second_factor(
            request_session(), user_id=user_id, actor_user_id=actor()
        ),
        "second_factor",
    )


@blueprint.post("/admin/users/<int:user_id>/reset-password", endpoint="admin_user_reset_password")
@allow(Role.ADMIN)
def reset_password(user_id: int) -> PageResult:
    return _reset(
        user_id,
        lambda: user_admin.reset_password(
            request_session(),
            user_id=user_id,
            actor_user_id=actor(),
            cost=vigil().settings.password_cost,
        ),
        "password",
    )
