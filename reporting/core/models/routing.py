"""Queues, who is in them, and the admin-editable rules that route cases to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reporting.core import clock
from reporting.core.db import Base
from reporting.core.models.columns import UtcDateTime


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
