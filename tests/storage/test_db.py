"""Engines, connection checks and the programmatic migration entry points."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from reporting.core.db import (
    DatabaseUnavailable,
    check_connection,
    create_db_engine,
    database_is_initialised,
    upgrade_database,
)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://vigil@db.example/vigil",
        "postgres://vigil@db.example/vigil",
        "postgresql+psycopg://vigil@db.example/vigil",
    ],
)
def test_postgresql_urls_use_psycopg_3(url: str) -> None:
    engine = create_db_engine(url)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg2://vigil@db/vigil", "mysql://vigil@db/vigil", "not a url"]
)
def test_unusable_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(DatabaseUnavailable):
        create_db_engine(url)


def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "vigil.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 5000
            assert pragma("synchronous") == 2  # FULL
        assert path.is_file()
    finally:
        engine.dispose()


def test_unreachable_postgresql_raises_database_unavailable() -> None:
    # Port 1 on localhost: nothing listens there, so the refusal is immediate.
    engine = create_db_engine("postgresql://vigil:secret-password@127.0.0.1:1/vigil")
    with pytest.raises(DatabaseUnavailable) as caught:
        check_connection(engine)
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert "secret-password" not in message


def test_unopenable_sqlite_raises_database_unavailable(tmp_path: Path) -> None:
    folder = tmp_path / "a-directory.sqlite3"
    folder.mkdir()
    with pytest.raises(DatabaseUnavailable):
        check_connection(create_db_engine(f"sqlite:///{folder}"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseUnavailable, match="cannot create the folder"):
        create_db_engine(f"sqlite:///{blocker / 'vigil.sqlite3'}")


def test_database_is_initialised_only_after_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        check_connection(engine)
        assert not database_is_initialised(engine)
        upgrade_database(engine)
        assert database_is_initialised(engine)
    finally:
        engine.dispose()


def test_migrated_engine_fixture_is_initialised(engine: Engine) -> None:
    assert database_is_initialised(engine)
