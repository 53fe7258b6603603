"""The investigators' console.

Deny by default: every view needs a signed-in session with its second factor
checked, unless its endpoint is listed in PUBLIC_ENDPOINTS.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from reporting.accounts import SignInFailed, current_session, sign_in, sign_out, user_fingerprint
from reporting.console.forms import SignInForm
from reporting.context import request_session, vigil
from reporting.extensions import limiter
from reporting.intake import active_intake_key
from reporting.models import Queue, QueueMembership, Role, User

blueprint = Blueprint("console", __name__)

PUBLIC_ENDPOINTS = frozenset({"console.sign_in"})
# Names of the two values the session cookie carries (not secrets themselves).
COOKIE_TOKEN = "console_token"  # noqa: S105
COOKIE_SESSION_SECRET = "console_session_secret"  # noqa: S105


@blueprint.before_request
def require_sign_in() -> Response | None:
    g.console_user = None
    token = session.get(COOKIE_TOKEN)
    console_session = current_session(request_session(), token) if token else None
    if console_session is not None:
        g.console_session = console_session
        g.console_user = request_session().get(User, console_session.user_id)
        return None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    session.clear()
    return redirect(url_for("console.sign_in"))


def sign_in_rate_key() -> str:
    """Sign-in attempts are counted per account name, not per address (none is kept)."""
    return "sign-in:" + request.form.get("username", "").strip().lower()


@blueprint.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
@limiter.limit("10 per minute", methods=["POST"], key_func=sign_in_rate_key)
# A ceiling over all accounts, so guessing across many names is slow too.
@limiter.limit("60 per minute", methods=["POST"])
def sign_in_view() -> Response | str | tuple[str, int]:
    if g.console_user is not None:
        return redirect(url_for("console.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("console/sign_in.html", form=form, error=None), status
    try:
        signed_in = sign_in(
            request_session(),
            username=form.username.data,
            password=form.password.data,
            code=form.code.data,
            cost=vigil().settings.password_cost,
        )
    except SignInFailed:
        error = "The user name, password or code is not correct."
        return render_template("console/sign_in.html", form=form, error=error), 401
    # A new cookie for the new privilege level: a session fixed before sign-in is dropped.
    session.clear()
    session[COOKIE_TOKEN] = signed_in.token
    session[COOKIE_SESSION_SECRET] = signed_in.session_secret.hex()
    return redirect(url_for("console.home"))


@blueprint.post("/sign-out", endpoint="sign_out")
def sign_out_view() -> Response:
    sign_out(request_session(), g.console_session)
    session.clear()
    return redirect(url_for("console.sign_in"))


@blueprint.get("/")
def home() -> str:
    user: User = g.console_user
    queues = request_session().scalars(
        select(Queue)
        .join(QueueMembership, QueueMembership.queue_id == Queue.id)
        .where(QueueMembership.user_id == user.id)
        .order_by(Queue.name)
    )
    intake_fingerprint = (
        active_intake_key(request_session()).fingerprint
        if user.role in {Role.ADMIN, Role.SUPERVISOR}
        else None
    )
    return render_template(
        "console/home.html",
        queues=list(queues),
        user_fingerprint=user_fingerprint(user),
        intake_fingerprint=intake_fingerprint,
    )
