"""The intake's own tables: its public key and the proof-of-work challenges already spent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from reporting.core import clock
from reporting.core.db import Base
from reporting.core.models.columns import HourDateTime, UtcDateTime, byte_length


class IntakeKey(Base):
    """The intake public key. Its private key lives only in the passphrase-locked key file."""

    __tablename__ = "intake_keys"
    __table_args__ = (
        byte_length("public_key", 32),
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
        byte_length("digest", 32),
        Index(None, "expires_hour"),
    )

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)  # SHA-256 of token
    expires_hour: Mapped[datetime] = mapped_column(HourDateTime)
