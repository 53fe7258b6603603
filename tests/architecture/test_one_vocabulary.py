"""Each vocabulary has one definition: no enumeration is defined twice in reporting/ or triage/.

Priority, Category, Domain and EntryKind are defined in triage/ (the lower
layer) and used by the tables as they are (reporting/core/models/vocabulary.py).
A second definition would have to be kept in step with the first by hand, and
a stored value one of them lacks would fail on one side only. Read from the
source, so that a module nothing imports is checked too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("reporting", "triage")
ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"})


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _members(node: ast.ClassDef) -> frozenset[tuple[str, object]]:
    return frozenset(
        (target.id, statement.value.value)
        for statement in node.body
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
        for target in statement.targets
        if isinstance(target, ast.Name)
    )


def enum_definitions() -> list[tuple[str, str, frozenset[tuple[str, object]]]]:
    """(class name, where, members) of every enumeration class in the packages."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any(
                    _base_name(base) in ENUM_BASES for base in node.bases
                ):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.append((node.name, where, _members(node)))
    return found


def test_the_scan_sees_the_shared_vocabularies() -> None:
    names = {name for name, _, _ in enum_definitions()}
    assert {"Priority", "Category", "Domain", "EntryKind", "Role", "ReportStatus"} <= names


def test_no_enumeration_name_is_defined_twice() -> None:
    places: dict[str, list[str]] = defaultdict(list)
    for name, where, _ in enum_definitions():
        places[name].append(where)
    twice = {name: wheres for name, wheres in places.items() if len(wheres) > 1}
    assert not twice, f"defined more than once (import the one definition instead): {twice}"


def test_no_vocabulary_is_defined_twice_under_another_name() -> None:
    places: dict[frozenset[tuple[str, object]], list[str]] = defaultdict(list)
    for name, where, members in enum_definitions():
        if members:
            places[members].append(f"{name} ({where})")
    twice = [wheres for wheres in places.values() if len(wheres) > 1]
    assert not twice, f"the same members under several names: {twice}"
