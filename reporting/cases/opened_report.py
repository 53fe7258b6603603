"""A stored report opened in memory with its key: the documents triage reads.

The triage worker opens a report with the key from its intake wrap,
re-screening with the key from an investigator's wrap
(reporting.pipeline.rescreen), and the console's conflict checks with the
acting user's (reporting.cases.access): all three read the body, the later
disclosure parts, the parties the forms name and the people the reporter
asked to keep away through this one module, so they read them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import RecordKind, ReportKey, open_record
from reporting.core.models import IntakeType, Report, ReportPart


class TriageWorkerError(Exception):
    """A report cannot be triaged as stored (no intake wrap, unknown queue...)."""


@dataclass(frozen=True, repr=False)
class OpenedReport:
    """A report opened in memory. No repr of the content: it must not reach a log."""

    report_id: int
    intake_type: IntakeType
    body: Mapping[str, Any]
    parts: tuple[Mapping[str, Any], ...]  # later disclosure stages, oldest first

    def __repr__(self) -> str:
        return f"OpenedReport(report_id={self.report_id})"

    def document(self) -> dict[str, Any]:
        """What the pipeline reads: the body, with the later disclosure stages under `parts`."""
        return {**self.body, "parts": list(self.parts)} if self.parts else dict(self.body)

    def party_names(self) -> list[str]:
        """The parties the forms name: party rows, and the disclosing company."""
        names = [str(row.get("name", "")) for row in _rows(self.body.get("parties"))]
        if self.intake_type is IntakeType.DISCLOSURE:
            names.append(str(self.body.get("company", "")))
        return [name for name in names if name.strip()]

    def conflict_names(self) -> list[str]:
        """The people the reporter asked to keep away from the report."""
        names = self.body.get("conflicts", [])
        return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _rows(value: object) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def open_report(session: Session, report: Report, key: ReportKey) -> OpenedReport:
    """Open a report's BODY record and its disclosure parts in memory, with its key."""
    body = open_record(key, RecordKind.BODY, report.body)
    parts = [
        open_record(key, RecordKind.BODY, part_body)
        for part_body in session.scalars(
            select(ReportPart.body).where(ReportPart.report_id == report.id).order_by(ReportPart.id)
        )
    ]
    if not isinstance(body, dict) or not all(isinstance(part, dict) for part in parts):
        raise TriageWorkerError(f"report {report.id}: a BODY record is not a JSON object")
    return OpenedReport(report.id, report.intake_type, body, tuple(parts))
