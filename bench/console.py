"""Console figures: the queue pages and a case page over 100,000 cases.

    .venv/bin/python bench/console.py [--cases 100000] [--repeat 40]
                                      [--postgres URL | --no-postgres]

Builds an instance the way triage leaves it (four default queues, every
case triaged, routed and wrapped to its queue's members), on SQLite (a temp
file) and on PostgreSQL when a URL is given (`--postgres`, default the
environment variable VIGIL_BENCH_POSTGRES_URL; the bench works in a schema of
its own that it drops at the end). Then it signs an investigator in with
password and TOTP, as a browser would, and measures requests through the
Flask test client (the whole app: session check, query, template; no HTTP
server):

- the queue page (/console/cases) with the default sort, filtered by a
  category, sorted by deadline, and a deep page (offset ~45,000);
- the dashboard (/console/);
- a case page (/console/cases/<reference>) when that view exists.

Baseline, measured in the same run: the bare SQL of each page (the page
statement alone, on a session, no app), so page/query says what the app adds.

The data: 100,000 reports (85% tips, 15% disclosures) spread evenly over the
four queues, with priorities, statuses, categories, domain tags, received
hours over two years and the deadlines intake sets. Four investigators: the
measured one ("alice") is in export-control and sanctions and holds wraps for
~50,000 cases (1% of them withheld, as a conflict of interest would);
the others share the remaining queues, so the wraps table holds ~200,000
rows. To build fast, rows are bulk-inserted with SQLAlchemy Core, and the
ciphertexts are real sealed records (a 2 KiB tip body, findings, the wraps)
made once and reused across rows: the sizes are real, the content is not
unique per row (nothing here decrypts them except the case page, which
opens its one case).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pyotp  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import Engine, bindparam, func, insert, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from crypto import (  # noqa: E402
    PasswordCost,
    PrivateKey,
    PublicKey,
    RecordKind,
    seal_record,
    seal_report,
    wrap_report_key,
)
from reporting.accounts.enrolment import Enrolment, create_user  # noqa: E402
from reporting.app import create_app  # noqa: E402
from reporting.cases.deadlines import deadlines, next_due_of  # noqa: E402
from reporting.casework.list_query import CaseQuery, parse_case_query  # noqa: E402
from reporting.casework.lists import count_statement, page_statement, user_queues  # noqa: E402
from reporting.cli.bootstrap import DEFAULT_QUEUES  # noqa: E402
from reporting.core.db import create_db_engine, upgrade_database  # noqa: E402
from reporting.core.models import (  # noqa: E402
    Category,
    Domain,
    HolderKind,
    IntakeType,
    PartKind,
    Priority,
    Queue,
    QueueMembership,
    Report,
    ReportPart,
    ReportStatus,
    Role,
    TriageState,
    User,
    Wrap,
    current_hour,
    new_public_reference,
)
from reporting.core.settings import Settings  # noqa: E402
from reporting.pipeline.intake_key import create_intake_key  # noqa: E402
from reporting.pipeline.routing_rules import seed_default_rules  # noqa: E402
from tests.fixtures.app import csrf_token_from  # noqa: E402

POSTGRES_VARIABLE = "VIGIL_BENCH_POSTGRES_URL"
CHUNK = 5000
TARGET_MS = 100.0

# (user, queues); alice is the one measured.
USERS = (
    ("alice", ("export-control", "sanctions")),
    ("bob", ("export-control", "financial-intelligence")),
    ("carol", ("sanctions", "general-intake")),
    ("dave", ("financial-intelligence", "general-intake")),
)
MEASURED = "alice"
CONFLICT_RATE = 0.01

SCENARIOS = (
    ("default sort (priority)", ""),
    ("filter: category=finance", "category=finance"),
    ("sort by deadline", "sort=deadline"),
    ("deep page (page 900 of ~990)", "page=900"),
)


def tip_body(rng: random.Random) -> dict[str, object]:
    words = [
        "maraging",
        "steel",
        "tubes",
        "shipped",
        "via",
        "Dubai",
        "free",
        "zone",
        "without",
        "licence",
        "buyer",
    ]
    text = " ".join(rng.choice(words) for _ in range(240))
    return {
        "form": "tip",
        "format": 1,
        "what_happened": text[:1600],
        "parties": [{"name": "Nordlicht Werkstoffe GmbH", "country": "DE", "role": "buyer"}],
        "how_known": "I work in the shipping department.",
        "conflicts": [],
    }


@dataclass
class Instance:
    name: str
    url: str
    engine: Engine
    app: Flask
    users: dict[str, Enrolment]
    references: list[str]  # some of alice's cases, for the case page
    build_seconds: float


def build(name: str, url: str, work: Path, cases: int, seed: int, vacuum: bool = True) -> Instance:
    started = time.perf_counter()
    rng = random.Random(seed)
    engine = create_db_engine(url)
    upgrade_database(engine)
    settings = Settings(
        instance_path=work,
        database_url=url,
        blob_dir=work / "blobs",
        intake_key_file=work / "intake.key",
        filing_key_file=work / "filing.key",
        ratelimit_storage_uri="memory://",
        password_cost=PasswordCost.MIN,
        secure_cookies=False,
        secret_key=secrets.token_hex(32),
        lookup_delay=0.0,
    )
    users: dict[str, Enrolment] = {}
    with Session(engine) as session:
        for slug, queue_name, description in DEFAULT_QUEUES:
            session.add(Queue(slug=slug, name=queue_name, description=description))
        session.flush()
        seed_default_rules(session)
        create_intake_key(
            session,
            key_file=settings.intake_key_file,
            passphrase="bench intake passphrase",
            cost=PasswordCost.MIN,
        )
        queue_ids = {queue.slug: queue.id for queue in session.scalars(select(Queue))}
        for username, slugs in USERS:
            users[username] = create_user(
                session,
                username=username,
                display_name=username.title(),
                role=Role.INVESTIGATOR,
                cost=PasswordCost.MIN,
            )
            for slug in slugs:
                session.add(
                    QueueMembership(user_id=users[username].user_id, queue_id=queue_ids[slug])
                )
        session.commit()
        public_keys = {user.id: user.public_key for user in session.scalars(select(User)).all()}

    # One real envelope, findings record and wrap per user, reused by every row.
    intake = PrivateKey.generate()
    reporter = PrivateKey.generate()
    key, envelope = seal_report(tip_body(rng), intake.public_key, reporter.public_key)
    findings = seal_record(key, RecordKind.FINDINGS, {"entities": [], "screening": []})
    narrative = seal_record(key, RecordKind.BODY, {"form": "narrative", "text": "x" * 900})
    wrapped = {
        user_id: wrap_report_key(key, PublicKey(public_key))
        for user_id, public_key in public_keys.items()
    }

    slugs = [slug for slug, _, _ in DEFAULT_QUEUES]
    statuses = list(ReportStatus)
    priorities = list(Priority)
    categories = [category.value for category in Category]
    domains = [domain.value for domain in Domain]
    now_hour = current_hour()
    seen_references: set[str] = set()
    report_rows: list[dict[str, Any]] = []
    for _ in range(cases):
        reference = new_public_reference()
        while reference in seen_references:
            reference = new_public_reference()
        seen_references.add(reference)
        intake_type = IntakeType.TIP if rng.random() < 0.85 else IntakeType.DISCLOSURE
        received = now_hour - timedelta(hours=rng.randrange(2, 2 * 365 * 24))
        status = rng.choices(statuses, weights=(15, 20, 35, 5, 25))[0]
        acknowledged = (
            received + timedelta(hours=rng.randrange(1, 200))
            if status is not ReportStatus.NEW
            else None
        )
        closed = (
            received + timedelta(hours=rng.randrange(200, 5000))
            if status is ReportStatus.CLOSED
            else None
        )
        report_rows.append(
            {
                "public_reference": reference,
                "intake_type": intake_type,
                "status": status,
                "outcome": None,
                "triage_state": TriageState.DONE,
                "received_hour": received,
                "last_reporter_activity_hour": received,
                "categories": rng.sample(categories, rng.randint(1, 3)),
                "domains": rng.sample(domains, rng.choice((0, 0, 1, 1, 2))),
                "priority": rng.choices(priorities, weights=(5, 20, 40, 35))[0],
                "queue_id": queue_ids[rng.choice(slugs)],
                "acknowledged_hour": acknowledged
                if acknowledged and acknowledged < now_hour
                else None,
                "closed_hour": closed if closed and closed < now_hour else None,
                "lookup_hash": secrets.token_bytes(32),
                "body": envelope.body,
                "findings": findings,
                "rule_version": "1",
                **{"ack_due": None, "feedback_due": None, "narrative_due": None},
                **deadlines(intake_type, received),
            }
        )
        row = report_rows[-1]
        row["next_due"] = next_due_of(SimpleNamespace(**row), has_narrative=False)
    members: dict[int, list[int]] = {}
    for username, queue_slugs in USERS:
        for slug in queue_slugs:
            members.setdefault(queue_ids[slug], []).append(users[username].user_id)

    with engine.begin() as connection:
        for start in range(0, len(report_rows), CHUNK):
            connection.execute(insert(Report), report_rows[start : start + CHUNK])
        ids = connection.execute(
            select(Report.id, Report.queue_id, Report.intake_type, Report.public_reference)
        ).all()
        wrap_rows: list[dict[str, Any]] = []
        part_rows: list[dict[str, Any]] = []
        alice = users[MEASURED].user_id
        references: list[str] = []
        for report_id, queue_id, intake_type, reference in ids:
            for user_id in members[queue_id]:
                if rng.random() < CONFLICT_RATE:
                    continue  # kept out by a conflict of interest
                wrap_rows.append(
                    {
                        "report_id": report_id,
                        "holder_kind": HolderKind.USER,
                        "user_id": user_id,
                        "wrapped_key": wrapped[user_id],
                        "created_hour": now_hour,
                    }
                )
                if user_id == alice and len(references) < 50:
                    references.append(reference)
            if intake_type is IntakeType.DISCLOSURE and rng.random() < 0.5:
                part_rows.append(
                    {"report_id": report_id, "kind": PartKind.NARRATIVE, "body": narrative}
                )
        for start in range(0, len(wrap_rows), CHUNK):
            connection.execute(insert(Wrap), wrap_rows[start : start + CHUNK])
        for start in range(0, len(part_rows), CHUNK):
            connection.execute(insert(ReportPart), part_rows[start : start + CHUNK])
        # A filed narrative ends the narrative deadline (refresh_next_due's rules).
        by_reference = {row["public_reference"]: row for row in report_rows}
        narrated = {part["report_id"] for part in part_rows}
        changes = [
            {
                "report_id": report_id,
                "due": next_due_of(SimpleNamespace(**by_reference[reference]), has_narrative=True),
            }
            for report_id, _, _, reference in ids
            if report_id in narrated
        ]
        for start in range(0, len(changes), CHUNK):
            connection.execute(
                update(Report)
                .where(Report.id == bindparam("report_id"))
                .values(next_due=bindparam("due")),
                changes[start : start + CHUNK],
            )
    if engine.dialect.name == "postgresql":
        # VACUUM as autovacuum would soon after a bulk load (inserts trigger it
        # since PostgreSQL 13): it sets the visibility map, without which
        # index-only scans visit the heap and the planner prefers seq scans.
        # --no-vacuum measures the freshly loaded tables instead.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE" if vacuum else "ANALYZE"
            )
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

    app = create_app(settings)
    return Instance(name, url, engine, app, users, references, time.perf_counter() - started)


def signed_in_client(instance: Instance, username: str) -> FlaskClient:
    enrolment = instance.users[username]
    client = instance.app.test_client()
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "username": username,
            "password": enrolment.password,
            "code": pyotp.TOTP(enrolment.totp_secret).now(),
        },
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return client


def timings(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p99 wall time in ms over `repeat` runs, after two warm-up runs."""
    for _ in range(2):
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def measure(instance: Instance, repeat: int) -> list[tuple[str, float, float]]:
    with instance.engine.connect() as connection:
        counts = {
            "reports": connection.scalar(select(func.count()).select_from(Report)),
            "wraps": connection.scalar(select(func.count()).select_from(Wrap)),
        }
    client = signed_in_client(instance, MEASURED)
    alice_id = instance.users[MEASURED].user_id
    with Session(instance.engine) as session:
        user = session.get_one(User, alice_id)
        readable = session.scalar(
            select(func.count()).select_from(Wrap).where(Wrap.user_id == alice_id)
        )
    print(
        f"\n{instance.name}: {counts['reports']:,} reports, {counts['wraps']:,} wraps,"
        f" {MEASURED} holds {readable:,} (built in {instance.build_seconds:.1f} s)"
    )
    print(f"  {'request':<34} {'p50 ms':>8} {'p99 ms':>8} {'SQL p50':>8} {'page/SQL':>9}")
    results = []
    now = datetime.now(UTC)
    for label, query_string in SCENARIOS:
        path = "/console/cases" + (f"?{query_string}" if query_string else "")

        def request(path: str = path) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")

        p50, p99 = timings(request, repeat)
        query: CaseQuery = parse_case_query(
            {name: [value] for name, value in (p.split("=") for p in query_string.split("&") if p)}
        )
        with Session(instance.engine) as session:
            user = session.get_one(User, alice_id)
            queue_ids = [queue.id for queue in user_queues(session, user)]
            dialect = instance.engine.dialect.name
            total = session.scalar(count_statement(user, queue_ids, query, now, dialect=dialect))
            statement = page_statement(user, queue_ids, query, now, dialect=dialect, total=total)
            sql_p50, _ = timings(lambda s=statement: session.execute(s).all(), repeat)
        print(f"  {label:<34} {p50:>8.1f} {p99:>8.1f} {sql_p50:>8.1f} {p50 / sql_p50:>8.1f}x")
        results.append((label, p50, p99))

    def dashboard() -> None:
        assert client.get("/console/").status_code == 200

    p50, p99 = timings(dashboard, repeat)
    print(f"  {'dashboard':<34} {p50:>8.1f} {p99:>8.1f}")
    results.append(("dashboard", p50, p99))

    if "console.case" in instance.app.view_functions:
        references = iter(instance.references * (repeat + 2))

        def case_page() -> None:
            response = client.get(f"/console/cases/{next(references)}")
            if response.status_code != 200:
                raise SystemExit(f"case page: {response.status_code}")

        p50, p99 = timings(case_page, repeat)
        print(f"  {'case page':<34} {p50:>8.1f} {p99:>8.1f}")
        results.append(("case page", p50, p99))
    else:
        print("  case page: not measured (no console.case view in this checkout)")
    return results


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A URL pinned to a fresh schema of the database `url` names; the schema is dropped after."""
    admin = create_db_engine(url)
    schema = f"bench_{secrets.token_hex(4)}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        pinned = make_url(admin.url.render_as_string(hide_password=False)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield pinned.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per figure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_VARIABLE),
        help=f"PostgreSQL URL (default: ${POSTGRES_VARIABLE})",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--no-vacuum", action="store_true", help="PostgreSQL: ANALYZE only, no VACUUM"
    )
    return parser.parse_args()


def run(
    name: str, url: str, work: Path, args: argparse.Namespace
) -> list[tuple[str, float, float]]:
    instance = build(name, url, work, args.cases, args.seed, vacuum=not args.no_vacuum)
    try:
        return measure(instance, args.repeat)
    finally:
        instance.app.extensions["vigil"].engine.dispose()
        instance.engine.dispose()


def main() -> None:
    args = parse_args()
    print(
        f"Console bench: {args.cases:,} cases, {args.repeat} requests per figure,"
        f" signed-in Flask test client; target {TARGET_MS:.0f} ms per queue page"
    )
    results: dict[str, list[tuple[str, float, float]]] = {}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="vigil-bench-") as directory:
            work = Path(directory)
            results["SQLite"] = run("SQLite", f"sqlite:///{work / 'vigil.sqlite3'}", work, args)
    if args.no_postgres or not args.postgres:
        print(f"\nPostgreSQL: skipped (give --postgres URL or set {POSTGRES_VARIABLE})")
    else:
        with (
            tempfile.TemporaryDirectory(prefix="vigil-bench-") as directory,
            postgres_schema(args.postgres) as url,
        ):
            results["PostgreSQL"] = run("PostgreSQL", url, Path(directory), args)
    slow = [
        f"{backend} {label} ({p50:.0f} ms)"
        for backend, rows in results.items()
        for label, p50, _ in rows
        if label not in {"dashboard", "case page"} and p50 > TARGET_MS
    ]
    print("\nAll queue pages under target." if not slow else "\nOver target: " + ", ".join(slow))


if __name__ == "__main__":
    main()
