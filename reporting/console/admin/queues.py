"""The queues pages: create and rename queues, add and remove members."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from sqlalchemy import select
from wtforms import SelectChoice

from reporting.admin import queues as queue_admin
from reporting.admin.errors import AdministrationError
from reporting.console import allow, blueprint
from reporting.console.admin.forms import (
    AddMemberForm,
    ConfirmForm,
    CreateQueueForm,
    RenameQueueForm,
)
from reporting.console.admin.pages import PageResult, actor, refused
from reporting.core.errors import NotFound
from reporting.core.models import Role, User
from reporting.web.context import request_session


def _queues_page(form: CreateQueueForm | None = None, error: str | None = None) -> str:
    return render_template(
        "console/admin/queues.html",
        rows=queue_admin.queues_overview(request_session()),
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
        queue = queue_admin.create_queue(
            request_session(),
            slug=form.slug.data,
            name=form.name.data,
            description=form.description.data or "",
            actor_user_id=actor(),
        )
    except AdministrationError as error:
        return refused(lambda **kw: _queues_page(form, **kw), error)
    request_session().commit()
    flash(
        gettext(
            "The queue %(name)s is created. Add its members, then a routing rule to fill it.",
            name=queue.name,
        )
    )
    return redirect(url_for("console.admin_queue", queue_id=queue.id))


def _queue_page(
    queue_id: int,
    *,
    rename: RenameQueueForm | None = None,
    member: AddMemberForm | None = None,
    error: str | None = None,
) -> str:
    row = next(
        (row for row in queue_admin.queues_overview(request_session()) if row.queue.id == queue_id),
        None,
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


def _member_choices(form: AddMemberForm, row: queue_admin.QueueRow | None) -> None:
    members = {user.id for user in row.members} if row else set()
    candidates = request_session().scalars(
        select(User)
        .where(User.is_active, User.role.in_(queue_admin.QUEUE_ROLES))
        .order_by(User.username)
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
        return refused(
            lambda **kw: _queue_page(queue_id, rename=form, **kw),
            gettext("Enter the queue's name."),
        )
    try:
        queue_admin.rename_queue(
            request_session(),
            queue_id=queue_id,
            name=form.name.data,
            description=form.description.data or "",
            actor_user_id=actor(),
        )
    except AdministrationError as error:
        return refused(lambda **kw: _queue_page(queue_id, rename=form, **kw), error)
    request_session().commit()
    flash(gettext("The queue is renamed."))
    return redirect(url_for("console.admin_queue", queue_id=queue_id))


@blueprint.post("/admin/queues/<int:queue_id>/members", endpoint="admin_queue_member_add")
@allow(Role.ADMIN)
def add_member(queue_id: int) -> PageResult:
    form = AddMemberForm()
    _member_choices(form, None)
    if not form.validate_on_submit():
        return refused(lambda **kw: _queue_page(queue_id, **kw), gettext("Choose a user to add."))
    try:
        queue_admin.add_member(
            request_session(), queue_id=queue_id, user_id=form.user_id.data, actor_user_id=actor()
        )
    except AdministrationError as error:
        return refused(lambda **kw: _queue_page(queue_id, **kw), error)
    request_session().commit()
    flash(
        gettext(
            "The member is added. They receive the cases triaged into this queue from now on;"
            " an investigator of an existing case can grant them access to it."
        )
    )
    return redirect(url_for("console.admin_queue", queue_id=queue_id))


@blueprint.post(
    "/admin/queues/<int:queue_id>/members/<int:user_id>/remove",
    endpoint="admin_queue_member_remove",
)
@allow(Role.ADMIN)
def remove_member(queue_id: int, user_id: int) -> PageResult:
    if not ConfirmForm().validate_on_submit():
        return refused(
            lambda **kw: _queue_page(queue_id, **kw), gettext("The form expired; try again.")
        )
    try:
        queue_admin.remove_member(
            request_session(), queue_id=queue_id, user_id=user_id, actor_user_id=actor()
        )
    except AdministrationError as error:
        return refused(lambda **kw: _queue_page(queue_id, **kw), error)
    request_session().commit()
    flash(
        gettext(
            "The member is removed. Cases they already hold stay theirs until access is revoked"
            " on the case."
        )
    )
    return redirect(url_for("console.admin_queue", queue_id=queue_id))
