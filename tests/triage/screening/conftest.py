"""The real lists of ../shared/data/lists, parsed once per test session.

The data lives beside the repository (`../shared/data`, or the folder named
by VIGIL_SHARED_DATA). Without it the tests that need it fail under CI and
are skipped elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from triage.screening import ParsedList, Screener, parse_list

REPO = Path(__file__).resolve().parents[3]


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


@pytest.fixture(scope="session")
def un_list(lists_dir: Path) -> ParsedList:
    return parse_list(lists_dir / "un_sc_consolidated.xml")


@pytest.fixture(scope="session")
def ofac_list(lists_dir: Path) -> ParsedList:
    return parse_list(lists_dir / "ofac_sdn")


@pytest.fixture(scope="session")
def bis_list(lists_dir: Path) -> ParsedList:
    return parse_list(lists_dir / "bis_dpl.txt")


@pytest.fixture(scope="session")
def screener(un_list: ParsedList, ofac_list: ParsedList, bis_list: ParsedList) -> Screener:
    return Screener([un_list, ofac_list, bis_list])
