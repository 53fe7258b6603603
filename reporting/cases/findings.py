"""A case's stored FINDINGS record read back in memory: what triage found.

The console reads the findings triage sealed under the report key for two
things: the names conflicts of interest are checked against when a case is
given to someone (reporting.cases.access) and the identifiers related cases
share (reporting.casework.related). Both read the record through here, and a
record that does not open reads as empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crypto import CryptoError, RecordKind, ReportKey, open_record
from reporting.core.models import Report


def open_findings(report: Report, key: ReportKey) -> dict[str, Any]:
    """The case's FINDINGS record; empty when it has none or it does not open."""
    if report.findings is None:
        return {}
    try:
        findings = open_record(key, RecordKind.FINDINGS, report.findings)
    except CryptoError:
        return {}
    return findings if isinstance(findings, dict) else {}


def members(value: object, name: str) -> list[Any]:
    """The list under `name` in a findings section (`extraction`, `routing`); [] otherwise."""
    if isinstance(value, Mapping):
        member = value.get(name)
        if isinstance(member, list):
            return member
    return []
