"""The fixed vocabularies the tables store, as enumerations.

The stored value is the member's value ("closed"), not its Python name. The
vocabularies that triage computes (priority, risk category, WMD domain) and
the kinds of screening-list entries are defined once, in triage/, the lower
layer, and used here as they are.
"""

from __future__ import annotations

from enum import StrEnum

from triage.model import Category, Domain, Priority
from triage.screening.entries import EntryKind

__all__ = [
    "CASE_ROLES",
    "Author",
    "Category",
    "Domain",
    "EntryKind",
    "HolderKind",
    "IntakeType",
    "MessageKind",
    "Outcome",
    "PartKind",
    "Priority",
    "ReportStatus",
    "Role",
    "TriageState",
]


class IntakeType(StrEnum):
    TIP = "tip"
    DISCLOSURE = "disclosure"


class ReportStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    REFERRED = "referred"
    CLOSED = "closed"


class Outcome(StrEnum):
    """Why a closed case was closed."""

    SUBSTANTIATED = "substantiated"
    NOT_SUBSTANTIATED = "not_substantiated"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    DUPLICATE = "duplicate"
    OUT_OF_SCOPE = "out_of_scope"


class TriageState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"


class PartKind(StrEnum):
    """The later stages of a voluntary self-disclosure."""

    NARRATIVE = "narrative"
    SUPPLEMENT = "supplement"


class Author(StrEnum):
    REPORTER = "reporter"
    INVESTIGATOR = "investigator"


class MessageKind(StrEnum):
    MESSAGE = "message"  # between reporter and investigators
    NOTE = "note"  # investigators only: never shown on the public site


class HolderKind(StrEnum):
    INTAKE = "intake"
    REPORTER = "reporter"
    USER = "user"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    AUDITOR = "auditor"


# The roles that work cases: the only ones that may hold a wrap and decrypt a
# report. Administrators and auditors never do, whatever queue they are in
# (docs/console.md); reporting.cases.access.may_hold_wraps applies it.
CASE_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})
