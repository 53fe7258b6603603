"""The names that keep a user away from a case: its parties and the reporter's conflicts.

Triage reads them from the report and its findings when it routes a case; the
console reads the same from a stored case before granting it to someone
(reporting.cases.access `eligible_users` decides with them). Plaintext, held in
memory only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crypto import CryptoError, ReportKey
from reporting.cases.findings import members, open_findings
from reporting.cases.opened_report import OpenedReport, TriageWorkerError, open_report
from reporting.core.errors import Conflict
from reporting.core.models import Report


@dataclass(frozen=True, repr=False)
class CaseNames:
    """The names conflicts are checked against; plaintext, in memory only (no repr)."""

    parties: list[str]
    reporter_conflicts: list[str]

    @classmethod
    def of(
        cls, opened: OpenedReport, *, found_parties: Iterable[str], excluded_names: Iterable[str]
    ) -> CaseNames:
        """The forms' parties and those triage found; the reporter's conflicts and routing's."""
        return cls(
            parties=[*opened.party_names(), *found_parties],
            reporter_conflicts=[*opened.conflict_names(), *excluded_names],
        )


def stored_case_names(session: Session, report: Report, key: ReportKey) -> CaseNames:
    """A triaged case's names, as the triage worker read them (its body and its findings)."""
    try:
        opened = open_report(session, report, key)
    except (CryptoError, TriageWorkerError):
        # A case whose body does not open cannot be checked for conflicts, so
        # nobody may be given it until that is sorted out.
        raise Conflict("The case cannot be opened, so access cannot be checked.") from None
    findings = open_findings(report, key)
    return CaseNames.of(
        opened,
        found_parties=[
            str(party["name"])
            for party in members(findings.get("extraction"), "parties")
            if isinstance(party, Mapping) and isinstance(party.get("name"), str)
        ],
        excluded_names=[
            name
            for name in members(findings.get("routing"), "excluded_names")
            if isinstance(name, str)
        ],
    )
