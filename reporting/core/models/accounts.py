"""Console users, their sessions and the parties they declared a conflict with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from reporting.core import clock
from reporting.core.db import Base
from reporting.core.models.columns import UtcDateTime, byte_length, enum_type
from reporting.core.models.vocabulary import Role


class User(Base):
    """A console account. Deactivate (`is_active`), never delete: the audit log refers to it."""

    __tablename__ = "users"
    __table_args__ = (
        byte_length("public_key", 32),
        byte_length("locked_private_key", 104),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
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
        byte_length("id", 32),
        byte_length("session_key", 76),
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


class DeclaredConflict(Base):
    """A party (person or company) an investigator must not investigate."""

    __tablename__ = "declared_conflicts"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=clock.now)
