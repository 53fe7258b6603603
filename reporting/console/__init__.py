"""The investigators' console.

Deny by default, twice over:

- every view needs a signed-in session with its second factor checked,
  unless its endpoint is listed in PUBLIC_ENDPOINTS;
- every view is refused (403) unless it names the roles it serves with
  `@allow(...)`; a view that forgets to is closed to everyone, not open.

Views live in one module per area (account, queues, cases, admin, audit,
metrics), all on this one blueprint; the domain work is in reporting/ services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from crypto import PrivateKey, open_for_session
from reporting.accounts.enrolment import user_fingerprint
from reporting.accounts.sessions import current_session, sign_out
from reporting.accounts.sign_in import SignInFailed, sign_in
from reporting.cases.deadlines import DeadlineState
from reporting.casework.list_query import CaseFilter, CaseQuery, CaseSort, PageRequest, SortKey
from reporting.casework.lists import CasePage, count_by_queue_and_status, list_cases
from reporting.console import sign_in_limits
from reporting.console.forms import SignInForm
from reporting.core import clock
from reporting.core.models import ReportStatus, Role, User
from reporting.intake.public_key import active_intake_key
from reporting.pipeline.claims import triage_health
from reporting.web.context import request_session, vigil
from reporting.web.extensions import limiter

blueprint = Blueprint("console", __name__)

PUBLIC_ENDPOINTS = frozenset({"console.sign_in"})
# All a user who must change their password may open until they have.
PASSWORD_CHANGE_ENDPOINTS = frozenset(
    {"console.account", "console.change_password", "console.sign_out"}
)
# Names of the two values the session cookie carries (not secrets themselves).
COOKIE_TOKEN = "console_token"  # noqa: S105
COOKIE_SESSION_SECRET = "console_session_secret"  # noqa: S105

EVERY_ROLE = tuple(Role)
# The attribute @allow sets on a view; a view without it is refused to every role.
_ROLES_ATTRIBUTE = "vigil_allowed_roles"

View = TypeVar("View", bound=Callable[..., object])


def allow(*roles: Role) -> Callable[[View], View]:
    """Open the decorated view to `roles`, and only to them."""

    def mark(view: View) -> View:
        setattr(view, _ROLES_ATTRIBUTE, frozenset(roles))
        return view

    return mark


def allowed_roles(endpoint: str | None) -> frozenset[Role]:
    view = current_app.view_functions.get(endpoint or "")
    roles: frozenset[Role] = getattr(view, _ROLES_ATTRIBUTE, frozenset())
    return roles


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString


# The console's navigation, in order; each user sees the items their role may open.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("console.home", _l("Dashboard")),
    NavItem("console.queue_list", _l("Cases")),
    NavItem("console.metrics", _l("Metrics")),
    NavItem("console.audit_log", _l("Audit log")),
    NavItem("console.admin_users", _l("Users")),
    NavItem("console.admin_queues", _l("Queues")),
    NavItem("console.admin_rules", _l("Routing rules")),
    NavItem("console.admin_lists", _l("Screening lists")),
    NavItem("console.admin_retention", _l("Retention")),
    NavItem("console.account", _l("Account")),
)


def may_open(user: User, endpoint: str) -> bool:
    return user.role in allowed_roles(endpoint)


@blueprint.app_context_processor
def navigation() -> dict[str, object]:
    user: User | None = g.get("console_user")
    items = [item for item in NAVIGATION if user is not None and may_open(user, item.endpoint)]
    return {"console_navigation": items}


def session_private_key() -> PrivateKey:
    """The signed-in user's private key, opened from the database half and the cookie half.

    Only for the length of the request: it is never stored in `g` or elsewhere.
    """
    secret = bytes.fromhex(session[COOKIE_SESSION_SECRET])
    return open_for_session(secret, g.console_session.session_key)


@blueprint.before_request
def require_sign_in() -> Response | None:
    g.console_user = None
    token = session.get(COOKIE_TOKEN)
    console_session = current_session(request_session(), token) if token else None
    if request.endpoint in PUBLIC_ENDPOINTS:
        if console_session is not None:
            g.console_session = console_session
            g.console_user = request_session().get(User, console_session.user_id)
        return None
    if console_session is None:
        session.clear()
        return redirect(url_for("console.sign_in"))
    g.console_session = console_session
    user = request_session().get_one(User, console_session.user_id)
    g.console_user = user
    # A password someone else chose opens nothing but the page to replace it.
    if user.password_change_required and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("console.account"))
    if user.role not in allowed_roles(request.endpoint):
        abort(403)
    return None


@blueprint.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
@limiter.limit(
    sign_in_limits.PER_NAME,
    methods=["POST"],
    key_func=sign_in_limits.sign_in_name_bucket,
    exempt_when=sign_in_limits.carries_the_right_code,
)
# A ceiling over all accounts, so guessing across many names is slow too.
@limiter.limit(
    sign_in_limits.ALL_NAMES,
    methods=["POST"],
    exempt_when=sign_in_limits.carries_the_right_code,
)
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
        error = gettext("The user name, password or code is not correct.")
        return render_template("console/sign_in.html", form=form, error=error), 401
    # A new cookie for the new privilege level: a session fixed before sign-in is dropped.
    session.clear()
    session[COOKIE_TOKEN] = signed_in.token
    session[COOKIE_SESSION_SECRET] = signed_in.session_secret.hex()
    if signed_in.password_change_required:
        return redirect(url_for("console.account"))
    return redirect(url_for("console.home"))


@blueprint.post("/sign-out", endpoint="sign_out")
@allow(*EVERY_ROLE)
def sign_out_view() -> Response:
    sign_out(request_session(), g.console_session)
    session.clear()
    return redirect(url_for("console.sign_in"))


@blueprint.get("/")
@allow(*EVERY_ROLE)
def home() -> str:
    """The personal dashboard: counts per queue and status, the cases whose deadlines press.

    Every role gets it; a user in no queue (an administrator, an auditor) is
    told that no case is readable by them. Metadata only, like the case list.
    """
    user: User = g.console_user
    session = request_session()
    now = clock.now()

    def pressing(state: DeadlineState) -> CasePage:
        query = CaseQuery(
            CaseFilter(deadline=state), CaseSort(SortKey.DEADLINE), PageRequest(1, DASHBOARD_ROWS)
        )
        return list_cases(session, user, query, now)

    intake_fingerprint = (
        active_intake_key(session).fingerprint
        if user.role in {Role.ADMIN, Role.SUPERVISOR}
        else None
    )
    return render_template(
        "console/home.html",
        queue_counts=count_by_queue_and_status(session, user),
        statuses=list(ReportStatus),
        overdue=pressing(DeadlineState.OVERDUE),
        due_soon=pressing(DeadlineState.DUE_SOON),
        may_list_cases=may_open(user, "console.queue_list"),
        user_fingerprint=user_fingerprint(user),
        intake_fingerprint=intake_fingerprint,
        # Reports the worker keeps failing on wait for an operator: counts only.
        triage=triage_health(session) if user.role is Role.ADMIN else None,
    )


# How many overdue and how many due-soon cases the dashboard lists (the rest: a link).
DASHBOARD_ROWS = 20


# The views of each area register themselves on `blueprint` when imported.
from reporting.console import (  # noqa: E402
    account,
    admin,
    audit_log,
    case_actions,
    cases,
    labels,
    metrics,
    queues,
)

__all__ = [
    "account",
    "admin",
    "audit_log",
    "blueprint",
    "case_actions",
    "cases",
    "labels",
    "metrics",
    "queues",
]
