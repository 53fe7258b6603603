"""Small builders for rows the storage tests need; values are shaped like the real ones."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from reporting.core.models import IntakeType, Queue, Report, Role, User


def make_user(session: Session, username: str = "ines", role: Role = Role.INVESTIGATOR) -> User:
    user = User(
        username=username,
        display_name=username.title(),
        role=role,
        password_hash="$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
        public_key=secrets.token_bytes(32),
        locked_private_key=secrets.token_bytes(104),
    )
    session.add(user)
    session.flush()
    return user


def make_queue(session: Session, slug: str = "nuclear") -> Queue:
    queue = Queue(slug=slug, name=slug.title())
    session.add(queue)
    session.flush()
    return queue


def make_report(session: Session, **values: object) -> Report:
    fields: dict[str, object] = {
        "intake_type": IntakeType.TIP,
        "lookup_hash": secrets.token_bytes(32),
        "body": secrets.token_bytes(26 + 16 + 512),
    }
    fields.update(values)
    report = Report(**fields)
    session.add(report)
    session.flush()
    return report
