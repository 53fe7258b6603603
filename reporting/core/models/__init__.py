"""The database tables, as typed SQLAlchemy 2.0 models, one module per area.

Everything a report says is ciphertext here (records under the report key `rk`,
see docs/crypto.md); the plaintext columns are only what routing, deadlines
and the console's lists need. docs/data-model.md describes each table.

Privacy rules the types enforce (reporting.core.models.columns):

- Every time is an aware UTC datetime (`UtcDateTime` refuses naive ones).
- Every time a reporter could be tied to is rounded down to the hour
  (`HourDateTime` refuses anything else). That covers all the times stored
  with a report's own rows (parts, attachments, wraps, messages), including
  those written by investigators: an exact investigator time next to a
  reporter's row would bound when the reporter acted.
- No column holds an IP address, a user agent, a file name or a media type.

Importing this package defines every table on `reporting.core.db.Base.metadata`
(Alembic's env.py relies on it); `from reporting.core.models import X` works
for every public name of its modules:

- columns: the time types and the table helpers;
- vocabulary: the enumerations the tables store, and `CASE_ROLES`;
- reports: a case, its parts, attachments, wraps and messages;
- accounts: console users, their sessions and declared conflicts;
- routing: queues, their members and the routing rules;
- intake: the intake public key and spent proof-of-work challenges;
- screening: the imported screening lists and their entries;
- audit: the hash-chained audit log and its head.
"""

from reporting.core.models.accounts import ConsoleSession, DeclaredConflict, User
from reporting.core.models.audit import AuditEntry, AuditHead
from reporting.core.models.columns import (
    HourDateTime,
    UtcDateTime,
    current_hour,
    json_list_holds,
    round_to_hour,
)
from reporting.core.models.intake import IntakeKey, SpentChallenge
from reporting.core.models.reports import (
    PUBLIC_REFERENCE_ALPHABET,
    Attachment,
    CaseRead,
    Message,
    Report,
    ReportPart,
    Wrap,
    new_public_reference,
)
from reporting.core.models.routing import Queue, QueueMembership, RoutingRule, RoutingRulesetVersion
from reporting.core.models.screening import ScreeningEntry, ScreeningList
from reporting.core.models.vocabulary import (
    CASE_ROLES,
    Author,
    Category,
    Domain,
    EntryKind,
    HolderKind,
    IntakeType,
    MessageKind,
    Outcome,
    PartKind,
    Priority,
    ReportStatus,
    Role,
    TriageState,
)

__all__ = [
    "CASE_ROLES",
    "PUBLIC_REFERENCE_ALPHABET",
    "Attachment",
    "AuditEntry",
    "AuditHead",
    "Author",
    "CaseRead",
    "Category",
    "ConsoleSession",
    "DeclaredConflict",
    "Domain",
    "EntryKind",
    "HolderKind",
    "HourDateTime",
    "IntakeKey",
    "IntakeType",
    "Message",
    "MessageKind",
    "Outcome",
    "PartKind",
    "Priority",
    "Queue",
    "QueueMembership",
    "Report",
    "ReportPart",
    "ReportStatus",
    "Role",
    "RoutingRule",
    "RoutingRulesetVersion",
    "ScreeningEntry",
    "ScreeningList",
    "SpentChallenge",
    "TriageState",
    "User",
    "UtcDateTime",
    "Wrap",
    "current_hour",
    "json_list_holds",
    "new_public_reference",
    "round_to_hour",
]
