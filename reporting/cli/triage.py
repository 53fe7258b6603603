"""`vigil triage`: the triage worker, re-screening, and one report file triaged."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
from contextlib import suppress
from pathlib import Path

import click
from sqlalchemy.orm import Session

from reporting.cli.operator import (
    initialised_engine,
    load_settings,
    operator_errors,
    read_passphrase,
)
from reporting.pipeline.claims import MAX_WORKER_NAME
from reporting.pipeline.intake_key import unlock_intake_key
from reporting.pipeline.rescreen_held import (
    RescreenRefused,
    rescreen_for_user,
    unlock_for_rescreen,
)
from reporting.pipeline.routing_rules import current_ruleset, default_ruleset
from reporting.pipeline.screening_lists import (
    NoListsImported,
    load_current_screener,
    load_screener,
)
from reporting.pipeline.worker import InstanceTriage, run_worker
from triage.model import TriageResult
from triage.pipeline import NotAReportBody, intake_type_of, run_triage
from triage.screening import ListFormatError, Screener, parse_list


@click.group("triage")
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


def _read_report(name: str, stdin_used: list[bool]) -> dict[str, object]:
    """A report body from a file (or `-`, stdin), or a ClickException naming it."""
    try:
        if name == "-":
            if stdin_used:
                raise click.UsageError("- (stdin) can be given once")
            stdin_used.append(True)
            data = sys.stdin.buffer.read()
        else:
            data = Path(name).read_bytes()
    except IsADirectoryError:
        raise click.ClickException(f"{name} is a folder, not a report body") from None
    except OSError as error:
        raise click.ClickException(f"cannot read {name}: {error.strerror}") from None
    label = "stdin" if name == "-" else name
    try:
        body = json.loads(data.decode("utf-8"))
        intake_type_of(body)
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{label} is not a report body: not UTF-8 (byte {error.start})"
        ) from None
    except (json.JSONDecodeError, NotAReportBody) as error:
        raise click.ClickException(f"{label} is not a report body: {error}") from None
    except RecursionError:
        raise click.ClickException(f"{label} is not a report body: nested too deeply") from None
    except ValueError as error:
        # json.loads refuses an integer longer than Python converts (4,300 digits).
        raise click.ClickException(f"{label} is not a report body: {error}") from None
    return body  # type: ignore[no-any-return]


@triage_group.command("file")
@click.argument("report_files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print each result as one line of JSON.")
@click.option(
    "--lists",
    "list_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Screen against this list file (repeatable) instead of the instance's lists.",
)
def triage_file(report_files: tuple[str, ...], as_json: bool, list_paths: tuple[Path, ...]) -> None:
    """Triage plaintext report bodies (the form's JSON shape; - for stdin) and print the results.

    Stores nothing. Every file is read and checked before any is triaged, and
    the rules and lists are loaded once for all. With an instance configured
    (VIGIL_INSTANCE or VIGIL_DATABASE_URL) it uses the instance's routing
    rules and, unless --lists is given, its current screening lists; without
    one, the default rules and only the lists given with --lists (none: no
    screening, said on stderr). --json prints one line per file, in order:
    {"file": ..., and the result's members}.
    """
    stdin_used: list[bool] = []
    bodies = [(name, _read_report(name, stdin_used)) for name in report_files]
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
    for index, (name, body) in enumerate(bodies):
        result = run_triage(
            body, intake_type=intake_type_of(body), screener=screener, ruleset=ruleset
        )
        if as_json:
            line = json.dumps({"file": name, **result.to_json()}, ensure_ascii=False)
            click.echo(line)
            continue
        if len(bodies) > 1:
            click.echo(("" if index == 0 else "\n") + f"== {name}")
        _print_result(result)


def _print_result(result: TriageResult) -> None:
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
