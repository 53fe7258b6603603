"""Every form Vigil serves is a VigilForm (reporting/web/forms.py), never a bare FlaskForm.

A bare FlaskForm fills text fields from uploaded files and from JSON bodies,
which no validator expects: a server error on whichever form forgot. This
reads the source and fails on any class built on FlaskForm outside the one
base.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THE_BASE = ROOT / "reporting" / "web" / "forms.py"


def bare_forms(source: str) -> list[str]:
    """Each class in `source` that derives from FlaskForm itself, as `line: name`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name == "FlaskForm":
                    found.append(f"{node.lineno}: {node.name}")
    return found


def test_every_form_is_a_vigil_form() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "reporting").rglob("*.py"))
        if path != THE_BASE and (found := bare_forms(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_finds_a_bare_form() -> None:
    source = "import flask_wtf\nclass A(FlaskForm): pass\nclass B(flask_wtf.FlaskForm): pass\n"
    assert bare_forms(source) == ["2: A", "3: B"]
