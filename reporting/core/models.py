"""The database tables, as typed SQLAlchemy 2.0 models.

Everything a report says is ciphertext here (records under the report key `rk`,
see docs/crypto.md); the plaintext columns are only what routing, deadlines
and the console's lists need. docs/data-model.md describes each table.

Privacy rules the types enforce:

- Every time is an aware UTC datetime (`UtcDateTime` refuses naive ones).
- Every time a reporter could be tied to is rounded down to the hour
  (`HourDateTime` refuses anything else). That covers all the times stored
  with a report's own rows (parts, attachments, wraps, messages), including
  those written by investigators: an exact investigator time next to a
  reporter's row would bound when the reporter acted.
- No column holds an IP address, a user agent, a file name or a media type.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.operators import OperatorType

from reporting.core import clock
from reporting.core.db import Base

# ---------------------------------------------------------------- time types


def round_to_hour(moment: datetime) -> datetime:
    """The UTC hour `moment` falls in: 14:59:59 becomes 14:00:00."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: Vigil stores UTC times only; pass an aware datetime")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def current_hour() -> datetime:
    return round_to_hour(clock.now())


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, always an aware datetime in UTC on the Python side.

    SQLite has no time zones, so it stores naive UTC text; PostgreSQL stores
    `timestamptz`. Either way the value read back is aware UTC, so times from
    both backends compare and hash alike (the audit chain relies on that).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: Vigil stores UTC times only; pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class HourDateTime(UtcDateTime):
    """A UTC time that must be a whole hour: a reporter-side time.

    Writing an exact time raises, so a forgotten `round_to_hour` fails loudly
    in tests instead of silently recording when a reporter was online.
    """

    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value != round_to_hour(value):
            raise ValueError("reporter-side times must be rounded down to the hour")
        return super().process_bind_param(value, dialect)

    def coerce_compared_value(self, op: OperatorType | None, value: object) -> UtcDateTime:
        # Comparisons (received_hour < some cut-off) may use any time; only
        # values written to the column must be whole hours.
        return UtcDateTime()


# ---------------------------------------------------------------- enumerations


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


class Priority(StrEnum):
    """P1 is the most urgent; the values sort in order of urgency."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class RiskCategory(StrEnum):
    EXPORT_CONTROL = "export_control"
    SANCTIONS = "sanctions"
    DIVERSION = "diversion"
    END_USE = "end_use"
    FINANCE = "finance"
    OWNERSHIP = "ownership"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    OTHER = "other"


class Domain(StrEnum):
    """WMD domain tags."""

    NUCLEAR = "nuclear"
    CHEMICAL = "chemical"
    BIOLOGICAL = "biological"
    MISSILE = "missile"
    MILITARY = "military"


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
# (docs/console.md); reporting.pipeline.worker.may_hold_wraps applies it.
CASE_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})


class EntryKind(StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


def _enum_type(enum_class: type[StrEnum], name: str) -> Enum:
    """A portable enumeration: VARCHAR plus a CHECK constraint on both backends.

    The stored value is the member's value ("closed"), not its Python name.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def _byte_length(column: str, size: int) -> CheckConstraint:
    """A CHECK that a fixed-size binary value has its size (length() counts bytes on both)."""
    return CheckConstraint(f"length({column}) = {size}", name=f"{column}_length")


def _require_members(values: list[str], allowed: type[StrEnum], what: str) -> list[str]:
    unknown = sorted(set(values) - {member.value for member in allowed})
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}")
    return list(values)


# A report's tag lists (categories, domains): JSON text on SQLite, jsonb on
# PostgreSQL, where json cannot be indexed and jsonb can (GIN, for `@>`).
_JSON_LIST = JSON().with_variant(JSONB(), "postgresql")

# ---------------------------------------------------------------- reports

PUBLIC_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32


def new_public_reference() -> str:
    """A random display reference such as VGL-7K2Q9M4X (40 bits).

    It names a case in the console and in conversation; it is not a credential
    (the receipt is) and it is random so that it reveals nothing about when the
    case arrived or how many cases there are.
    """
    return "VGL-" + "".join(secrets.choice(PUBLIC_REFERENCE_ALPHABET) for _ in range(8))


