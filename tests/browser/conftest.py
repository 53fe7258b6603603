"""The browser tests exercise the crypto in the page, not the database: one backend is enough.

The app behind `live_server` still runs on a real, migrated database (SQLite in
the test's tmp_path); only the PostgreSQL repetition of every test is dropped.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
