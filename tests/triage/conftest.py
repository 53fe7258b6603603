"""The real public lists of ../shared/data, for the triage tests that must run on them.

The data lives beside the repository (`../shared/data`, or the folder named
by VIGIL_SHARED_DATA). Without it the tests that need it fail under CI and
are skipped elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_lists_dir() -> Path:
    data = Path(os.environ.get("VIGIL_SHARED_DATA", REPO.parent / "shared" / "data"))
    return data / "lists"


@pytest.fixture(scope="session")
def lists_dir() -> Path:
    folder = shared_lists_dir()
    if not (folder / "un_sc_consolidated.xml").is_file():
        message = f"the real lists are not in {folder} (set VIGIL_SHARED_DATA)"
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return folder