class Report(Base):
    """A case: a tip, or a voluntary self-disclosure with its later parts.

    `body` is the BODY record of the first submission (the tip, or the
    disclosure's initial notification). A disclosure's full narrative and
    supplements arrive later on the same case, under the same `rk`, as
    `ReportPart` rows.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR status = 'closed'", name="outcome_only_when_closed"),
        # The claim time closely follows the receipt time, so it is kept only
        # while a worker holds the claim and must be cleared when triage ends.
        CheckConstraint(
            "(triage_state = 'claimed' AND claimed_at IS NOT NULL AND claimed_by IS NOT NULL)"
            " OR (triage_state <> 'claimed' AND claimed_at IS NULL AND claimed_by IS NULL)",
            name="claim_consistent",
        ),
        # A failed report waits for its retry while claimed; the retry time,
        # like the claim time, closely follows the receipt and goes with it.
        CheckConstraint(
            "triage_retry_at IS NULL OR triage_state = 'claimed'",
            name="retry_only_while_claimed",
        ),
        _byte_length("lookup_hash", 32),
        Index(None, "queue_id", "status"),
        Index(None, "status"),
        Index(None, "priority"),
        Index(None, "received_hour"),
        # Workers claim the oldest pending reports first.
        Index(None, "triage_state", "id"),
        # The console's case lists (reporting/cases/lists.py): every column they
        # filter and sort on, so that listing a user's readable cases reads this
        # narrow index instead of the wide rows (migration 0004).
        Index(
            "ix_reports_case_list",
            "queue_id",
            "priority",
            "received_hour",
            "status",
            "intake_type",
            "ack_due",
            "feedback_due",
            "narrative_due",
            "acknowledged_hour",
            "closed_hour",
        ),
        # The deadline sort and filters of the case lists, within a queue (migration 0005).
        Index(None, "queue_id", "next_due", "id"),
        # The case lists' category and domain filters (`@>`), PostgreSQL only:
        # GIN indexes the members of a jsonb list; SQLite has no such index,
        # and a b-tree on the JSON text would serve no query (migration 0006).
        Index("ix_reports_categories", "categories", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_reports_domains", "domains", postgresql_using="gin").ddl_if(dialect="postgresql"),
        # A category or domain filter within the user's queues: the count and
        # the default (priority) sort test the lists in this index alone,
        # where the GIN index still reads a table row per tagged case.
        Index(
            "ix_reports_queue_priority_tags",
            "queue_id",
            "priority",
            "id",
            postgresql_include=["categories", "domains"],
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_reference: Mapped[str] = mapped_column(
        String(16), unique=True, default=new_public_reference
    )
    intake_type: Mapped[IntakeType] = mapped_column(_enum_type(IntakeType, "intake_type"))
    status: Mapped[ReportStatus] = mapped_column(
        _enum_type(ReportStatus, "status"), default=ReportStatus.NEW
    )
    outcome: Mapped[Outcome | None] = mapped_column(_enum_type(Outcome, "outcome"))

    triage_state: Mapped[TriageState] = mapped_column(
        _enum_type(TriageState, "triage_state"), default=TriageState.PENDING
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # worker name, not a user
    # Failed triage attempts, the earliest time the next may start (backing
    # off: reporting.pipeline.worker.retry_delay) and the class name of the
    # last error, so that only a new kind of failure is audited again.
    # Defaulted by the database, so that any insert that leaves it out
    # (a bulk insert, an older release during an upgrade) starts at 0.
    triage_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    triage_retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    triage_error: Mapped[str | None] = mapped_column(String(100))
    rule_version: Mapped[str | None] = mapped_column(String(200))
    list_versions: Mapped[str | None] = mapped_column(Text)

    received_hour: Mapped[datetime] = mapped_column(HourDateTime, default=current_hour)
    last_reporter_activity_hour: Mapped[datetime | None] = mapped_column(HourDateTime)
    last_investigator_activity_hour: Mapped[datetime | None] = mapped_column(HourDateTime)

    # Assign a new list to change these: in-place changes to a JSON value are
    # not tracked, and assignment is what runs the vocabulary check below.
    # jsonb on PostgreSQL, so that the GIN indexes above serve `@>` (migration 0006).
    categories: Mapped[list[str]] = mapped_column(_JSON_LIST, default=list)
    domains: Mapped[list[str]] = mapped_column(_JSON_LIST, default=list)
    priority: Mapped[Priority | None] = mapped_column(_enum_type(Priority, "priority"))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="RESTRICT"))

    ack_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feedback_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    narrative_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The earliest of the above still pending, NULL when none is: derived, kept
    # by reporting.cases.lists.refresh_next_due wherever an input changes, so that
    # the case lists sort and filter by deadline on an index.
    next_due: Mapped[datetime | None] = mapped_column(UtcDateTime)

    server_saw_plaintext: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the case was first acknowledged and when it was closed, to the hour
    # like every time kept on a case: for the deadlines, the metrics
    # (time to acknowledgement and to closure) and retention.
    acknowledged_hour: Mapped[datetime | None] = mapped_column(HourDateTime)
    closed_hour: Mapped[datetime | None] = mapped_column(HourDateTime)
    # An investigator replaced triage's categories and priority (the reason
    # is a note under rk); re-screening then leaves them alone.
    triage_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hash of the reporter's lookup token (docs/crypto.md, Receipt); the
    # receipt and the token themselves are never stored.
    lookup_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # BODY record under rk
    findings: Mapped[bytes | None] = mapped_column(LargeBinary)  # FINDINGS record under rk

    queue: Mapped[Queue | None] = relationship()
    parts: Mapped[list[ReportPart]] = relationship(
        back_populates="report", passive_deletes=True, order_by="ReportPart.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", passive_deletes=True, order_by="Attachment.id"
    )
    wraps: Mapped[list[Wrap]] = relationship(back_populates="report", passive_deletes=True)
    messages: Mapped[list[Message]] = relationship(
        back_populates="report", passive_deletes=True, order_by="Message.id"
    )

    @validates("categories")
    def _check_categories(self, _key: str, values: list[str]) -> list[str]:
        return _require_members(values, RiskCategory, "risk category")

    @validates("domains")
    def _check_domains(self, _key: str, values: list[str]) -> list[str]:
        return _require_members(values, Domain, "domain")


class ReportPart(Base):
    """A later submission on a disclosure case: its full narrative or a supplement.

    A separate row rather than a rewritten `reports.body`, so that what the
    company filed at each stage stays as it was filed, each stage keeps its
    own `server_saw_plaintext`, and attachments can say which stage they came
    with. A case has at most one narrative.
    """

    __tablename__ = "report_parts"
    __table_args__ = (
        Index(
            "uq_report_parts_one_narrative",
            "report_id",
            unique=True,
            sqlite_where=text("kind = 'narrative'"),
            postgresql_where=text("kind = 'narrative'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PartKind] = mapped_column(_enum_type(PartKind, "kind"))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # BODY record under the case's rk
    server_saw_plaintext: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_hour: Mapped[datetime] = mapped_column(HourDateTime, default=current_hour)

    report: Mapped[Report] = relationship(back_populates="parts")


class Attachment(Base):
    """An encrypted attachment stream, stored in the blob store under `blob_key`.

    No file name or media type here: both are inside the ciphertext. Deleting
    the row does not delete the blob; whoever deletes attachments (or the
    report, which cascades to them) deletes the blobs too.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("part_id IS NULL OR message_id IS NULL", name="one_parent"),
        CheckConstraint("ciphertext_size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # Which later stage or message it came with; neither for the first submission.
    part_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_parts.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    blob_key: Mapped[str] = mapped_column(String(64), unique=True)
    ciphertext_size: Mapped[int] = mapped_column(BigInteger)
    author_side: Mapped[Author] = mapped_column(_enum_type(Author, "author_side"))
    created_hour: Mapped[datetime] = mapped_column(HourDateTime, default=current_hour)

    report: Mapped[Report] = relationship(back_populates="attachments")


class Wrap(Base):
    """The report key sealed to one holder: the intake key, the reporter, or a user.

    Having access to a case means having a wrap; revoking deletes it. A user
    holds at most one wrap per report, and so do the intake and the reporter.
    """

    __tablename__ = "wraps"
    __table_args__ = (
        CheckConstraint(
            "(holder_kind = 'user' AND user_id IS NOT NULL)"
            " OR (holder_kind <> 'user' AND user_id IS NULL)",
            name="user_iff_user_holder",
        ),
        _byte_length("wrapped_key", 82),
        # NULLs never collide in a unique constraint, on either backend, so
        # the holders without a user get their own partial unique index.
        UniqueConstraint("report_id", "user_id"),
        Index(
            "uq_wraps_report_id_holder_kind",
            "report_id",
            "holder_kind",
            unique=True,
            sqlite_where=text("user_id IS NULL"),
            postgresql_where=text("user_id IS NULL"),
        ),
        # "The reports this user holds a wrap for", from the index alone (case lists).
        Index(None, "user_id", "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    holder_kind: Mapped[HolderKind] = mapped_column(_enum_type(HolderKind, "holder_kind"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary(82))
    created_hour: Mapped[datetime] = mapped_column(HourDateTime, default=current_hour)

    report: Mapped[Report] = relationship(back_populates="wraps")


class Message(Base):
    """A message between reporter and investigators, or an investigators' note.

    `ciphertext` is a MESSAGE or NOTE record under rk. Order by `id`: the time
    is only the hour (see the module docstring).
    """

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            "(author_kind = 'reporter' AND author_user_id IS NULL AND kind = 'message')"
            " OR (author_kind = 'investigator' AND author_user_id IS NOT NULL)",
            name="author_consistent",
        ),
        Index(None, "report_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    author_kind: Mapped[Author] = mapped_column(_enum_type(Author, "author_kind"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[MessageKind] = mapped_column(_enum_type(MessageKind, "kind"))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_hour: Mapped[datetime] = mapped_column(HourDateTime, default=current_hour)
    read_by_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    read_by_investigators: Mapped[bool] = mapped_column(Boolean, default=False)

    report: Mapped[Report] = relationship(back_populates="messages")


# ---------------------------------------------------------------- console users


class User(Base):
    """A console account. Deactivate (`is_active`), never delete: the audit log refers to it."""

    __tablename__ = "users"
    __table_args__ = (
        _byte_length("public_key", 32),
        _byte_length("locked_private_key", 104),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum_type(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))  # crypto_pwhash_str, Argon2id
    # The TOTP shared secret. The server must be able to use it without the
    # user, so no user secret can protect it: it is guarded by access to the
    # database. Alone it is worthless: signing in also needs the password, and
    # reading any report needs the private key, which only the password unlocks.
    totp_secret: Mapped[str | None] = mapped_column(String(128))
    # The last accepted TOTP time step: a code is refused unless its step is
    # later, so an observed code cannot be replayed within its window.
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    locked_private_key: Mapped[bytes] = mapped_column(LargeBinary(104))  # LOCKED_KEY blob
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Bumped to end every session of the user at once (password change,
    # deactivation): a session whose generation differs is refused.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    # Set when someone other than the user chose the password (enrolment,
    # an administrator's reset): the next sign-in must replace it.
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)


class ConsoleSession(Base):
    """A signed-in console session.

    `id` is a hash of the random token in the cookie, so a database reader
    cannot take over sessions. `session_key` is the user's private key under a
    secret that only the cookie holds (SESSION_KEY blob, docs/crypto.md).
    """

    __tablename__ = "console_sessions"
    __table_args__ = (
        _byte_length("id", 32),
        _byte_length("session_key", 76),
        Index(None, "expires_at"),
    )

    id: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_key: Mapped[bytes] = mapped_column(LargeBinary(76))
    generation: Mapped[int] = mapped_column(Integer)
    # When the second factor was checked; NULL while only the password has been.
    second_factor_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Queue(Base):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class QueueMembership(Base):
    __tablename__ = "queue_memberships"
    __table_args__ = (Index(None, "queue_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True
    )


class DeclaredConflict(Base):
    """A party (person or company) an investigator must not investigate."""

    __tablename__ = "declared_conflicts"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)


# ---------------------------------------------------------------- routing


class RoutingRule(Base):
    """One admin-editable rule; the enabled rules are tried in `position` order.

    `conditions` is a JSON object whose members the triage package defines
    (categories, priorities, intake types, countries).
    """

    __tablename__ = "routing_rules"
    __table_args__ = (Index(None, "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="RESTRICT"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now, onupdate=clock.now)


class RoutingRulesetVersion(Base):
    """A snapshot of the whole rule set, written on every change.

    The current version is the highest. Triage records the version it used, and
    the snapshot lets the same version be applied again to reproduce a result.
    """

    __tablename__ = "routing_ruleset_versions"
    # AUTOINCREMENT on SQLite so a number is never handed out twice.
    __table_args__ = ({"sqlite_autoincrement": True},)

    version: Mapped[int] = mapped_column(primary_key=True)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# ---------------------------------------------------------------- keys and lists


class IntakeKey(Base):
    """The intake public key. Its private key lives only in the passphrase-locked key file."""

    __tablename__ = "intake_keys"
    __table_args__ = (
        _byte_length("public_key", 32),
        # At most one active key at a time.
        Index(
            "uq_intake_keys_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SpentChallenge(Base):
    """A proof-of-work challenge already used (reporting/intake/pow.py); each is accepted once.

    Kept in the database so that every worker sees it. `expires_hour` is the
    hour after the token's expiry, not the expiry itself, which would tell
    when a reporter came; the row is deleted once that hour has passed.
    """

    __tablename__ = "spent_challenges"
    __table_args__ = (
        _byte_length("digest", 32),
        Index(None, "expires_hour"),
    )

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)  # SHA-256 of token
    expires_hour: Mapped[datetime] = mapped_column(HourDateTime)


class ScreeningList(Base):
    """One imported version of a sanctions or denied-party list."""

    __tablename__ = "screening_lists"
    __table_args__ = (UniqueConstraint("source", "version_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))  # e.g. un, ofac_sdn, bis_dpl
    version_label: Mapped[str] = mapped_column(String(200))
    source_sha256: Mapped[str] = mapped_column(String(64))  # hex digest of the imported file
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)
    entry_count: Mapped[int] = mapped_column(Integer)


class ScreeningEntry(Base):
    __tablename__ = "screening_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("screening_lists.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(200))  # the list's own reference
    kind: Mapped[EntryKind] = mapped_column(_enum_type(EntryKind, "kind"))
    primary_name: Mapped[str] = mapped_column(Text)
    # Each alias with its quality: [{"name": "KOMID", "quality": "good"}] ("good" or "low").
    aliases: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    programs: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Typed identifiers, e.g. [{"type": "IMO", "value": "9123456"}]; addresses are
    # kept here too, as {"type": "address", "value": "..."}.
    identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    remarks: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- audit log


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log (see reporting.audit.log).

    Written only through `reporting.audit.log.append_audit`. The migration adds
    triggers that refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        _byte_length("prev_hash", 32),
        _byte_length("hash", 32),
        Index(None, "target"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # RESTRICT (the default): a user with history cannot be deleted, because
    # SET NULL would rewrite hashed rows.
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # never report content
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


class AuditHead(Base):
    """The single row holding the chain's last seq and hash.

    Appends lock this row, which serialises writers on both backends (see
    reporting.audit.log), and verification compares it with the last entry, which
    catches a deleted tail unless the head was rewritten too.
    """

    __tablename__ = "audit_head"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        _byte_length("hash", 32),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
