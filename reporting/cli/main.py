"""The `vigil` command: set up, serve and check an instance.

Every failure an operator can cause (a missing or wrong passphrase, an
existing database, an unreachable database URL) ends with one clear line on
stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path

import click
import pyotp
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crypto import CryptoError, PasswordCost
from reporting.accounts.password_policy import password_problem
from reporting.accounts.service import Enrolment, generate_password
from reporting.admin.administration import closed_cases_due, purge_closed_cases
from reporting.app import create_app
from reporting.audit.log import AuditAnchor, verify_audit_log
from reporting.cli.bootstrap import AlreadyInitialised, add_demo_users, initialise, instance_exists
from reporting.core import clock
from reporting.core.blobstore import FilesystemBlobStore
from reporting.core.db import (
    DatabaseUnavailable,
    check_connection,
    create_db_engine,
)
from reporting.core.files import private_directory
from reporting.core.models import User
from reporting.core.settings import Settings, SettingsError
from reporting.intake.public_key import IntakeKeyError
from reporting.pipeline.intake_key import unlock_intake_key
from reporting.pipeline.rescreen import (
    RescreenRefused,
    reports_due,
    rescreen_for_user,
    unlock_for_rescreen,
)
from reporting.pipeline.routing_rules import current_ruleset, default_ruleset
from reporting.pipeline.screening_lists import (
    NoListsImported,
    import_list_file,
    list_versions,
    load_current_screener,
    load_screener,
)
from reporting.pipeline.worker import MAX_WORKER_NAME, InstanceTriage, run_worker
from reporting.server import serve
from triage.pipeline import NotAReportBody, intake_type_of, run_triage
from triage.screening import HIT_THRESHOLD, ListFormatError, Screener, parse_list
from triage.screening.countries import country_code

DEMO_MARKER = ".vigil-demo"


@contextmanager
def operator_errors() -> Iterator[None]:
    """Turn the errors an operator can cause into one line and exit status 1."""
    try:
        yield
    except (
        AlreadyInitialised,
        CryptoError,
        DatabaseUnavailable,
        IntakeKeyError,
        SettingsError,
    ) as error:
        raise click.ClickException(str(error)) from None


def load_settings() -> Settings:
    with operator_errors():
        return Settings.from_env()


def initialised_engine(settings: Settings) -> Engine:
    with operator_errors():
        engine = create_db_engine(settings.database_url)
        check_connection(engine)
        if not instance_exists(engine):
            raise click.ClickException("this database holds no Vigil instance: run `vigil init`")
        return engine


def read_passphrase(*, confirm: bool) -> str:
    passphrase = os.environ.get("VIGIL_INTAKE_PASSPHRASE")
    if passphrase is None:
        if not sys.stdin.isatty():
            raise click.ClickException(
                "missing intake key passphrase: set VIGIL_INTAKE_PASSPHRASE or run in a terminal"
            )
        passphrase = click.prompt(
            "Intake key passphrase", hide_input=True, confirmation_prompt=confirm
        )
    if not passphrase:
        raise click.ClickException("the intake key passphrase must not be empty")
    return passphrase


def print_enrolment(enrolment: Enrolment) -> None:
    click.echo(
        f"  {enrolment.username:<12} {enrolment.role.value:<13} password: {enrolment.password}"
    )
    click.echo(f"  {'':<12} {'':<13} TOTP secret: {enrolment.totp_secret}")
    click.echo(f"  {'':<12} {'':<13} {enrolment.totp_uri}")


@click.group()
def main() -> None:
    """Vigil: whistleblower and suspicious-activity reporting."""
    # The instance's files are created owner-only where they are made
    # (reporting/core/files.py); the umask covers anything else a command writes.
    os.umask(0o077)


@main.command()
@click.option("--admin", "admin_username", default="admin", show_default=True)
def init(admin_username: str) -> None:
    """Create the database, the intake key and the first administrator."""
    settings = load_settings()
    passphrase = read_passphrase(confirm=True)
    # It locks the intake private key as a password locks a user's key.
    problem = password_problem(passphrase)
    if problem is not None:
        raise click.ClickException(f"the intake key passphrase is refused: {problem}")
    with operator_errors():
        result = initialise(
            create_db_engine(settings.database_url),
            settings,
            passphrase=passphrase,
            admin_username=admin_username,
        )
    click.echo(f"Vigil is set up in {settings.instance_path}.")
    click.echo(f"Intake key file: {settings.intake_key_file}")
    click.echo(f"Intake key fingerprint: {result.intake_fingerprint}")
    click.echo("First administrator (shown once; add the TOTP secret to an authenticator app):")
    print_enrolment(result.admin)


def run_server(settings: Settings, *, host: str, port: int, workers: int) -> None:
    serve(lambda: create_app(settings), host=host, port=port, workers=workers)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the public site and the console under gunicorn."""
    settings = load_settings()
    initialised_engine(settings).dispose()
    run_server(settings, host=host, port=port, workers=workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set the demo up and exit.")
@click.option(
    "--lists",
    "list_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A screening list to import (as `vigil lists import` takes it); repeatable.",
)
def demo(host: str, port: int, no_serve: bool, list_paths: tuple[Path, ...]) -> None:
    """Recreate a demo instance with demo users, print their logins and serve it.

    A triage worker runs in the same process, so a report sent on the public
    site reaches the console within seconds.
    """
    base = load_settings()
    instance = base.instance_path if "VIGIL_INSTANCE" in os.environ else base.instance_path / "demo"
    if instance.exists():
        if not (instance / DEMO_MARKER).exists():
            raise click.ClickException(
                f"{instance} exists and is not a demo instance; refusing to delete it"
            )
        shutil.rmtree(instance)
    private_directory(instance)
    (instance / DEMO_MARKER).write_text("Recreated by every `vigil demo`.\n")
    settings = replace(
        base,
        instance_path=instance,
        database_url=f"sqlite:///{instance / 'vigil.sqlite3'}",
        blob_dir=instance / "blobs",
        intake_key_file=instance / "intake.key",
        # Plain HTTP on localhost: Secure cookies would not come back.
        secure_cookies=False,
        password_cost=PasswordCost.INTERACTIVE,
        secret_key=None,
    )
    passphrase = generate_password()
    with operator_errors():
        engine = create_db_engine(settings.database_url)
        result = initialise(engine, settings, passphrase=passphrase, admin_username="admin")
        enrolments = [result.admin, *add_demo_users(engine, settings)]
        with Session(engine) as session:
            for path in list_paths:
                imported = import_list_file(session, path)
                click.echo(f"Imported {imported.source}: {imported.entry_count} entries")
            intake_key = unlock_intake_key(
                session, key_file=settings.intake_key_file, passphrase=passphrase
            )

    base_url = f"http://{host}:{port}"
    click.echo(f"Vigil demo instance: {instance}")
    click.echo(f"  Public site: {base_url}/")
    click.echo(f"  Console:     {base_url}/console")
    click.echo(f"Intake key passphrase: {passphrase}")
    click.echo(f"Intake key fingerprint: {result.intake_fingerprint}")
    click.echo("Demo logins (an authenticator app takes the TOTP secret or URI;")
    click.echo(f"  or `VIGIL_INSTANCE={instance} vigil demo-code USER` prints the current code):")
    for enrolment in enrolments:
        print_enrolment(enrolment)
    if no_serve:
        engine.dispose()
        return
    # Unlike `vigil triage worker`, the demo's worker does not hold reports to
    # the end of their hour: a demo shows a tip in the console at once.
    click.echo("A triage worker runs here: new reports reach the console within seconds.")
    sys.stdout.flush()
    threading.Thread(
        target=run_worker,
        args=(engine,),
        kwargs={
            "intake_key": intake_key,
            "triage": InstanceTriage(engine),
            "name": "demo",
            "once": False,
            "hold": False,
        },
        daemon=True,
    ).start()
    run_server(settings, host=host, port=port, workers=2)


@main.command("demo-code")
@click.argument("username")
def demo_code(username: str) -> None:
    """Print a demo user's current TOTP code (demo instances only)."""
    settings = load_settings()
    if not (settings.instance_path / DEMO_MARKER).exists():
        raise click.ClickException(f"{settings.instance_path} is not a demo instance")
    engine = initialised_engine(settings)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.totp_secret is None:
            raise click.ClickException(f"no demo user {username!r}")
        click.echo(pyotp.TOTP(user.totp_secret).at(clock.now()))


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@click.option(
    "--anchor",
    metavar="SEQ:HASH",
    help="A head printed by an earlier run, kept outside the database: the chain must pass it.",
)
def audit_verify(anchor: str | None) -> None:
    """Check every entry of the audit log; name the first bad one."""
    engine = initialised_engine(load_settings())
    try:
        expected = AuditAnchor.parse(anchor) if anchor else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None
    with Session(engine) as session:
        verification = verify_audit_log(session, anchor=expected)
    if not verification.ok:
        raise click.ClickException(f"audit log damaged: {verification.message}")
    click.echo(f"audit log intact: {verification.entries_checked} entries")
    if verification.head is not None:
        click.echo(f"head: {verification.head}  (keep a copy; pass it as --anchor later)")


@main.group()
def intake() -> None:
    """The intake key."""


@intake.command("check")
def intake_check() -> None:
    """Unlock the intake key file and compare it with the database's intake key."""
    settings = load_settings()
    engine = initialised_engine(settings)
    passphrase = read_passphrase(confirm=False)
    with operator_errors(), Session(engine) as session:
        key = unlock_intake_key(session, key_file=settings.intake_key_file, passphrase=passphrase)
    click.echo(f"intake key unlocked: fingerprint {key.public_key.fingerprint}")


# ---------------------------------------------------------------- screening lists


@main.group("lists")
def lists_group() -> None:
    """Sanctions and denied-party lists (UN, OFAC SDN, BIS DPL)."""


@lists_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def lists_import(path: Path) -> None:
    """Import a list file as a new version (format detected; the same file twice is a no-op).

    PATH: the UN consolidated XML, the OFAC SDN folder (or its sdn.csv, with
    alt.csv and add.csv beside it) or the BIS Denied Persons List text file.
    """
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        try:
            result = import_list_file(session, path)
        except ListFormatError as error:
            raise click.ClickException(str(error)) from None
    if result.created:
        click.echo(
            f"imported {result.source} version {result.version_label}: "
            f"{result.entry_count} entries (parse {result.parse_seconds:.2f} s, "
            f"store {result.store_seconds:.2f} s)"
        )
    else:
        click.echo(
            f"{result.source} version {result.version_label} is already imported "
            f"(sha256 {result.sha256[:12]}): nothing changed"
        )
    with Session(engine) as session:
        due = len(reports_due(session))
    if due:
        # Only an investigator's key can open a triaged report (docs/triage.md,
        # Re-screening): the import itself cannot re-screen them.
        click.echo(
            f"{due} triaged report{'s are' if due != 1 else ' is'} now due for re-screening:"
            " run `vigil triage rescreen --user USERNAME` as an investigator of their"
            " queues (or open them in the console)"
        )
    else:
        click.echo("no triaged report is due for re-screening")


@lists_group.command("status")
def lists_status() -> None:
    """The imported list versions, newest first; the current one of each source is marked."""
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        versions = list_versions(session)
    if not versions:
        click.echo("no screening list imported: run `vigil lists import PATH`")
        return
    click.echo(f"{'source':<10} {'version':<26} {'entries':>7}  {'imported (UTC)':<16}  sha256")
    for version in versions:
        click.echo(
            f"{version.source:<10} {version.version_label:<26} {version.entry_count:>7}  "
            f"{version.imported_at:%Y-%m-%d %H:%M}  {version.sha256[:12]}"
            + ("  current" if version.current else "")
        )


@main.command("screen")
@click.argument("name")
@click.option("--country", help="ISO code or name of the party's country.")
@click.option("--imo", "imos", multiple=True, help="An IMO number of the party's vessel.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def screen_command(name: str, country: str | None, imos: tuple[str, ...], as_json: bool) -> None:
    """Screen NAME against the current lists: the hits, best first."""
    if country is not None and country_code(country) is None:
        raise click.BadParameter(f"unknown country {country!r}", param_hint="--country")
    engine = initialised_engine(load_settings())
    with Session(engine) as session:
        try:
            screener = load_screener(session)
        except NoListsImported as error:
            raise click.ClickException(str(error)) from None
    hits = screener.screen(name, country=country, identifiers=imos)
    if as_json:
        document = {
            "query": {"name": name, "country": country, "imo": list(imos)},
            "threshold": HIT_THRESHOLD,
            "list_versions": screener.versions,
            "hits": [asdict(hit) for hit in hits],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo(f"no hit (threshold {HIT_THRESHOLD})")
        return
    for hit in hits:
        programs = ", ".join(hit.programs)
        click.echo(
            f"{hit.score:.2f}  {hit.list_source} {hit.entry_id}  {hit.primary_name}  [{programs}]"
        )
        if hit.matched_name != hit.primary_name:
            click.echo(f"      matched: {hit.matched_name}")
        for reason in hit.reasons[1:]:
            click.echo(f"      {reason}")


# ---------------------------------------------------------------- triage


@main.group("triage")
def triage_group() -> None:
    """Triage: the worker, and one report file."""


@triage_group.command("worker")
@click.option("--once", is_flag=True, help="Triage every report waiting, then exit.")
@click.option("--name", default=None, help="The worker's name in its claims [default: host:pid].")
@click.option(
    "--no-hold",
    is_flag=True,
    help="Triage reports as they arrive, not once their hour is over. The audit log"
    " then dates each report to the second: for demos and tests.",
)
def triage_worker_command(once: bool, name: str | None, no_hold: bool) -> None:
    """Unlock the intake key and triage new reports (until stopped, or once)."""
    settings = load_settings()
    engine = initialised_engine(settings)
    passphrase = read_passphrase(confirm=False)
    with operator_errors(), Session(engine) as session:
        key = unlock_intake_key(session, key_file=settings.intake_key_file, passphrase=passphrase)
    worker_name = name or f"{socket.gethostname()}:{os.getpid()}"
    if len(worker_name) > MAX_WORKER_NAME or not worker_name.strip():
        raise click.BadParameter(f"1 to {MAX_WORKER_NAME} characters", param_hint="--name")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Finish the report in hand, then stop: a report is never half done anyway.
        signal.signal(signum, lambda _signum, _frame: stop.set())
    # Log lines name report ids, queues and error classes only (reporting.pipeline.worker).
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    click.echo(f"triage worker {worker_name}: intake key {key.public_key.fingerprint}", err=True)
    with operator_errors():
        stats = run_worker(
            engine,
            intake_key=key,
            triage=InstanceTriage(engine),
            name=worker_name,
            once=once,
            hold=not no_hold,
            stop=stop,
        )
    click.echo(
        f"triaged {len(stats.triaged)}, failed {len(stats.failed)},"
        f" deferred {len(stats.deferred)}, taken over {len(stats.lost)}"
    )


def read_user_password(username: str, *, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt(f"Password of {username}", hide_input=True)
    else:
        raise click.ClickException("no terminal to ask for the password: use --password-stdin")
    if not password:
        raise click.ClickException("the password must not be empty")
    return password


@triage_group.command("rescreen")
@click.option("--user", "username", required=True, help="The investigator whose wraps are used.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the user's password from the first line of stdin."
)
def triage_rescreen(username: str, password_stdin: bool) -> None:
    """Re-screen the triaged reports USER can read against the current screening lists.

    After triage only the queue's investigators hold a report's key, so this
    runs with one investigator's password; reports they hold no wrap for stay
    due. See docs/triage.md, Re-screening.
    """
    engine = initialised_engine(load_settings())
    password = read_user_password(username, from_stdin=password_stdin)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    with Session(engine) as session:
        try:
            user, private_key = unlock_for_rescreen(session, username=username, password=password)
        except RescreenRefused as error:
            raise click.ClickException(f"re-screening refused: {error}") from None
        screener = load_current_screener(session)
        summary = rescreen_for_user(session, user, private_key, screener=screener)
    click.echo(f"due for re-screening: {summary.due}")
    click.echo(f"re-screened: {summary.rescreened}")
    click.echo(f"priority changed: {summary.priority_changed}")
    click.echo(f"moved to another queue: {summary.moved}")
    click.echo(f"still due, {username} holds no wrap: {len(summary.no_wrap)}")
    if summary.failed:
        ids = ", ".join(str(report_id) for report_id in summary.failed)
        raise click.ClickException(f"{len(summary.failed)} report(s) failed: {ids}")


def _instance_configured() -> bool:
    # Without either variable `vigil` would fall back to ./instance, and
    # opening that SQLite URL would create a database: `triage file` stores nothing.
    return "VIGIL_DATABASE_URL" in os.environ or "VIGIL_INSTANCE" in os.environ


@triage_group.command("file")
@click.argument("report_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--lists",
    "list_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Screen against this list file (repeatable) instead of the instance's lists.",
)
def triage_file(report_file: Path, as_json: bool, list_paths: tuple[Path, ...]) -> None:
    """Triage a plaintext report body (the form's JSON shape) and print the result.

    Stores nothing. With an instance configured (VIGIL_INSTANCE or
    VIGIL_DATABASE_URL) it uses the instance's routing rules and, unless
    --lists is given, its current screening lists; without one, the default
    rules and only the lists given with --lists (none: no screening, said on
    stderr).
    """
    try:
        body = json.loads(report_file.read_text(encoding="utf-8"))
        intake_type = intake_type_of(body)
    except (UnicodeDecodeError, json.JSONDecodeError, NotAReportBody) as error:
        raise click.ClickException(f"{report_file} is not a report body: {error}") from None
    screener: Screener | None = None
    if list_paths:
        try:
            screener = Screener([parse_list(path) for path in list_paths])
        except ListFormatError as error:
            raise click.ClickException(str(error)) from None
    if _instance_configured():
        engine = initialised_engine(load_settings())
        with Session(engine) as session:
            ruleset = current_ruleset(session)
            if screener is None:
                with suppress(NoListsImported):
                    screener = load_screener(session)
        engine.dispose()
    else:
        ruleset = default_ruleset()
    if screener is None:
        click.echo("no screening lists: parties were not screened", err=True)
        screener = Screener([])
    result = run_triage(body, intake_type=intake_type, screener=screener, ruleset=ruleset)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    assessment, routing = result.assessment, result.routing
    click.echo(f"priority {assessment.priority} (score {assessment.score})")
    click.echo(f"categories: {', '.join(assessment.categories)}")
    click.echo(f"domains: {', '.join(assessment.domains) or '-'}")
    click.echo(
        f"queue: {routing.queue} (rule {routing.rule!r}, rule set {routing.ruleset_version})"
    )
    if routing.excluded_names:
        click.echo(f"kept away: {', '.join(routing.excluded_names)}")
    for party in result.extraction.parties:
        click.echo(f"party: {party.name} [{party.role or 'text'}] {party.country or ''}".rstrip())
    for hit in result.hits:
        click.echo(
            f"hit {hit.score:.2f}: {hit.queried_name!r} ~ {hit.matched_name!r}"
            f" ({hit.list_source} {hit.entry_id}, {', '.join(hit.programs) or 'no program'})"
        )
    for indicator in result.indicators:
        click.echo(f"indicator {indicator.id} +{indicator.weight}: {indicator.title}")
    for reason in assessment.reasons:
        click.echo(f"  {reason}")
    click.echo("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(result.versions.items())))


# ---------------------------------------------------------------- retention


@main.group("retention")
def retention_group() -> None:
    """Retention: closed cases are deleted VIGIL_RETENTION_DAYS after closing."""


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="List the cases due, delete nothing.")
def retention_purge(dry_run: bool) -> None:
    """Delete the cases closed longer ago than the retention period (run it daily).

    Each case goes with its messages, notes, attachments (rows and blobs) and
    key wraps; the audit log keeps one `report.purge` entry per case.
    """
    settings = load_settings()
    if settings.retention_days == 0:
        click.echo("retention is off (VIGIL_RETENTION_DAYS=0): nothing is purged")
        return
    engine = initialised_engine(settings)
    older_than = timedelta(days=settings.retention_days)
    now = clock.now()
    with Session(engine) as session:
        if dry_run:
            due = closed_cases_due(session, older_than=older_than, now=now)
            click.echo(
                f"{len(due)} closed case{'' if len(due) == 1 else 's'} older than"
                f" {settings.retention_days} days would be purged (dry run: nothing deleted)"
            )
            for candidate in due:
                click.echo(
                    f"  {candidate.reference}  closed {candidate.closed_hour:%Y-%m-%d %H:00}"
                )
            return
        summary = purge_closed_cases(
            session,
            FilesystemBlobStore(settings.blob_dir),
            older_than=older_than,
            now=now,
            actor_user_id=None,
        )
    click.echo(
        f"purged {len(summary.purged)} closed case{'' if len(summary.purged) == 1 else 's'}"
        f" older than {settings.retention_days} days: {summary.messages} messages,"
        f" {summary.parts} parts, {summary.attachments} attachments, {summary.wraps} wraps;"
        f" {summary.blobs_deleted} blobs deleted"
    )
    for reference in summary.purged:
        click.echo(f"  {reference}")
    if summary.blobs_pending:
        raise click.ClickException(
            f"{len(summary.blobs_pending)} blobs could not be deleted; the next run retries them"
        )


if __name__ == "__main__":
    main()
