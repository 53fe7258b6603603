"""Console browser fixtures: the default queues and rules, and one user per role in the story."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from reporting.accounts.enrolment import Enrolment, create_user
from reporting.cli.bootstrap import DEFAULT_QUEUES
from reporting.core.models import Queue, QueueMembership, Role
from reporting.pipeline.routing_rules import seed_default_rules

PEOPLE = [
    ("erin", Role.INVESTIGATOR, "export-control"),
    ("sam", Role.INVESTIGATOR, "sanctions"),
    ("sue", Role.SUPERVISOR, "export-control"),
    ("audrey", Role.AUDITOR, None),
    ("ada", Role.ADMIN, None),
]


@pytest.fixture
def people(app: Any) -> dict[str, Enrolment]:
    cost = app.extensions["vigil"].settings.password_cost
    enrolled: dict[str, Enrolment] = {}
    with app.extensions["vigil"].session_factory() as session:
        for slug, name, description in DEFAULT_QUEUES:
            session.add(Queue(slug=slug, name=name, description=description))
        session.flush()
        seed_default_rules(session)
        for username, role, queue in PEOPLE:
            enrolled[username] = create_user(
                session, username=username, display_name=username.title(), role=role, cost=cost
            )
            if queue is not None:
                queue_id = session.scalars(select(Queue.id).where(Queue.slug == queue)).one()
                session.add(QueueMembership(user_id=enrolled[username].user_id, queue_id=queue_id))
        session.commit()
    return enrolled
