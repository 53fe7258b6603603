"""Importing Vigil's domain code loads no web framework and builds no app.

The import contracts check the source; this checks what an import really does
at run time, in a fresh interpreter: the package itself, every domain room and
the triage worker's modules come without Flask, so the worker and the command
line run them as plain Python.
"""

from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = (
    "reporting",
    "reporting.core.models",
    "reporting.core.errors",
    "reporting.audit.verify",
    "reporting.cases.access",
    "reporting.accounts.sign_in",
    "reporting.intake.submissions",
    "reporting.intake.followup",
    "reporting.pipeline.worker",
    "reporting.casework.opening",
    "reporting.metrics.transparency",
    "reporting.admin.retention",
)


def loaded_web_modules(*modules: str) -> list[str]:
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "web = ('flask', 'flask_babel', 'flask_wtf', 'flask_limiter', 'werkzeug', 'wtforms')\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in web)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.split()


def test_domain_modules_load_no_web_framework() -> None:
    assert loaded_web_modules(*DOMAIN_MODULES) == []


def test_the_check_sees_a_web_import() -> None:
    assert "flask" in loaded_web_modules("reporting.app")
