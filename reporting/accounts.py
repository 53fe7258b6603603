"""Console accounts: enrolment and sign-in.

Enrolment creates the user's X25519 key pair; the private key is stored only
locked under the password (Argon2id). Sign-in checks the password and a TOTP
code, unlocks the private key once, and keeps it for the session only, under a
secret that the session cookie alone holds (docs/crypto.md, "Session-held
private key").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import pyotp
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from crypto import (
    PasswordCost,
    PrivateKey,
    PublicKey,
    hash_password,
    lock_private_key,
    seal_for_session,
    unlock_private_key,
    verify_password,
)
from reporting.audit import append_audit
from reporting.models import ConsoleSession, Role, User, utc_now

TOTP_ISSUER = "Vigil"
# A code is accepted one 30-second step early or late, for clock drift.
TOTP_DRIFT_STEPS = 1
SESSION_LIFETIME = timedelta(hours=12)
# A console left open and unattended is closed after this long.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)


class SignInFailed(Exception):
    """Sign-in refused. The message is the same whatever was wrong, by design."""


@dataclass(frozen=True)
class Enrolment:
    """What a new user needs once, to set up their authenticator and sign in."""

    user_id: int
    username: str
    role: Role
    password: str = field(repr=False)
    totp_secret: str = field(repr=False)

    @property
    def totp_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(
            name=self.username, issuer_name=TOTP_ISSUER
        )


@dataclass(frozen=True)
class SignedIn:
    """The two halves of a console session: the cookie's and the database's."""

    session: ConsoleSession
    token: str = field(repr=False)
    session_secret: bytes = field(repr=False)


# No look-alike characters (0/o, 1/l/i) and no separator in the alphabet, so a
# password read off a screen is typed right the first time.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)


def generate_password() -> str:
    """A password for a new account, shown once: four groups of six, about 119 bits."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(6)) for _ in range(4))


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    cost: PasswordCost,
    password: str | None = None,
) -> Enrolment:
    password = password or generate_password()
    private_key = PrivateKey.generate()
    totp_secret = pyotp.random_base32()
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password, cost),
        totp_secret=totp_secret,
        public_key=bytes(private_key.public_key),
        locked_private_key=lock_private_key(private_key, password, cost),
    )
    session.add(user)
    session.flush()
    append_audit(
        session,
        actor_user_id=None,
        action="user.create",
        target=f"user:{user.id}",
        details={"username": username, "role": role.value},
    )
    return Enrolment(
        user_id=user.id, username=username, role=role, password=password, totp_secret=totp_secret
    )


def user_fingerprint(user: User) -> str:
    return PublicKey(user.public_key).fingerprint


def token_id(token: str) -> bytes:
    """The database id of a session token: a hash, so the table cannot be replayed."""
    return hashlib.sha256(token.encode()).digest()


def _matching_totp_step(secret: str | None, code: str, now: datetime) -> int | None:
    """The time step whose code is `code`, within the allowed clock drift."""
    if secret is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_totp_step(session: Session, user_id: int, step: int) -> bool:
    """Record `step` as used, unless it (or a later one) already was.

    One conditional UPDATE, so two sign-ins racing with the same code cannot
    both pass: the database lets exactly one of them change the row.
    """
    result = session.execute(
        update(User)
        .where(User.id == user_id)
        .where(or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
        .values(totp_last_counter=step)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


@lru_cache(maxsize=4)
def _decoy_password_hash(cost: PasswordCost) -> str:
    return hash_password(secrets.token_urlsafe(16), cost)


def _refuse(session: Session, user_id: int | None, reason: str) -> SignInFailed:
    # The attempted user name is not recorded: people type passwords into the
    # wrong box, and the audit log can never be cleaned.
    append_audit(
        session,
        actor_user_id=user_id,
        action="sign_in.refused",
        target=f"user:{user_id}" if user_id is not None else None,
        details={"reason": reason},
    )
    session.commit()
    return SignInFailed(reason)


def sign_in(
    session: Session, *, username: str, password: str, code: str, cost: PasswordCost
) -> SignedIn:
    """Check password and second factor; open a console session holding the private key."""
    now = utc_now()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        # The same Argon2id work as for a real account, so the time taken does
        # not tell which user names exist.
        verify_password(_decoy_password_hash(cost), password)
        raise _refuse(session, None, "unknown or inactive user")
    password_ok = verify_password(user.password_hash, password)
    step = _matching_totp_step(user.totp_secret, code.strip(), now)
    if not password_ok or step is None or not _claim_totp_step(session, user.id, step):
        session.rollback()
        raise _refuse(session, user.id, "wrong password or code")

    private_key = unlock_private_key(user.locked_private_key, password)
    session_secret, session_key = seal_for_session(private_key)
    token = secrets.token_urlsafe(32)
    console_session = ConsoleSession(
        id=token_id(token),
        user_id=user.id,
        session_key=session_key,
        generation=user.session_generation,
        second_factor_at=now,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(console_session)
    append_audit(
        session, actor_user_id=user.id, action="sign_in", target=f"user:{user.id}", details={}
    )
    session.commit()
    return SignedIn(session=console_session, token=token, session_secret=session_secret)


def current_session(session: Session, token: str) -> ConsoleSession | None:
    """The live console session for a cookie token, or None if it ended."""
    console_session = session.get(ConsoleSession, token_id(token))
    if console_session is None:
        return None
    user = session.get(User, console_session.user_id)
    now = utc_now()
    if (
        user is None
        or not user.is_active
        or console_session.generation != user.session_generation
        or console_session.expires_at <= now
        or console_session.last_seen_at + SESSION_IDLE_TIMEOUT <= now
    ):
        session.delete(console_session)
        session.commit()
        return None
    console_session.last_seen_at = now
    session.commit()
    return console_session


def sign_out(session: Session, console_session: ConsoleSession) -> None:
    append_audit(
        session,
        actor_user_id=console_session.user_id,
        action="sign_out",
        target=f"user:{console_session.user_id}",
        details={},
    )
    session.delete(console_session)
    session.commit()
