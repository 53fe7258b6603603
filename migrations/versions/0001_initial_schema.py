"""Initial schema: reports and their parts, attachments, wraps, messages; console
users, sessions, queues and routing; intake keys; screening lists; the audit log.

Revision ID: 0001
Revises:
Create Date: 2025-11-24

Enumerations are VARCHAR(32) with a named CHECK (the models use non-native
enums), so both backends store and refuse the same values. Times are
timestamptz on PostgreSQL and UTC text on SQLite (reporting.core.models.UtcDateTime).
The migration spells out the types instead of importing the models, so it
stays what it was when later models change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = bytes(32)


def _time(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _choice(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def _length(table: str, column: str, size: int) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"length({column}) = {size}", name=op.f(f"ck_{table}_{column}_length")
    )


def _enum(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def upgrade() -> None:
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        _length("audit_head", "hash", 32),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The empty chain: nothing appended yet, the head is the genesis hash.
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])

    op.create_table(
        "intake_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        _time("created_at"),
        sa.Column("active", sa.Boolean(), nullable=False),
        _length("intake_keys", "public_key", 32),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_keys")),
        sa.UniqueConstraint("public_key", name=op.f("uq_intake_keys_public_key")),
    )
    op.create_index(
        "uq_intake_keys_active",
        "intake_keys",
        ["active"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )

    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
        sa.UniqueConstraint("slug", name=op.f("uq_queues_slug")),
    )

    op.create_table(
        "screening_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("version_label", sa.String(length=200), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        _time("imported_at"),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_lists")),
        sa.UniqueConstraint(
            "source", "version_label", name=op.f("uq_screening_lists_source_version_label")
        ),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        _enum("role"),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("totp_secret", sa.String(length=128), nullable=True),
        sa.Column("totp_last_counter", sa.BigInteger(), nullable=True),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("locked_private_key", sa.LargeBinary(length=104), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        _time("locked_until", nullable=True),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        _time("created_at"),
        _choice("users", "role", ["admin", "supervisor", "investigator", "auditor"]),
        _length("users", "public_key", 32),
        _length("users", "locked_private_key", 104),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        _time("at"),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        _length("audit_log", "prev_hash", 32),
        _length("audit_log", "hash", 32),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_log_actor_user_id_users")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_actor_user_id"), "audit_log", ["actor_user_id"])
    op.create_index(op.f("ix_audit_log_target"), "audit_log", ["target"])
    _refuse_audit_log_changes()

    op.create_table(
        "console_sessions",
        sa.Column("id", sa.LargeBinary(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.LargeBinary(length=76), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        _time("second_factor_at", nullable=True),
        _time("created_at"),
        _time("last_seen_at"),
        _time("expires_at"),
        _length("console_sessions", "id", 32),
        _length("console_sessions", "session_key", 76),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_console_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_expires_at"), "console_sessions", ["expires_at"])
    op.create_index(op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"])

    op.create_table(
        "declared_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_declared_conflicts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declared_conflicts")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_declared_conflicts_user_id_name")),
    )

    op.create_table(
        "queue_memberships",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_queue_memberships_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_queue_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "queue_id", name=op.f("pk_queue_memberships")),
    )
    op.create_index(op.f("ix_queue_memberships_queue_id"), "queue_memberships", ["queue_id"])

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_reference", sa.String(length=16), nullable=False),
        _enum("intake_type"),
        _enum("status"),
        _enum("outcome", nullable=True),
        _enum("triage_state"),
        _time("claimed_at", nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("rule_version", sa.String(length=200), nullable=True),
        sa.Column("list_versions", sa.Text(), nullable=True),
        _time("received_hour"),
        _time("last_reporter_activity_hour", nullable=True),
        _time("last_investigator_activity_hour", nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        _enum("priority", nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        _time("ack_due", nullable=True),
        _time("feedback_due", nullable=True),
        _time("narrative_due", nullable=True),
        sa.Column("server_saw_plaintext", sa.Boolean(), nullable=False),
        sa.Column("lookup_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("findings", sa.LargeBinary(), nullable=True),
        _choice("reports", "intake_type", ["tip", "disclosure"]),
        _choice(
            "reports", "status", ["new", "acknowledged", "investigating", "referred", "closed"]
        ),
        _choice(
            "reports",
            "outcome",
            [
                "substantiated",
                "not_substantiated",
                "insufficient_information",
                "duplicate",
                "out_of_scope",
            ],
        ),
        _choice("reports", "triage_state", ["pending", "claimed", "done"]),
        _choice("reports", "priority", ["P1", "P2", "P3", "P4"]),
        sa.CheckConstraint(
            "outcome IS NULL OR status = 'closed'",
            name=op.f("ck_reports_outcome_only_when_closed"),
        ),
        sa.CheckConstraint(
            "(triage_state = 'claimed' AND claimed_at IS NOT NULL AND claimed_by IS NOT NULL)"
            " OR (triage_state <> 'claimed' AND claimed_at IS NULL AND claimed_by IS NULL)",
            name=op.f("ck_reports_claim_consistent"),
        ),
        _length("reports", "lookup_hash", 32),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_reports_queue_id_queues"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("lookup_hash", name=op.f("uq_reports_lookup_hash")),
        sa.UniqueConstraint("public_reference", name=op.f("uq_reports_public_reference")),
    )
    op.create_index(op.f("ix_reports_priority"), "reports", ["priority"])
    op.create_index(op.f("ix_reports_queue_id_status"), "reports", ["queue_id", "status"])
    op.create_index(op.f("ix_reports_received_hour"), "reports", ["received_hour"])
    op.create_index(op.f("ix_reports_status"), "reports", ["status"])
    op.create_index(op.f("ix_reports_triage_state_id"), "reports", ["triage_state", "id"])

    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_routing_rules_queue_id_queues"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_index(op.f("ix_routing_rules_position"), "routing_rules", ["position"])

    op.create_table(
        "routing_ruleset_versions",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        _time("created_at"),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_routing_ruleset_versions_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_routing_ruleset_versions")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "screening_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        _enum("kind"),
        sa.Column("primary_name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("programs", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=True),
        _choice("screening_entries", "kind", ["individual", "entity", "vessel", "aircraft"]),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["screening_lists.id"],
            name=op.f("fk_screening_entries_list_id_screening_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_entries")),
    )
    op.create_index(op.f("ix_screening_entries_list_id"), "screening_entries", ["list_id"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        _enum("author_kind"),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        _enum("kind"),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        _time("created_hour"),
        sa.Column("read_by_reporter", sa.Boolean(), nullable=False),
        sa.Column("read_by_investigators", sa.Boolean(), nullable=False),
        _choice("messages", "author_kind", ["reporter", "investigator"]),
        _choice("messages", "kind", ["message", "note"]),
        sa.CheckConstraint(
            "(author_kind = 'reporter' AND author_user_id IS NULL AND kind = 'message')"
            " OR (author_kind = 'investigator' AND author_user_id IS NOT NULL)",
            name=op.f("ck_messages_author_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_messages_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_messages_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(op.f("ix_messages_report_id_id"), "messages", ["report_id", "id"])

    op.create_table(
        "report_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        _enum("kind"),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("server_saw_plaintext", sa.Boolean(), nullable=False),
        _time("submitted_hour"),
        _choice("report_parts", "kind", ["narrative", "supplement"]),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_parts_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_parts")),
    )
    op.create_index(op.f("ix_report_parts_report_id"), "report_parts", ["report_id"])
    op.create_index(
        "uq_report_parts_one_narrative",
        "report_parts",
        ["report_id"],
        unique=True,
        sqlite_where=sa.text("kind = 'narrative'"),
        postgresql_where=sa.text("kind = 'narrative'"),
    )

    op.create_table(
        "wraps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        _enum("holder_kind"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(length=82), nullable=False),
        _time("created_hour"),
        _choice("wraps", "holder_kind", ["intake", "reporter", "user"]),
        sa.CheckConstraint(
            "(holder_kind = 'user' AND user_id IS NOT NULL)"
            " OR (holder_kind <> 'user' AND user_id IS NULL)",
            name=op.f("ck_wraps_user_iff_user_holder"),
        ),
        _length("wraps", "wrapped_key", 82),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_wraps_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_wraps_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wraps")),
        sa.UniqueConstraint("report_id", "user_id", name=op.f("uq_wraps_report_id_user_id")),
    )
    op.create_index(op.f("ix_wraps_user_id"), "wraps", ["user_id"])
    op.create_index(
        "uq_wraps_report_id_holder_kind",
        "wraps",
        ["report_id", "holder_kind"],
        unique=True,
        sqlite_where=sa.text("user_id IS NULL"),
        postgresql_where=sa.text("user_id IS NULL"),
    )

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("blob_key", sa.String(length=64), nullable=False),
        sa.Column("ciphertext_size", sa.BigInteger(), nullable=False),
        _enum("author_side"),
        _time("created_hour"),
        _choice("attachments", "author_side", ["reporter", "investigator"]),
        sa.CheckConstraint(
            "part_id IS NULL OR message_id IS NULL", name=op.f("ck_attachments_one_parent")
        ),
        sa.CheckConstraint("ciphertext_size >= 0", name=op.f("ck_attachments_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_attachments_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["report_parts.id"],
            name=op.f("fk_attachments_part_id_report_parts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_attachments_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("blob_key", name=op.f("uq_attachments_blob_key")),
    )
    op.create_index(op.f("ix_attachments_message_id"), "attachments", ["message_id"])
    op.create_index(op.f("ix_attachments_part_id"), "attachments", ["part_id"])
    op.create_index(op.f("ix_attachments_report_id"), "attachments", ["report_id"])


def _refuse_audit_log_changes() -> None:
    """Triggers that make audit_log append-only for everyone but its owner.

    Not a security boundary against someone who controls the database (they
    can drop a trigger; the hash chain is what catches them), but it stops
    any code path, or a careless manual fix, from rewriting history. A later
    SQLite batch migration that rebuilds audit_log must create them again.
    """
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log"
                " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    # Dropping a table drops its indexes and triggers on both backends.
    for table in (
        "attachments",
        "wraps",
        "report_parts",
        "messages",
        "screening_entries",
        "routing_ruleset_versions",
        "routing_rules",
        "reports",
        "queue_memberships",
        "declared_conflicts",
        "console_sessions",
        "audit_log",
        "users",
        "screening_lists",
        "queues",
        "intake_keys",
        "audit_head",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_refuse_change()")
