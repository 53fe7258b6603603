"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Engine, inspect, text

from reporting.core.db import Base, create_db_engine, downgrade_database, upgrade_database
from reporting.core.models import AuditHead


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade_database(engine)
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        downgrade_database(engine)
        assert inspect(engine).get_table_names() == ["alembic_version"]
        upgrade_database(engine)
        assert set(inspect(engine).get_table_names()) == tables
    finally:
        engine.dispose()


def test_no_drift_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": _declared_for(connection.dialect.name),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def _declared_for(dialect: str) -> Callable[..., bool]:
    """An Alembic `include_object` that leaves out what the models declare for other dialects.

    `create_all` honours an index's `ddl_if(dialect=...)` (the jsonb indexes on
    reports, PostgreSQL only) but Alembic's comparison does not, and would
    ask for them on SQLite too.
    """

    def include(
        item: object, _name: str | None, _kind: str, reflected: bool, _other: object
    ) -> bool:
        condition = getattr(item, "_ddl_if", None)
        if reflected or condition is None or condition.dialect is None:
            return True
        wanted = condition.dialect
        return dialect == wanted if isinstance(wanted, str) else dialect in wanted

    return include


def test_check_constraints_match_models(engine: Engine) -> None:
    # Alembic's comparison ignores CHECK constraints; compare them by name.
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        expected = {
            constraint.name
            for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)
        }
        found = {check["name"] for check in inspector.get_check_constraints(table.name)}
        assert found == expected, table.name


def test_sqlite_foreign_keys_are_back_on_after_migrating(tmp_path: Path) -> None:
    # The migration turns them off on its connection; the pool must not hand
    # that connection out again without them.
    engine = create_db_engine(f"sqlite:///{tmp_path / 'vigil.sqlite3'}")
    try:
        upgrade_database(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_audit_head_starts_at_genesis(engine: Engine) -> None:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT id, seq, hash FROM audit_head")).one()
    assert (row.id, row.seq, bytes(row.hash)) == (1, 0, bytes(32))
    assert AuditHead.__tablename__ == "audit_head"
