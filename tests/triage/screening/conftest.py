"""The real lists, parsed once per test session (the folder: tests/triage/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.screening import ParsedList, Screener, parse_list


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
