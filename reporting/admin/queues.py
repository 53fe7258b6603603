"""Queues and their members.

Adding a member only brings them the cases triaged into the queue from then
on, and removing one takes away none they hold (reporting/admin says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.admin.errors import AdministrationError
from reporting.admin.lookups import existing_queue, existing_user
from reporting.audit.log import append_audit
from reporting.core.models import (
    Queue,
    QueueMembership,
    Report,
    ReportStatus,
    Role,
    User,
)

QUEUE_SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
# Roles that work cases and so may belong to a queue; an auditor never sees
# report content (docs/architecture.md), so never holds a report key.
QUEUE_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.ADMIN})


def memberships_of(session: Session, user_id: int) -> list[QueueMembership]:
    return list(
        session.scalars(select(QueueMembership).where(QueueMembership.user_id == user_id)).all()
    )


def create_queue(
    session: Session, *, slug: str, name: str, description: str, actor_user_id: int
) -> Queue:
    slug = slug.strip().lower()
    name = name.strip()
    if not QUEUE_SLUG_PATTERN.fullmatch(slug):
        raise AdministrationError(
            "A queue's short name is 2 to 64 lower-case letters, digits or hyphens."
        )
    if not name:
        raise AdministrationError("Enter the queue's name.")
    if session.scalar(select(Queue.id).where(Queue.slug == slug)) is not None:
        raise AdministrationError(f"There is already a queue {slug!r}.")
    queue = Queue(slug=slug, name=name, description=description.strip())
    session.add(queue)
    session.flush()
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.queue_create",
        target=f"queue:{queue.id}",
        details={"slug": slug, "name": name},
    )
    return queue


def rename_queue(
    session: Session, *, queue_id: int, name: str, description: str, actor_user_id: int
) -> Queue:
    """Change a queue's display name and description (the short name stays: rules name it)."""
    queue = existing_queue(session, queue_id)
    name = name.strip()
    if not name:
        raise AdministrationError("Enter the queue's name.")
    previous = queue.name
    queue.name = name
    queue.description = description.strip()
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.queue_rename",
        target=f"queue:{queue.id}",
        details={"from": previous, "to": name},
    )
    session.flush()
    return queue


def add_member(session: Session, *, queue_id: int, user_id: int, actor_user_id: int) -> None:
    """Make a user a member: they receive the cases triaged into the queue from now on."""
    queue = existing_queue(session, queue_id)
    user = existing_user(session, user_id)
    if user.role not in QUEUE_ROLES:
        raise AdministrationError("An auditor cannot belong to a queue: auditors never read cases.")
    if session.get(QueueMembership, (user.id, queue.id)) is not None:
        raise AdministrationError(f"{user.username} is already a member of {queue.name}.")
    session.add(QueueMembership(user_id=user.id, queue_id=queue.id))
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.membership_add",
        target=f"queue:{queue.id}",
        details={"user": user.id},
    )
    session.flush()


def remove_member(session: Session, *, queue_id: int, user_id: int, actor_user_id: int) -> None:
    """End a membership; cases the user already holds stay theirs until revoked on the case."""
    membership = session.get(QueueMembership, (user_id, queue_id))
    if membership is None:
        raise AdministrationError("That user is not a member of that queue.")
    session.delete(membership)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.membership_remove",
        target=f"queue:{queue_id}",
        details={"user": user_id},
    )
    session.flush()


@dataclass(frozen=True)
class QueueRow:
    queue: Queue
    members: tuple[User, ...]
    open_cases: int


def queues_overview(session: Session) -> list[QueueRow]:
    queues = session.scalars(select(Queue).order_by(Queue.name)).all()
    members: dict[int, list[User]] = {}
    for queue_id, user in session.execute(
        select(QueueMembership.queue_id, User)
        .join(User, User.id == QueueMembership.user_id)
        .order_by(User.username)
    ):
        members.setdefault(queue_id, []).append(user)
    open_counts = {
        queue_id: count
        for queue_id, count in session.execute(
            select(Report.queue_id, func.count())
            .where(Report.status != ReportStatus.CLOSED, Report.queue_id.is_not(None))
            .group_by(Report.queue_id)
        ).tuples()
    }
    return [
        QueueRow(queue, tuple(members.get(queue.id, ())), open_counts.get(queue.id, 0))
        for queue in queues
    ]
