"""Alembic environment for Vigil.

Two ways in:

- programmatically, through `reporting.core.db.upgrade_database(engine)`, which
  passes its open connection in `config.attributes["connection"]`;
- from the command line (`alembic -c alembic.ini ...`), which reads the URL
  from `-x url=...` or the VIGIL_DATABASE_URL environment variable.

Batch mode is on so that later migrations can alter tables on SQLite, which
can only do that by copying the table.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

import reporting.core.models  # noqa: F401  (defines every table on Base.metadata)
from reporting.core.db import Base, create_db_engine

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration copies a table and drops the original; with foreign
        # keys on, SQLite would run ON DELETE CASCADE for that drop and empty
        # the child tables. The pragma only takes effect outside a transaction,
        # which is where pysqlite leaves a connection until its first write.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        # Checked before the caller commits; whoever owns the connection turns
        # foreign keys back on (reporting.core.db does; the command line's engine
        # is thrown away).
        violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if violations:
            raise RuntimeError(f"migration left rows with broken foreign keys: {violations}")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "VIGIL_DATABASE_URL"
    )
    if not url:
        raise SystemExit("give the database as -x url=... or in VIGIL_DATABASE_URL")
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name)
run_migrations_online()
