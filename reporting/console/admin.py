"""The administrator's pages: users, queues, routing rules, screening lists, retention.

Administrators only, and none of these pages shows or can reach report
content (reporting/admin/administration.py says why). The views are thin: the work
is in reporting.admin.administration; an `AdministrationError` comes back to the
page as a message with status 400.

The credential sheet (a new user's password and TOTP secret, or a reset's) is
rendered once, in the answer to the POST that made it, and stored nowhere;
every console page is sent with `Cache-Control: no-store`. Its QR code is
inline SVG made here on the server (segno), without style attributes, so it
needs nothing from another origin and nothing the CSP does not already allow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import segno
from flask import flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from reporting.accounts import service as accounts
from reporting.admin import administration as admin
from reporting.console import allow, blueprint
from reporting.console.admin_forms import (
    AddMemberForm,
    ChangeRoleForm,
    ConfirmForm,
    CreateQueueForm,
    EnrolUserForm,
    ListUploadForm,
    RenameQueueForm,
    RuleForm,
)
from reporting.core import clock
from reporting.core.errors import NotFound
from reporting.core.models import Queue, Role, RoutingRule, User
from reporting.intake.public_key import IntakeKeyError, active_intake_key
from reporting.pipeline.screening_lists import list_versions
from reporting.web.context import request_session, vigil
from reporting.web.requests import body_limit

PageResult = str | tuple[str, int] | Response


def _actor() -> int:
    user: User = g.console_user
    return user.id


def _refused(render: Callable[..., str], error: admin.AdministrationError | str) -> tuple[str, int]:
    """The page again, with what was wrong; nothing was changed (rolled back)."""
    request_session().rollback()
    return render(error=str(error)), 400


def _intake_fingerprint() -> str | None:
    try:
        return active_intake_key(request_session()).fingerprint
    except IntakeKeyError:
        return None


def totp_qr_svg(uri: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code: no style attribute, no data: URI."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        svgclass="totp-qr",
        lineclass=None,
        title="QR code for your authenticator app",
    )
    # segno builds the markup from the QR matrix and our fixed strings only.
    return Markup(svg)  # noqa: S704


def _sheet_page(sheet: admin.CredentialSheet, *, purpose: str) -> str:
    qr = totp_qr_svg(sheet.totp_uri) if sheet.totp_uri else None
    return render_template("console/admin/sheet.html", sheet=sheet, purpose=purpose, qr=qr)


def _queue_choices() -> list[SelectChoice]:
    queues = request_session().scalars(select(Queue).order_by(Queue.name))
    return [SelectChoice(queue.slug, queue.name) for queue in queues]


# ---------------------------------------------------------------- users


def _users_page(form: EnrolUserForm | None = None, error: str | None = None) -> str:
    if form is None:
        form = EnrolUserForm()
        form.queues.choices = _queue_choices()
    return render_template(
        "console/admin/users.html",
        rows=admin.users_overview(request_session()),
        form=form,
        error=error,
        intake_fingerprint=_intake_fingerprint(),
    )


@blueprint.get("/admin/users", endpoint="admin_users")
@allow(Role.ADMIN)
def users() -> str:
    return _users_page()


@blueprint.post("/admin/users", endpoint="admin_user_enrol")
@allow(Role.ADMIN)
def enrol_user() -> PageResult:
    form = EnrolUserForm()
    form.queues.choices = _queue_choices()
    if not form.validate_on_submit():
        return _users_page(form), 400
    session = request_session()
    try:
        sheet = admin.enrol_user(
            session,
            username=form.username.data,
            display_name=form.display_name.data,
            role=Role(form.role.data),
            queue_slugs=form.queues.data or [],
            cost=vigil().settings.password_cost,
            actor_user_id=_actor(),
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _users_page(form, **kw), error)
    session.commit()
    return _sheet_page(sheet, purpose="enrolment")


def _user_page(user_id: int, error: str | None = None) -> str:
    user = request_session().get(User, user_id)
    if user is None:
        raise NotFound()
    row = next(row for row in admin.users_overview(request_session()) if row.user.id == user_id)
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
        return _refused(lambda **kw: _user_page(user_id, **kw), "The form expired; try again.")
    try:
        action()
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _user_page(user_id, **kw), error)
    request_session().commit()
    flash(done)
    return redirect(url_for("console.admin_user", user_id=user_id))


@blueprint.post("/admin/users/<int:user_id>/deactivate", endpoint="admin_user_deactivate")
@allow(Role.ADMIN)
def deactivate_user(user_id: int) -> PageResult:
    return _user_action(
        user_id,
        lambda: admin.set_active(
            request_session(), user_id=user_id, active=False, actor_user_id=_actor()
        ),
        "The user is deactivated and signed out everywhere.",
    )


@blueprint.post("/admin/users/<int:user_id>/reactivate", endpoint="admin_user_reactivate")
@allow(Role.ADMIN)
def reactivate_user(user_id: int) -> PageResult:
    return _user_action(
        user_id,
        lambda: admin.set_active(
            request_session(), user_id=user_id, active=True, actor_user_id=_actor()
        ),
        "The user is active again.",
    )


@blueprint.post("/admin/users/<int:user_id>/unlock", endpoint="admin_user_unlock")
@allow(Role.ADMIN)
def unlock_user(user_id: int) -> PageResult:
    return _user_action(
        user_id,
        lambda: accounts.unlock_user(request_session(), user_id, actor_user_id=_actor()),
        "The lockout is lifted: the user can sign in again.",
    )


@blueprint.post("/admin/users/<int:user_id>/role", endpoint="admin_user_role")
@allow(Role.ADMIN)
def change_user_role(user_id: int) -> PageResult:
    form = ChangeRoleForm()
    if not form.validate_on_submit():
        return _refused(lambda **kw: _user_page(user_id, **kw), "Choose one of the roles.")
    try:
        admin.change_role(
            request_session(), user_id=user_id, role=Role(form.role.data), actor_user_id=_actor()
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _user_page(user_id, **kw), error)
    request_session().commit()
    flash("The role is changed.")
    return redirect(url_for("console.admin_user", user_id=user_id))


def _reset(user_id: int, make: Callable[[], admin.CredentialSheet], purpose: str) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return _refused(lambda **kw: _user_page(user_id, **kw), "The form expired; try again.")
    try:
        sheet = make()
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _user_page(user_id, **kw), error)
    request_session().commit()
    return _sheet_page(sheet, purpose=purpose)


@blueprint.post(
    "/admin/users/<int:user_id>/reset-second-factor", endpoint="admin_user_reset_second_factor"
)
@allow(Role.ADMIN)
def reset_second_factor(user_id: int) -> PageResult:
    return _reset(
        user_id,
        lambda: admin.reset_second_factor(
            request_session(), user_id=user_id, actor_user_id=_actor()
        ),
        "second_factor",
    )


@blueprint.post("/admin/users/<int:user_id>/reset-password", endpoint="admin_user_reset_password")
@allow(Role.ADMIN)
def reset_password(user_id: int) -> PageResult:
    return _reset(
        user_id,
        lambda: admin.reset_password(
            request_session(),
            user_id=user_id,
            actor_user_id=_actor(),
            cost=vigil().settings.password_cost,
        ),
        "password",
    )


# ---------------------------------------------------------------- queues


def _queues_page(form: CreateQueueForm | None = None, error: str | None = None) -> str:
    return render_template(
        "console/admin/queues.html",
        rows=admin.queues_overview(request_session()),
        form=form or CreateQueueForm(),
        error=error,
    )


@blueprint.get("/admin/queues", endpoint="admin_queues")
@allow(Role.ADMIN)
def queues() -> str:
    return _queues_page()


@blueprint.post("/admin/queues", endpoint="admin_queue_create")
@allow(Role.ADMIN)
def create_queue() -> PageResult:
    form = CreateQueueForm()
    if not form.validate_on_submit():
        return _queues_page(form), 400
    try:
        queue = admin.create_queue(
            request_session(),
            slug=form.slug.data,
            name=form.name.data,
            description=form.description.data or "",
            actor_user_id=_actor(),
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _queues_page(form, **kw), error)
    request_session().commit()
    flash(f"The queue {queue.name} is created. Add its members, then a routing rule to fill it.")
    return redirect(url_for("console.admin_queue", queue_id=queue.id))


def _queue_page(
    queue_id: int,
    *,
    rename: RenameQueueForm | None = None,
    member: AddMemberForm | None = None,
    error: str | None = None,
) -> str:
    row = next(
        (row for row in admin.queues_overview(request_session()) if row.queue.id == queue_id), None
    )
    if row is None:
        raise NotFound()
    if member is None:
        member = AddMemberForm()
        _member_choices(member, row)
    return render_template(
        "console/admin/queue.html",
        row=row,
        rename=rename or RenameQueueForm(name=row.queue.name, description=row.queue.description),
        member=member,
        confirm=ConfirmForm(),
        error=error,
    )


def _member_choices(form: AddMemberForm, row: admin.QueueRow | None) -> None:
    members = {user.id for user in row.members} if row else set()
    candidates = request_session().scalars(
        select(User).where(User.is_active, User.role.in_(admin.QUEUE_ROLES)).order_by(User.username)
    )
    form.user_id.choices = [
        SelectChoice(user.id, f"{user.display_name} ({user.username}, {user.role.value})")
        for user in candidates
        if user.id not in members
    ]


@blueprint.get("/admin/queues/<int:queue_id>", endpoint="admin_queue")
@allow(Role.ADMIN)
def queue_detail(queue_id: int) -> str:
    return _queue_page(queue_id)


@blueprint.post("/admin/queues/<int:queue_id>/rename", endpoint="admin_queue_rename")
@allow(Role.ADMIN)
def rename_queue(queue_id: int) -> PageResult:
    form = RenameQueueForm()
    if not form.validate_on_submit():
        return _refused(
            lambda **kw: _queue_page(queue_id, rename=form, **kw), "Enter the queue's name."
        )
    try:
        admin.rename_queue(
            request_session(),
            queue_id=queue_id,
            name=form.name.data,
            description=form.description.data or "",
            actor_user_id=_actor(),
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _queue_page(queue_id, rename=form, **kw), error)
    request_session().commit()
    flash("The queue is renamed.")
    return redirect(url_for("console.admin_queue", queue_id=queue_id))


@blueprint.post("/admin/queues/<int:queue_id>/members", endpoint="admin_queue_member_add")
@allow(Role.ADMIN)
def add_member(queue_id: int) -> PageResult:
    form = AddMemberForm()
    _member_choices(form, None)
    if not form.validate_on_submit():
        return _refused(lambda **kw: _queue_page(queue_id, **kw), "Choose a user to add.")
    try:
        admin.add_member(
            request_session(), queue_id=queue_id, user_id=form.user_id.data, actor_user_id=_actor()
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _queue_page(queue_id, **kw), error)
    request_session().commit()
    flash(
        "The member is added. They receive the cases triaged into this queue from now on;"
        " an investigator of an existing case can grant them access to it."
    )
    return redirect(url_for("console.admin_queue", queue_id=queue_id))


@blueprint.post(
    "/admin/queues/<int:queue_id>/members/<int:user_id>/remove",
    endpoint="admin_queue_member_remove",
)
@allow(Role.ADMIN)
def remove_member(queue_id: int, user_id: int) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return _refused(lambda **kw: _queue_page(queue_id, **kw), "The form expired; try again.")
    try:
        admin.remove_member(
            request_session(), queue_id=queue_id, user_id=user_id, actor_user_id=_actor()
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _queue_page(queue_id, **kw), error)
    request_session().commit()
    flash(
        "The member is removed. Cases they already hold stay theirs until access is revoked"
        " on the case."
    )
    return redirect(url_for("console.admin_queue", queue_id=queue_id))


# ---------------------------------------------------------------- routing rules


def _rule_form(rule: RoutingRule | None = None) -> RuleForm:
    if rule is None:
        form = RuleForm()
    else:
        conditions = rule.conditions
        queue = request_session().get_one(Queue, rule.queue_id)
        form = RuleForm(
            name=rule.name,
            queue=queue.slug,
            categories=conditions.get("categories", []),
            domains=conditions.get("domains", []),
            priorities=conditions.get("priorities", []),
            intake_types=conditions.get("intake_types", []),
            countries=", ".join(conditions.get("countries", [])),
            enabled=rule.enabled,
        )
    form.queue.choices = _queue_choices()
    return form


def _rule_input(form: RuleForm) -> admin.RuleInput:
    return admin.RuleInput(
        name=form.name.data,
        queue_slug=form.queue.data,
        categories=form.categories.data or [],
        domains=form.domains.data or [],
        priorities=form.priorities.data or [],
        intake_types=form.intake_types.data or [],
        countries=form.country_codes(),
        enabled=bool(form.enabled.data),
    )


def _rules_page(form: RuleForm | None = None, error: str | None = None) -> str:
    return render_template(
        "console/admin/rules.html",
        rows=admin.rules_overview(request_session()),
        form=form or _rule_form(),
        confirm=ConfirmForm(),
        error=error,
    )


@blueprint.get("/admin/rules", endpoint="admin_rules")
@allow(Role.ADMIN)
def rules() -> str:
    return _rules_page()


@blueprint.post("/admin/rules", endpoint="admin_rule_add")
@allow(Role.ADMIN)
def add_rule() -> PageResult:
    form = _rule_form()
    if not form.validate_on_submit():
        return _rules_page(form), 400
    try:
        admin.add_routing_rule(request_session(), _rule_input(form), actor_user_id=_actor())
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _rules_page(form, **kw), error)
    request_session().commit()
    flash("The rule is added at the end of the list; move it up to try it earlier.")
    return redirect(url_for("console.admin_rules"))


def _edit_page(rule_id: int, form: RuleForm | None = None, error: str | None = None) -> str:
    rule = request_session().get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound()
    return render_template(
        "console/admin/rule.html", rule=rule, form=form or _rule_form(rule), error=error
    )


@blueprint.route("/admin/rules/<int:rule_id>", methods=["GET", "POST"], endpoint="admin_rule")
@allow(Role.ADMIN)
def edit_rule(rule_id: int) -> PageResult:
    if request.method == "GET":
        return _edit_page(rule_id)
    form = _rule_form()
    if not form.validate_on_submit():
        return _edit_page(rule_id, form), 400
    try:
        admin.edit_routing_rule(
            request_session(), rule_id, _rule_input(form), actor_user_id=_actor()
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _edit_page(rule_id, form, **kw), error)
    request_session().commit()
    flash("The rule is saved.")
    return redirect(url_for("console.admin_rules"))


def _rule_action(action: Callable[[], object], done: str) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return _refused(_rules_page, "The form expired; try again.")
    try:
        action()
    except admin.AdministrationError as error:
        return _refused(_rules_page, error)
    request_session().commit()
    flash(done)
    return redirect(url_for("console.admin_rules"))


@blueprint.post("/admin/rules/<int:rule_id>/up", endpoint="admin_rule_up")
@allow(Role.ADMIN)
def move_rule_up(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: admin.move_rule(request_session(), rule_id, up=True, actor_user_id=_actor()),
        "The rule is moved up.",
    )


@blueprint.post("/admin/rules/<int:rule_id>/down", endpoint="admin_rule_down")
@allow(Role.ADMIN)
def move_rule_down(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: admin.move_rule(request_session(), rule_id, up=False, actor_user_id=_actor()),
        "The rule is moved down.",
    )


@blueprint.post("/admin/rules/<int:rule_id>/enable", endpoint="admin_rule_enable")
@allow(Role.ADMIN)
def enable_rule(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: admin.set_rule_enabled(
            request_session(), rule_id, enabled=True, actor_user_id=_actor()
        ),
        "The rule is enabled.",
    )


@blueprint.post("/admin/rules/<int:rule_id>/disable", endpoint="admin_rule_disable")
@allow(Role.ADMIN)
def disable_rule(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: admin.set_rule_enabled(
            request_session(), rule_id, enabled=False, actor_user_id=_actor()
        ),
        "The rule is disabled.",
    )


@blueprint.post("/admin/rules/<int:rule_id>/delete", endpoint="admin_rule_delete")
@allow(Role.ADMIN)
def delete_rule(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: admin.delete_routing_rule(request_session(), rule_id, actor_user_id=_actor()),
        "The rule is deleted.",
    )


# ---------------------------------------------------------------- screening lists


def _lists_page(form: ListUploadForm | None = None, error: str | None = None) -> str:
    return render_template(
        "console/admin/lists.html",
        versions=list_versions(request_session()),
        form=form or ListUploadForm(),
        error=error,
        intake_fingerprint=_intake_fingerprint(),
    )


@blueprint.get("/admin/lists", endpoint="admin_lists")
@allow(Role.ADMIN)
def lists() -> str:
    return _lists_page()


@blueprint.post("/admin/lists", endpoint="admin_list_import")
@allow(Role.ADMIN)
@body_limit(lambda _settings: admin.MAX_LIST_UPLOAD_BYTES + 1024 * 1024)
def import_list() -> PageResult:
    form = ListUploadForm()
    if not form.validate_on_submit():
        return _lists_page(form), 400
    upload: FileStorage = form.file.data
    upload.stream.seek(0)
    try:
        result = admin.import_uploaded_list(
            request_session(),
            upload.stream,
            work_dir=vigil().settings.instance_path,
            actor_user_id=_actor(),
        )
    except admin.AdministrationError as error:
        return _refused(lambda **kw: _lists_page(form, **kw), error)
    if result.created:
        flash(
            f"Imported {result.source} version {result.version_label}:"
            f" {result.entry_count} entries. Reports already triaged are screened again"
            " against it when an investigator of their queue opens them."
        )
    else:
        flash(f"{result.source} version {result.version_label} was already imported.")
    return redirect(url_for("console.admin_lists"))


# ---------------------------------------------------------------- retention


def _retention_period() -> timedelta | None:
    days = vigil().settings.retention_days
    return timedelta(days=days) if days else None


def _retention_page(error: str | None = None) -> str:
    period = _retention_period()
    due = (
        admin.closed_cases_due(request_session(), older_than=period, now=clock.now())
        if period
        else []
    )
    return render_template(
        "console/admin/retention.html",
        retention_days=vigil().settings.retention_days,
        due=due,
        confirm=ConfirmForm(),
        error=error,
    )


@blueprint.get("/admin/retention", endpoint="admin_retention")
@allow(Role.ADMIN)
def retention() -> str:
    return _retention_page()


@blueprint.post("/admin/retention/purge", endpoint="admin_retention_purge")
@allow(Role.ADMIN)
def purge() -> PageResult:
    period = _retention_period()
    if not ConfirmForm().validate_on_submit():
        return _refused(_retention_page, "The form expired; try again.")
    if period is None:
        return _refused(_retention_page, "Retention is off: nothing is purged.")
    summary = admin.purge_closed_cases(
        request_session(),
        vigil().blob_store,
        older_than=period,
        now=clock.now(),
        actor_user_id=_actor(),
    )
    message = f"Purged {len(summary.purged)} closed cases."
    if summary.blobs_pending:
        message += (
            f" {len(summary.blobs_pending)} attachment files could not be deleted yet;"
            " the next purge tries again."
        )
    flash(message)
    return redirect(url_for("console.admin_retention"))
