"""Setting up a new Vigil instance: `vigil init` and `vigil demo`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reporting.accounts.enrolment import Enrolment, create_user
from reporting.core.db import check_connection, database_is_initialised, upgrade_database
from reporting.core.models import IntakeKey, Queue, QueueMembership, Role
from reporting.core.settings import Settings
from reporting.intake.public_key import IntakeKeyError
from reporting.pipeline.intake_key import create_intake_key
from reporting.pipeline.routing_rules import seed_default_rules


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


def instance_exists(engine: Engine) -> bool:
    """True once `initialise` has completed: the schema is there and an intake key too."""
    if not database_is_initialised(engine):
        return False
    with Session(engine) as session:
        return session.scalar(select(IntakeKey.id).limit(1)) is not None


def initialise(
    engine: Engine, settings: Settings, *, passphrase: str, admin_username: str
) -> Initialised:
    """Create the schema, the intake key, the default queues and the first admin.

    All or nothing: if a step fails, nothing is committed and the key file it
    wrote is removed, so `vigil init` can simply be run again.
    """
    check_connection(engine)
    if instance_exists(engine):
        raise AlreadyInitialised(
            "this database already holds a Vigil instance; use a new database, "
            "or `vigil serve` to run this one"
        )
    if settings.intake_key_file.exists():
        raise IntakeKeyError(
            f"{settings.intake_key_file} already exists; refusing to overwrite an intake key"
        )
    # Idempotent: a database migrated by an earlier, failed init is fine.
    upgrade_database(engine)
    with Session(engine) as session:
        intake_key = create_intake_key(
            session,
            key_file=settings.intake_key_file,
            passphrase=passphrase,
            cost=settings.password_cost,
        )
        try:
            for slug, name, description in DEFAULT_QUEUES:
                session.add(Queue(slug=slug, name=name, description=description))
            session.flush()
            seed_default_rules(session)
            admin = create_user(
                session,
                username=admin_username,
                display_name="Administrator",
                role=Role.ADMIN,
                cost=settings.password_cost,
            )
            session.commit()
        except BaseException:
            session.rollback()
            settings.intake_key_file.unlink(missing_ok=True)
            raise
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
