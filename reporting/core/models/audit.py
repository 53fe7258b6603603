"""The append-only, hash-chained audit log and the row that holds its head."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from reporting.core.db import Base
from reporting.core.models.columns import UtcDateTime, byte_length


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log (see reporting.audit.log).

    Written only through `reporting.audit.log.append_audit`. The migration adds
    triggers that refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        byte_length("prev_hash", 32),
        byte_length("hash", 32),
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
        byte_length("hash", 32),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
