"""Console views: the signed-in user's own account (password, sessions).

A user whose password someone else chose (`User.password_change_required`)
is sent here from every other console page until they have changed it
(`require_sign_in` in reporting/console/__init__.py).
"""

from __future__ import annotations

import hashlib

from flask import g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from reporting.accounts.enrolment import user_fingerprint
from reporting.accounts.password_change import PasswordChangeRefused, change_password
from reporting.accounts.password_policy import PASSWORD_MIN_LENGTH
from reporting.accounts.sessions import active_session_count, sign_out_other_sessions
from reporting.casework.lists import user_queues
from reporting.console import COOKIE_TOKEN, EVERY_ROLE, allow, blueprint
from reporting.console.forms import ChangePasswordForm, SignOutOthersForm
from reporting.core.models import User
from reporting.web.context import request_session, vigil
from reporting.web.extensions import limiter

# What the page says after a successful POST (the redirect carries only the key).
DONE_MESSAGES = {
    "password": _l("Your password has been changed."),
    "signed-out-others": _l("Your other sessions have been signed out."),
}


def password_change_rate_key() -> str:
    """Attempts are counted per console session: each guess at the current password costs one."""
    token = session.get(COOKIE_TOKEN, "")
    return "password-change:" + hashlib.sha256(str(token).encode()).hexdigest()


def _render_account(form: ChangePasswordForm | None = None, status: int = 200) -> tuple[str, int]:
    user: User = g.console_user
    db = request_session()
    queues = user_queues(db, user)
    done = DONE_MESSAGES.get(request.args.get("done", ""))
    ended = request.args.get("ended", type=int)
    page = render_template(
        "console/account.html",
        user=user,
        fingerprint=user_fingerprint(user),
        queues=queues,
        session_count=active_session_count(db, user),
        password_min_length=PASSWORD_MIN_LENGTH,
        form=form or ChangePasswordForm(formdata=None),
        sign_out_others_form=SignOutOthersForm(formdata=None),
        done=done,
        ended=ended if done and ended is not None and ended >= 0 else None,
    )
    return page, status


@blueprint.get("/account", endpoint="account")
@allow(*EVERY_ROLE)
def account() -> tuple[str, int]:
    return _render_account()


@blueprint.post("/account/password", endpoint="change_password")
@limiter.limit("5 per minute", key_func=password_change_rate_key)
@allow(*EVERY_ROLE)
def change_password_view() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _render_account(form, 400)
    try:
        ended = change_password(
            request_session(),
            g.console_session,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
            confirmation=form.confirmation.data,
            cost=vigil().settings.password_cost,
        )
    except PasswordChangeRefused as refusal:
        getattr(form, refusal.field).errors.append(refusal.message)
        return _render_account(form, 400)
    return redirect(url_for("console.account", done="password", ended=ended))


@blueprint.post("/account/sign-out-others", endpoint="sign_out_others")
@allow(*EVERY_ROLE)
def sign_out_others_view() -> Response | tuple[str, int]:
    form = SignOutOthersForm()
    if not form.validate_on_submit():
        return _render_account(status=400)
    ended = sign_out_other_sessions(request_session(), g.console_session)
    return redirect(url_for("console.account", done="signed-out-others", ended=ended))
