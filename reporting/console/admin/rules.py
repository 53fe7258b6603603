"""The routing rules pages: add, edit, move, enable, disable and delete rules."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from reporting.admin.errors import AdministrationError
from reporting.admin.rules import (
    RuleInput,
    add_routing_rule,
    delete_routing_rule,
    edit_routing_rule,
    move_rule,
    rules_overview,
    set_rule_enabled,
)
from reporting.console import allow, blueprint
from reporting.console.admin.forms import ConfirmForm, RuleForm
from reporting.console.admin.pages import PageResult, actor, queue_choices, refused
from reporting.core.errors import NotFound
from reporting.core.models import Queue, Role, RoutingRule
from reporting.web.context import request_session


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
    form.queue.choices = queue_choices()
    return form


def _rule_input(form: RuleForm) -> RuleInput:
    return RuleInput(
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
        rows=rules_overview(request_session()),
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
        add_routing_rule(request_session(), _rule_input(form), actor_user_id=actor())
    except AdministrationError as error:
        return refused(lambda **kw: _rules_page(form, **kw), error)
    request_session().commit()
    flash(gettext("The rule is added at the end of the list; move it up to try it earlier."))
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
        edit_routing_rule(request_session(), rule_id, _rule_input(form), actor_user_id=actor())
    except AdministrationError as error:
        return refused(lambda **kw: _edit_page(rule_id, form, **kw), error)
    request_session().commit()
    flash(gettext("The rule is saved."))
    return redirect(url_for("console.admin_rules"))


def _rule_action(action: Callable[[], object], done: str) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return refused(_rules_page, gettext("The form expired; try again."))
    try:
        action()
    except AdministrationError as error:
        return refused(_rules_page, error)
    request_session().commit()
    flash(done)
    return redirect(url_for("console.admin_rules"))


@blueprint.post("/admin/rules/<int:rule_id>/up", endpoint="admin_rule_up")
@allow(Role.ADMIN)
def move_rule_up(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: move_rule(request_session(), rule_id, up=True, actor_user_id=actor()),
        gettext("The rule is moved up."),
    )


@blueprint.post("/admin/rules/<int:rule_id>/down", endpoint="admin_rule_down")
@allow(Role.ADMIN)
def move_rule_down(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: move_rule(request_session(), rule_id, up=False, actor_user_id=actor()),
        gettext("The rule is moved down."),
    )


@blueprint.post("/admin/rules/<int:rule_id>/enable", endpoint="admin_rule_enable")
@allow(Role.ADMIN)
def enable_rule(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: set_rule_enabled(request_session(), rule_id, enabled=True, actor_user_id=actor()),
        gettext("The rule is enabled."),
    )


@blueprint.post("/admin/rules/<int:rule_id>/disable", endpoint="admin_rule_disable")
@allow(Role.ADMIN)
def disable_rule(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: set_rule_enabled(request_session(), rule_id, enabled=False, actor_user_id=actor()),
        gettext("The rule is disabled."),
    )


@blueprint.post("/admin/rules/<int:rule_id>/delete", endpoint="admin_rule_delete")
@allow(Role.ADMIN)
def delete_rule(rule_id: int) -> PageResult:
    return _rule_action(
        lambda: delete_routing_rule(request_session(), rule_id, actor_user_id=actor()),
        gettext("The rule is deleted."),
    )
