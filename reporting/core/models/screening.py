"""Imported versions of sanctions and denied-party lists, and their entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting.core import clock
from reporting.core.db import Base
from reporting.core.models.columns import UtcDateTime, enum_type
from reporting.core.models.vocabulary import EntryKind


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
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind, "kind"))
    primary_name: Mapped[str] = mapped_column(Text)
    # Each alias with its quality: [{"name": "KOMID", "quality": "good"}] ("good" or "low").
    aliases: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    programs: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Typed identifiers, e.g. [{"type": "IMO", "value": "9123456"}]; addresses are
    # kept here too, as {"type": "address", "value": "..."}.
    identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    remarks: Mapped[str | None] = mapped_column(Text)
