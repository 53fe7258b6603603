"""The architecture's import rules (pyproject.toml, `[tool.importlinter]`) hold, and they bite.

`scripts/test` runs `lint-imports` before the tests. These tests check the
same contracts on the tree as it is, and then on copies of it with one
forbidden import planted, so that a contract that no longer catches anything
(a renamed package, a typo in a module name) fails the build too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("reporting", "triage", "crypto")


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """Run import-linter on `tree`'s packages with its pyproject.toml, as scripts/test does."""
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "200"}
    chosen = [option for contract in contracts for option in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *chosen, str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_scripts_test_runs_the_contracts_before_the_tests() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert script.index("lint-imports") < script.index("pytest")


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages and the contracts, copied, to plant forbidden imports in."""
    tree = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "data")
        )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


# (module the import is planted in, the import, the contract it breaks)
FORBIDDEN_IMPORTS = [
    ("reporting/core/clock.py", "import nacl.public", "nacl-only-in-crypto"),
    ("reporting/casework/lists.py", "import nacl.bindings", "nacl-only-in-crypto"),
    ("triage/model.py", "import sqlalchemy", "triage-is-pure"),
    ("triage/model.py", "import reporting.core.models", "triage-is-pure"),
    ("crypto/errors.py", "import reporting.core.clock", "crypto-stands-alone"),
    ("reporting/intake/submissions.py", "import flask", "domain-without-flask"),
    ("reporting/core/models/__init__.py", "import reporting.web.context", "domain-without-flask"),
    (
        "reporting/public/pages.py",
        "import reporting.pipeline.intake_key",
        "public-holds-no-private-key",
    ),
    ("reporting/public/api.py", "import reporting.accounts", "public-holds-no-private-key"),
    ("reporting/web/security.py", "import reporting.pipeline.intake_key", "intake-key-holders"),
    (
        "reporting/public/pages.py",
        "import reporting.pipeline.rescreen_held",
        "public-holds-no-private-key",
    ),
    ("reporting/console/queues.py", "import reporting.pipeline.worker", "web-without-intake-key"),
    ("reporting/casework/opening.py", "import reporting.pipeline.worker", "web-without-intake-key"),
    ("reporting/console/queues.py", "import reporting.public.forms", "sites-apart"),
    ("reporting/core/db.py", "import reporting.casework.lists", "layers"),
    ("reporting/audit/log.py", "import reporting.admin", "layers"),
    ("reporting/cases/access.py", "import reporting.pipeline.worker", "layers"),
    ("reporting/pipeline/apply.py", "import reporting.casework.opening", "layers"),
    # A new room that the layers do not place.
    ("reporting/search/__init__.py", '"""Search."""', "layers"),
]


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    FORBIDDEN_IMPORTS,
    ids=[f"{contract}:{module}" for module, _, contract in FORBIDDEN_IMPORTS],
)
def test_a_forbidden_import_breaks_the_build(
    tree_copy: Path, module: str, statement: str, contract: str
) -> None:
    path = tree_copy / module
    original = path.read_text(encoding="utf-8") if path.exists() else None
    new_room = not path.parent.exists()
    if new_room:
        path.parent.mkdir()
    path.write_text(f"{original or ''}\n{statement}  # planted by the test\n", encoding="utf-8")
    try:
        result = lint_imports(tree_copy, contract)
    finally:
        if new_room:
            shutil.rmtree(path.parent)
        elif original is None:
            path.unlink()
        else:
            path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout, result.stdout
    # The contract was kept before the import was planted.
    assert lint_imports(tree_copy, contract).returncode == 0
