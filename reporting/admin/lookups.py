"""The users and queues an administrative change names, or `AdministrationError`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.admin.errors import AdministrationError
from reporting.core.models import Queue, User


def existing_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AdministrationError("There is no such user.")
    return user


def existing_queue(session: Session, queue_id: int) -> Queue:
    queue = session.get(Queue, queue_id)
    if queue is None:
        raise AdministrationError("There is no such queue.")
    return queue


def queue_with_slug(session: Session, slug: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.slug == slug))
    if queue is None:
        raise AdministrationError(f"There is no queue {slug!r}.")
    return queue
