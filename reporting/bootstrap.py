"""Setting up a new Vigil instance: `vigil init` and `vigil demo`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reporting.accounts import Enrolment, create_user
from reporting.db import check_connection, database_is_initialised, upgrade_database
from reporting.intake import create_intake_key
from reporting.models import Queue, QueueMembership, Role
from reporting.settings import Settings


class AlreadyInitialised(Exception):
    """The database already holds a Vigil instance."""


# The units a counter-proliferation reporting channel routes to; triage's
# default routing rules refer to these slugs.
DEFAULT_QUEUES: tuple[tuple[str, str, str], ...] = (
    ("export-control", "Export control", "Dual-use and military goods, licensing, end use"),
    ("sanctions", "Sanctions", "Listed parties, front companies, sanctions evasion"),
    ("financial-intelligence", "Financial intelligence", "Trade finance and payments"),
    ("general-intake", "General intake", "Everything no other rule routes"),
)


@dataclass(frozen=True)
class Initialised:
    admin: Enrolment
    intake_fingerprint: str


def initialise(
    engine: Engine, settings: Settings, *, passphrase: str, admin_username: str
) -> Initialised:
    """Create the schema, the intake key, the default queues and the first admin."""
    check_connection(engine)
    if database_is_initialised(engine):
        raise AlreadyInitialised(
            "this database already holds a Vigil instance; use a new database, "
            "or `vigil serve` to run this one"
        )
    upgrade_database(engine)
    with Session(engine) as session:
        intake_key = create_intake_key(
            session,
            key_file=settings.intake_key_file,
            passphrase=passphrase,
            cost=settings.password_cost,
        )
        for slug, name, description in DEFAULT_QUEUES:
            session.add(Queue(slug=slug, name=name, description=description))
        admin = create_user(
            session,
            username=admin_username,
            display_name="Administrator",
            role=Role.ADMIN,
            cost=settings.password_cost,
        )
        session.commit()
        return Initialised(admin=admin, intake_fingerprint=intake_key.fingerprint)


# (username, display name, role, queue slugs)
DEMO_USERS: tuple[tuple[str, str, Role, tuple[str, ...]], ...] = (
    ("supervisor", "Sam Supervisor", Role.SUPERVISOR, ()),
    ("export", "Erin Export", Role.INVESTIGATOR, ("export-control", "general-intake")),
    ("sanctions", "Sanjay Sanctions", Role.INVESTIGATOR, ("sanctions",)),
    ("finance", "Fiona Finance", Role.INVESTIGATOR, ("financial-intelligence",)),
    ("auditor", "Aude Auditor", Role.AUDITOR, ()),
)


def add_demo_users(engine: Engine, settings: Settings) -> list[Enrolment]:
    """The demo's investigators, supervisor and auditor, each in their queues."""
    enrolments = []
    with Session(engine) as session:
        queues = {queue.slug: queue for queue in session.scalars(select(Queue))}
        for username, display_name, role, slugs in DEMO_USERS:
            enrolment = create_user(
                session,
                username=username,
                display_name=display_name,
                role=role,
                cost=settings.password_cost,
            )
            for slug in slugs:
                session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queues[slug].id))
            enrolments.append(enrolment)
        session.commit()
    return enrolments
