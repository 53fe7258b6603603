"""A case and what hangs on it: its later parts, attachments, wraps and messages.

Everything a report says is ciphertext here (records under the report key
`rk`, docs/crypto.md); the plaintext columns are only what routing, deadlines
and the console's lists need. Every time kept with a report's own rows is a
whole hour (`HourDateTime`, see the package docstring).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from reporting.core.db import Base
from reporting.core.models.accounts import User
from reporting.core.models.columns import (
    JSON_LIST,
    HourDateTime,
    UtcDateTime,
    byte_length,
    current_hour,
    enum_type,
    require_members,
)
from reporting.core.models.routing import Queue
from reporting.core.models.vocabulary import (
    Author,
    Category,
    Domain,
    HolderKind,
    IntakeType,
    MessageKind,
    Outcome,
    PartKind,
    Priority,
    ReportStatus,
    TriageState,
)

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
        byte_length("lookup_hash", 32),
        Index(None, "queue_id", "status"),
        Index(None, "status"),
        Index(None, "priority"),
        Index(None, "received_hour"),
        # Workers claim the oldest pending reports first.
        Index(None, "triage_state", "id"),
        # The console's case lists (reporting/casework/lists.py): every column they
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
    intake_type: Mapped[IntakeType] = mapped_column(enum_type(IntakeType, "intake_type"))
    status: Mapped[ReportStatus] = mapped_column(
        enum_type(ReportStatus, "status"), default=ReportStatus.NEW
    )
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome, "outcome"))

    triage_state: Mapped[TriageState] = mapped_column(
        enum_type(TriageState, "triage_state"), default=TriageState.PENDING
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # worker name, not a user
    # Failed triage attempts, the earliest time the next may start (backing
    # off: reporting.pipeline.claims.retry_delay) and the class name of the
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
    # How many times the reporter has come back with something (a message, a
    # later stage): what each investigator has seen of it is in case_reads.
    reporter_activity: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_investigator_activity_hour: Mapped[datetime | None] = mapped_column(HourDateTime)

    # Assign a new list to change these: in-place changes to a JSON value are
    # not tracked, and assignment is what runs the vocabulary check below.
    # jsonb on PostgreSQL, so that the GIN indexes above serve `@>` (migration 0006).
    categories: Mapped[list[str]] = mapped_column(JSON_LIST, default=list)
    domains: Mapped[list[str]] = mapped_column(JSON_LIST, default=list)
    priority: Mapped[Priority | None] = mapped_column(enum_type(Priority, "priority"))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="RESTRICT"))
    # The one person working the case now, among its holders (reporting.casework.assignment);
    # whoever loses access to the case stops being its assignee.
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    ack_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feedback_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    narrative_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The earliest of the above still pending, NULL when none is: derived, kept
    # by reporting.cases.deadlines.refresh_next_due wherever an input changes, so that
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
    assignee: Mapped[User | None] = relationship()
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
        return require_members(values, Category, "risk category")

    @validates("domains")
    def _check_domains(self, _key: str, values: list[str]) -> list[str]:
        return require_members(values, Domain, "domain")


class CaseRead(Base):
    """How far one user has read a case: the reporter's activity they had seen when they last
    opened it.

    A case is unread for a user until they open it, and again once the reporter
    writes or files after that (`Report.reporter_activity`). It says when
    nobody opened what, only whether; opening is audited anyway (`case.open`).
    """

    __tablename__ = "case_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    seen_activity: Mapped[int] = mapped_column(Integer)


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
    kind: Mapped[PartKind] = mapped_column(enum_type(PartKind, "kind"))
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
    author_side: Mapped[Author] = mapped_column(enum_type(Author, "author_side"))
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
        byte_length("wrapped_key", 82),
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
    holder_kind: Mapped[HolderKind] = mapped_column(enum_type(HolderKind, "holder_kind"))
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
    author_kind: Mapped[Author] = mapped_column(enum_type(Author, "author_kind"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, "kind"))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_hour: Mapped[datetime] = mapped_column(HourDateTime, default=current_hour)
    read_by_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    read_by_investigators: Mapped[bool] = mapped_column(Boolean, default=False)

    report: Mapped[Report] = relationship(back_populates="messages")
