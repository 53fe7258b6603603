"""`vigil init`, `vigil serve` and `vigil intake check`: set up, serve and check an instance."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from reporting.accounts.enrolment import Enrolment
from reporting.accounts.password_policy import password_problem
from reporting.app import create_app
from reporting.cli.bootstrap import initialise
from reporting.cli.operator import (
    initialised_engine,
    load_settings,
    operator_errors,
    read_passphrase,
)
from reporting.core.db import create_db_engine
from reporting.core.settings import Settings
from reporting.pipeline.intake_key import unlock_intake_key
from reporting.server import serve


def print_enrolment(enrolment: Enrolment) -> None:
    click.echo(
        f"  {enrolment.username:<12} {enrolment.role.value:<13} password: {enrolment.password}"
    )
    click.echo(f"  {'':<12} {'':<13} TOTP secret: {enrolment.totp_secret}")
    click.echo(f"  {'':<12} {'':<13} {enrolment.totp_uri}")


@click.command()
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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the public site and the console under gunicorn."""
    settings = load_settings()
    initialised_engine(settings).dispose()
    run_server(settings, host=host, port=port, workers=workers)


@click.group()
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
