"""Vigil reads the time from reporting/core/clock.py and nowhere else.

Code that asks the machine for the time by itself cannot be run at another
date by the suite, which is how a yearly export came to fail every December.
This reads the source of every package and migration, and fails on any
reading of the wall clock (or a sleep on it) outside the clock module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("reporting", "triage", "crypto", "migrations")
THE_CLOCK = ROOT / "reporting" / "core" / "clock.py"

# time.<name> and `from time import <name>` that read or wait on the clock.
TIME_READINGS = {
    "time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns",
    "localtime", "gmtime", "ctime", "asctime", "strftime", "process_time", "sleep",
}  # fmt: skip
# <anything>.now() / .utcnow() / .today(): datetime, date, pyotp.TOTP, pendulum ...
NOW_METHODS = {"now", "utcnow", "today"}
# SQL that asks the database server for the time instead.
SQL_NOW = ("current_timestamp", "now()", "localtimestamp", "current_date")
SQL_NOW_FUNCTIONS = {
    "now", "current_timestamp", "current_date", "current_time", "localtimestamp",
    "localtime", "sysdate", "clock_timestamp", "statement_timestamp",
}  # fmt: skip


def _sources() -> list[Path]:
    files = [path for package in CHECKED for path in sorted((ROOT / package).rglob("*.py"))]
    return [path for path in files if path != THE_CLOCK]


def _is_func(node: ast.expr) -> bool:
    """`func` or `<anything>.func`: SQLAlchemy's SQL function namespace."""
    return (isinstance(node, ast.Name) and node.id == "func") or (
        isinstance(node, ast.Attribute) and node.attr == "func"
    )


def clock_readings(source: str) -> list[str]:
    """Each place in `source` that reads the wall clock, as `line: what`."""
    tree = ast.parse(source)
    # `import time` and `import time as t` alike.
    time_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "time"
    } | {"time"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [
                f"{node.lineno}: from time import {alias.name}"
                for alias in node.names
                if alias.name in TIME_READINGS or alias.name == "*"
            ]
        elif isinstance(node, ast.Attribute):
            owner = node.value
            if (
                isinstance(owner, ast.Name)
                and owner.id in time_names
                and node.attr in TIME_READINGS
            ):
                found.append(f"{node.lineno}: {owner.id}.{node.attr}")
            elif node.attr in NOW_METHODS and not (
                isinstance(owner, ast.Name) and owner.id == "clock"
            ):
                found.append(f"{node.lineno}: .{node.attr}")
            elif node.attr in SQL_NOW_FUNCTIONS and _is_func(owner):
                found.append(f"{node.lineno}: func.{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            found += [f"{node.lineno}: SQL {word}" for word in SQL_NOW if word in text]
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_code_asks_the_one_clock_for_the_time(path: Path) -> None:
    assert clock_readings(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import time\nstarted = time.monotonic()",
        "from time import time",
        "from datetime import datetime, UTC\nnow = datetime.now(UTC)",
        "import datetime\ntoday = datetime.date.today()",
        "import pyotp\ncode = pyotp.TOTP('A').now()",
        "from sqlalchemy import func\ncolumn_default = func.now()",
        "import sqlalchemy as sa\ncolumn_default = sa.func.current_date()",
        "import time as t\nstarted = t.time()",
        "statement = 'UPDATE users SET seen = CURRENT_TIMESTAMP'",
    ],
)
def test_the_check_finds_each_way_of_reading_the_clock(source: str) -> None:
    assert clock_readings(source)


def test_the_check_lets_the_clock_through() -> None:
    assert clock_readings("from reporting import clock\nnow = clock.now()") == []
