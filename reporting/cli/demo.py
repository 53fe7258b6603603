"""`vigil demo` and `vigil demo-code`: a throw-away instance with demo users, served at once."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from dataclasses import replace
from pathlib import Path

import click
import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import PasswordCost
from reporting.accounts.enrolment import generate_password
from reporting.cli.bootstrap import add_demo_users, initialise
from reporting.cli.instance import print_enrolment, run_server
from reporting.cli.operator import initialised_engine, load_settings, operator_errors
from reporting.core import clock
from reporting.core.db import create_db_engine
from reporting.core.files import private_directory
from reporting.core.models import User
from reporting.pipeline.intake_key import unlock_intake_key
from reporting.pipeline.screening_lists import import_list_file
from reporting.pipeline.worker import InstanceTriage, run_worker

DEMO_MARKER = ".vigil-demo"


@click.command()
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
        filing_key_file=instance / "filing.key",
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


@click.command("demo-code")
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
