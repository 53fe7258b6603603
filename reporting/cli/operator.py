"""What the `vigil` commands share.

The settings, the instance's database and the intake key's passphrase; and
every error an operator can cause, turned into one line and exit status 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine

from crypto import CryptoError
from reporting.cli.bootstrap import AlreadyInitialised, instance_exists
from reporting.core.db import (
    DatabaseUnavailable,
    check_connection,
    create_db_engine,
)
from reporting.core.settings import Settings, SettingsError
from reporting.intake.public_key import IntakeKeyError


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
