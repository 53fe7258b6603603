"""The `vigil` command: set up, serve and check an instance.

Every failure an operator can cause (a missing or wrong passphrase, an
existing database, an unreachable database URL) ends with one clear line on
stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import click
import pyotp
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crypto import CryptoError, PasswordCost
from reporting import create_app
from reporting.accounts import Enrolment, generate_password
from reporting.audit import AuditAnchor, verify_audit_log
from reporting.bootstrap import AlreadyInitialised, add_demo_users, initialise, instance_exists
from reporting.db import (
    DatabaseUnavailable,
    check_connection,
    create_db_engine,
)
from reporting.intake import IntakeKeyError, unlock_intake_key
from reporting.models import User
from reporting.server import serve
from reporting.settings import Settings, SettingsError

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


@main.command()
@click.option("--admin", "admin_username", default="admin", show_default=True)
def init(admin_username: str) -> None:
    """Create the database, the intake key and the first administrator."""
    settings = load_settings()
    passphrase = read_passphrase(confirm=True)
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
def demo(host: str, port: int, no_serve: bool) -> None:
    """Recreate a demo instance with demo users, print their logins and serve it."""
    base = load_settings()
    instance = base.instance_path if "VIGIL_INSTANCE" in os.environ else base.instance_path / "demo"
    if instance.exists():
        if not (instance / DEMO_MARKER).exists():
            raise click.ClickException(
                f"{instance} exists and is not a demo instance; refusing to delete it"
            )
        shutil.rmtree(instance)
    instance.mkdir(parents=True)
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
        engine.dispose()

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
    sys.stdout.flush()
    if not no_serve:
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
        click.echo(pyotp.TOTP(user.totp_secret).now())


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


if __name__ == "__main__":
    main()
