"""The real public lists the triage tests run on: `tests/data/lists` (see its README)."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"


@pytest.fixture(scope="session")
def lists_dir() -> Path:
    return REAL_LISTS
