"""Database engines, migrations and sessions.

Two backends are supported and must behave the same:

- SQLite (the embedded default): a file, in WAL mode so readers never wait for
  the writer, with foreign keys enforced and a busy timeout so concurrent
  writers queue instead of failing.
- PostgreSQL (production), always through the psycopg 3 driver.

A PostgreSQL URL may pin the connection to one schema with libpq's own
``options`` parameter, for example
``postgresql+psycopg://vigil@db/vigil?options=-csearch_path%3Dvigil``. Every
table, and Alembic's ``alembic_version``, then lives in that schema. The test
suite uses this to give each test a fresh schema; a deployment can use it to
share a database with other applications.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from reporting.core.files import private_directory, private_file

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

# Constraint and index names are spelled out rather than left to each backend,
# so a later migration can refer to them by the same name on SQLite and
# PostgreSQL (SQLite batch migrations rebuild tables and need the names).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 5000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DatabaseUnavailable(Exception):
    """The database URL cannot be used: malformed, unsupported or unreachable.

    The message names the database with any password hidden and says why.
    """


def create_db_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured for Vigil.

    ``postgresql://`` and ``postgres://`` URLs are normalised to the psycopg 3
    driver, the only PostgreSQL driver Vigil ships with.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True)


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUnavailable(f"malformed database URL: {error}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in {"postgresql", "postgres"}:
        if driver not in {"", "psycopg"}:
            raise DatabaseUnavailable(
                f"unsupported PostgreSQL driver {driver!r}: use postgresql+psycopg://"
            )
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        return parsed
    raise DatabaseUnavailable(
        f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://"
    )


def _create_sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            private_directory(Path(database).parent)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create the folder for the SQLite database {database}: {error.strerror}"
            ) from None
        # Created owner-only before SQLite opens it: SQLite would make it with
        # the umask's permissions, and gives its -wal, -shm and -journal files
        # the database file's own. A failure here shows when SQLite opens it.
        with suppress(OSError):
            private_file(Path(database))
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure_connection(
        dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
    ) -> None:
        cursor = dbapi_connection.cursor()
        # First, so that switching to WAL below also waits for other connections.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL, not NORMAL: in WAL mode NORMAL lets a power cut roll back
        # transactions that had already committed, and a report acknowledged
        # with a receipt must survive that. Vigil writes rarely; one fsync per
        # commit costs nothing noticeable.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    return engine


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable unless a connection to the database can be opened."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"cannot reach the database at {where}: {reason}") from None


def alembic_config() -> Config:
    """Alembic's configuration, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (all of them by default)."""
    _run_migrations(engine, command.upgrade, revision)


def downgrade_database(engine: Engine, revision: str = "base") -> None:
    """Revert the migrations down to ``revision`` (an empty database by default)."""
    _run_migrations(engine, command.downgrade, revision)


def _run_migrations(engine: Engine, run: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        try:
            run(config, revision)
            connection.commit()
        finally:
            connection.rollback()
            if connection.dialect.name == "sqlite":
                # migrations/env.py turns foreign keys off for the migration;
                # the pragma is ignored inside a transaction, so it is turned
                # back on here, after the commit, before the pooled connection
                # is handed to anyone else.
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")


def database_is_initialised(engine: Engine) -> bool:
    """True when the migrations have been applied (some revision is recorded)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() is not None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine)


def upsert(
    session: Session,
    model: type[Base],
    values: Mapping[str, object],
    *,
    key: Sequence[str],
    replace: Sequence[str],
) -> None:
    """Insert a row, or where one with the same `key` columns exists, replace its `replace` columns.

    One statement, so that two requests doing it at once cannot both insert
    (a read-then-write would let them); both dialects spell it ON CONFLICT.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={name: statement.excluded[name] for name in replace}
        )
    )
