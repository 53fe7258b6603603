"""Console fixtures: an instance with the default queues and rules, users, and triaged cases.

`console` is the instance as `vigil init` leaves it (default queues and
routing rules, an intake key), with helpers to enrol users of any role, sign
a test client in with password and TOTP as a browser would, file tips the way
the public site stores them (with a receipt the test keeps) and run the real
triage worker over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from crypto import (
    PrivateKey,
    Receipt,
    ReportKey,
    lookup_hash,
    seal_report,
    unlock_private_key,
)
from reporting.accounts.enrolment import Enrolment, create_user
from reporting.cases.deadlines import deadlines, refresh_next_due
from reporting.cli.bootstrap import DEFAULT_QUEUES
from reporting.core import clock
from reporting.core.models import (
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
from reporting.core.settings import Settings
from reporting.pipeline.routing_rules import seed_default_rules
from reporting.pipeline.worker import InstanceTriage, WorkerStats, run_worker
from tests.fixtures.app import csrf_token_from


@dataclass(frozen=True)
class FiledCase:
    report_id: int
    reference: str
    receipt: Receipt
    key: ReportKey


@dataclass
class ConsoleInstance:
    app: Flask
    settings: Settings
    intake_key: PrivateKey
    users: dict[str, Enrolment] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        engine: Engine = self.app.extensions["vigil"].engine
        return engine

    @property
    def session_factory(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = self.app.extensions["vigil"].session_factory
        return factory

    def add_user(
        self,
        username: str,
        *,
        role: Role = Role.INVESTIGATOR,
        queues: tuple[str, ...] = (),
        display_name: str | None = None,
    ) -> Enrolment:
        """Enrol a user as `vigil init` and the admin pages do, member of the queues (slugs)."""
        with self.session_factory() as session:
            enrolment = create_user(
                session,
                username=username,
                display_name=display_name or username.title(),
                role=role,
                cost=self.settings.password_cost,
            )
            for slug in queues:
                queue = session.query(Queue).filter_by(slug=slug).one()
                session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queue.id))
            session.commit()
        self.users[username] = enrolment
        return enrolment

    def private_key(self, username: str) -> PrivateKey:
        """The user's private key, unlocked with their password as sign-in does."""
        with self.session_factory() as session:
            user = session.get_one(User, self.users[username].user_id)
            return unlock_private_key(user.locked_private_key, self.users[username].password)

    def sign_in(self, client: FlaskClient, username: str) -> None:
        """Sign `client` in with the user's password and a current TOTP code.

        The user's last used TOTP step is cleared first, as if the next 30-second
        window had come: a test signs the same user in more often than a person
        could, and the replay check would (rightly) refuse the same code twice.
        """
        enrolment = self.users[username]
        with self.session_factory() as session:
            session.execute(
                update(User).where(User.id == enrolment.user_id).values(totp_last_counter=None)
            )
            session.commit()
        page = client.get("/console/sign-in")
        response = client.post(
            "/console/sign-in",
            data={
                "csrf_token": csrf_token_from(page.get_data(as_text=True)),
                "username": username,
                "password": enrolment.password,
                "code": pyotp.TOTP(enrolment.totp_secret).at(clock.now()),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def client_for(self, username: str) -> FlaskClient:
        client = self.app.test_client()
        self.sign_in(client, username)
        return client

    def file_report(
        self, body: dict[str, Any], *, intake_type: IntakeType = IntakeType.TIP, hours_ago: int = 2
    ) -> FiledCase:
        """Store a report as the public site does (sealed body, intake and reporter wraps).

        It arrived `hours_ago`, so the worker, which holds reports until the
        hour they arrived in is over, takes it at once.
        """
        receipt = Receipt.generate()
        key, envelope = seal_report(
            body, self.intake_key.public_key, receipt.reporter_private_key().public_key
        )
        hour = current_hour() - timedelta(hours=hours_ago)
        with self.session_factory() as session:
            report = Report(
                intake_type=intake_type,
                lookup_hash=lookup_hash(receipt.lookup_token()),
                body=envelope.body,
                received_hour=hour,
                last_reporter_activity_hour=hour,
                **deadlines(intake_type, hour),
            )
            report.wraps = [
                Wrap(
                    holder_kind=HolderKind.INTAKE,
                    wrapped_key=envelope.intake_wrap,
                    created_hour=hour,
                ),
                Wrap(
                    holder_kind=HolderKind.REPORTER,
                    wrapped_key=envelope.reporter_wrap,
                    created_hour=hour,
                ),
            ]
            refresh_next_due(report, has_narrative=False)
            session.add(report)
            session.commit()
            return FiledCase(report.id, report.public_reference, receipt, key)

    def triage(self) -> WorkerStats:
        """Run the real worker once over everything waiting (no screening lists unless imported)."""
        return run_worker(
            self.engine,
            intake_key=self.intake_key,
            triage=InstanceTriage(self.engine),
            name="test-worker",
            once=True,
        )


def export_control_tip(**fields: object) -> dict[str, object]:
    """A tip the default rules route to the export-control queue."""
    body: dict[str, object] = {
        "form": "tip",
        "format": 1,
        "what_happened": (
            "Maraging steel tubes were shipped without an export licence; the buyer would"
            " not say what they were for."
        ),
        "goods": [
            {
                "description": "Maraging steel tubes",
                "code": "1C216",
                "quantity": "40",
                "value": "EUR 120,000",
            }
        ],
        "parties": [{"name": "Nordlicht Werkstoffe GmbH", "country": "DE", "role": "buyer"}],
        "route": "Hamburg to Rotterdam",
        "dates": "March 2026",
        "payment": "bank transfer",
        "how_known": "I work in the shipping department.",
        "conflicts": [],
    }
    body.update(fields)
    return body


@pytest.fixture
def console(app: Flask, settings: Settings, intake_key: PrivateKey) -> ConsoleInstance:
    with app.extensions["vigil"].session_factory() as session:
        for slug, name, description in DEFAULT_QUEUES:
            session.add(Queue(slug=slug, name=name, description=description))
        session.flush()
        seed_default_rules(session)
        session.commit()
    return ConsoleInstance(app, settings, intake_key)
