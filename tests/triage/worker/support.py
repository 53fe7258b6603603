"""Builders for the worker tests: an instance's queues, rules and users, and sealed reports.

`fixed_triage` is a stand-in for the pipeline that returns a fixed result:
the worker tests are about claiming, access and transactions, and must not
change when extraction or scoring rules do. The pipeline has its own tests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crypto import PasswordCost, PrivateKey, seal_report, unlock_private_key
from reporting.accounts.enrolment import create_user
from reporting.cases.opened_report import OpenedReport
from reporting.cli.bootstrap import DEFAULT_QUEUES
from reporting.core.models import (
    DeclaredConflict,
    HolderKind,
    IntakeType,
    Queue,
    QueueMembership,
    Report,
    Role,
    User,
    Wrap,
    current_hour,
)
from reporting.pipeline.routing_rules import seed_default_rules
from triage.model import (
    Assessment,
    Category,
    Domain,
    Evidence,
    Extraction,
    Party,
    Priority,
    TriageResult,
)
from triage.routing import Ruleset, route


@dataclass
class Instance:
    engine: Engine
    intake_key: PrivateKey
    reporter_key: PrivateKey
    users: dict[str, int] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)

    def user_key(self, username: str) -> PrivateKey:
        with Session(self.engine) as session:
            user = session.get_one(User, self.users[username])
            return unlock_private_key(user.locked_private_key, self.passwords[username])


def make_instance(engine: Engine) -> Instance:
    with Session(engine) as session:
        for slug, name, description in DEFAULT_QUEUES:
            session.add(Queue(slug=slug, name=name, description=description))
        session.flush()
        seed_default_rules(session)
        session.commit()
    return Instance(engine, PrivateKey.generate(), PrivateKey.generate())


def add_user(
    instance: Instance,
    username: str,
    display_name: str,
    queues: tuple[str, ...] = (),
    *,
    role: Role = Role.INVESTIGATOR,
    declared: tuple[str, ...] = (),
) -> int:
    with Session(instance.engine) as session:
        enrolment = create_user(
            session, username=username, display_name=display_name, role=role, cost=PasswordCost.MIN
        )
        for slug in queues:
            queue = session.query(Queue).filter_by(slug=slug).one()
            session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queue.id))
        for name in declared:
            session.add(DeclaredConflict(user_id=enrolment.user_id, name=name))
        session.commit()
    instance.users[username] = enrolment.user_id
    instance.passwords[username] = enrolment.password
    return enrolment.user_id


def tip_body(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "form": "tip",
        "format": 1,
        "what_happened": "Maraging steel shipped to a front company.",
        "goods": [],
        "parties": [],
        "route": "",
        "dates": "",
        "payment": "",
        "how_known": "",
        "conflicts": [],
    }
    body.update(fields)
    return body


def submit(
    session: Session, instance: Instance, body: dict[str, object], *, hours_ago: int = 1
) -> Report:
    """Store a report as reporting.intake.submissions does: BODY record, intake and reporter wraps.

    Received an hour ago by default: the worker holds a report until the hour
    it arrived in is over (reporting.pipeline.worker, `hold`).
    """
    _key, envelope = seal_report(
        body, instance.intake_key.public_key, instance.reporter_key.public_key
    )
    hour = current_hour() - timedelta(hours=hours_ago)
    report = Report(
        intake_type=IntakeType(str(body["form"])),
        lookup_hash=secrets.token_bytes(32),
        body=envelope.body,
        received_hour=hour,
    )
    report.wraps = [
        Wrap(holder_kind=HolderKind.INTAKE, wrapped_key=envelope.intake_wrap, created_hour=hour),
        Wrap(
            holder_kind=HolderKind.REPORTER, wrapped_key=envelope.reporter_wrap, created_hour=hour
        ),
    ]
    session.add(report)
    session.flush()
    return report


def fixed_triage(
    categories: tuple[Category, ...] = (Category.EXPORT_CONTROL,),
    domains: tuple[Domain, ...] = (Domain.NUCLEAR,),
    priority: Priority = Priority.P2,
):
    """A triage function whose result depends only on its arguments and the report's parties."""

    def triage(report: OpenedReport, ruleset: Ruleset) -> TriageResult:
        assessment = Assessment(
            score=42,
            priority=priority,
            categories=categories,
            domains=domains,
            reasons=("fixed for the worker tests",),
        )
        parties = tuple(
            Party(
                name=name,
                role="",
                country=None,
                evidence=Evidence(f"parties[{index}].name", 0, len(name), name),
            )
            for index, name in enumerate(report.party_names())
        )
        return TriageResult(
            extraction=Extraction(parties=parties),
            indicators=(),
            hits=(),
            assessment=assessment,
            routing=route(
                assessment,
                report.intake_type.value,
                (),
                ruleset.rules,
                ruleset.version,
                excluded_names=report.conflict_names(),
            ),
            versions={"lists": "un:test", "ruleset": str(ruleset.version)},
        )

    return triage
