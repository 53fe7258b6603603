"""What `vigil init` and the web app write is readable by its owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporting.app import create_app
from reporting.core.db import create_db_engine, upgrade_database
from reporting.core.settings import Settings
from tests.cli.test_cli import PASSPHRASE
from tests.pinned_cli import vigil_command

# The usual umask, which would leave new files readable by every account.
LAX_UMASK = 0o022


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    previous = os.umask(LAX_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """The documented default layout: everything in the instance folder, SQLite included."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "srv" / "instance"),
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE=PASSPHRASE,
    )
    return env


def test_init_and_the_app_create_owner_only_files(
    tmp_path: Path, embedded_env: dict[str, str], lax_umask: None
) -> None:
    result = subprocess.run(
        [*vigil_command(), "init"],
        env=embedded_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=LAX_UMASK,
    )
    assert result.returncode == 0, result.stderr
    instance = Path(embedded_env["VIGIL_INSTANCE"])
    assert mode(tmp_path / "srv") == 0o700
    assert mode(instance) == 0o700
    assert mode(instance / "intake.key") == 0o600
    assert mode(instance / "vigil.sqlite3") == 0o600

    # The web app, in this process (umask 022): the secret key it generates,
    # the database's write-ahead log while it is open, the blob store.
    app = create_app(Settings.from_env(embedded_env))
    try:
        assert app.test_client().get("/tip").status_code == 200
        assert mode(instance / "secret_key") == 0o600
        for suffix in ("-wal", "-shm"):
            assert mode(instance / f"vigil.sqlite3{suffix}") == 0o600
        store = app.extensions["vigil"].blob_store
        key = store.new_key()
        with store.open_writer(key) as handle:
            handle.write(b"ciphertext")
        blob = instance / "blobs" / key[:2] / key
        assert blob.read_bytes() == b"ciphertext"
        assert mode(instance / "blobs") == 0o700
        assert mode(blob.parent) == 0o700
        assert mode(blob) == 0o600
        assert not [
            path
            for path in instance.rglob("*")
            if mode(path) & (stat.S_IRWXG | stat.S_IRWXO) and path.name != ".vigil-demo"
        ]
    finally:
        app.extensions["vigil"].engine.dispose()


def test_a_new_sqlite_database_elsewhere_is_owner_only(tmp_path: Path, lax_umask: None) -> None:
    database = tmp_path / "data" / "vigil.sqlite3"
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        upgrade_database(engine)
        assert mode(database.parent) == 0o700
        assert mode(database) == 0o600
    finally:
        engine.dispose()
