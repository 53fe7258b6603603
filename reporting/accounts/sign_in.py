"""Sign-in with a password and a TOTP code, and the lockout after repeated failures.

Sign-in checks the password and a TOTP code, unlocks the private key once,
and keeps it for the session only, under a secret that the session cookie
alone holds (docs/crypto.md, "Session-held private key").

Lockout: after LOCKOUT_THRESHOLD consecutive failed sign-ins the account is
locked for LOCKOUT_PERIOD; every further failure after the lock ends locks it
again for twice as long as the last time, up to LOCKOUT_MAX_PERIOD. Only a
successful sign-in (or an administrator's password reset) resets the count.
While locked, sign-in is refused with the same message as any other failure,
after the same Argon2id work, so neither the answer nor its timing tells
whether the password was right. The count is kept with conditional UPDATEs,
so parallel guesses cannot slip past the threshold by racing.

A failure counts only if the password or the code was right. With both wrong
an attempt cannot succeed, and since nothing in the answer tells which factor
failed, it teaches nothing about either: guessing both at once succeeds once
in millions of attempts times the password's odds, and the rate limits bound
the attempts (docs/limits.md). Counting such attempts would let anyone who
knows a user name lock the user out; now only someone who holds one factor
can, and the guesses at the other are what the lockout is for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from crypto import (
    CryptoError,
    PasswordCost,
    PrivateKey,
    decoy_password_hash,
    hash_password,
    lock_private_key,
    locked_key_cost,
    password_hash_cost,
    seal_for_session,
    unlock_private_key,
    verify_password,
)
from reporting.accounts.second_factor import matching_totp_step
from reporting.accounts.sessions import SESSION_LIFETIME, token_id
from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.models import ConsoleSession, User

# Consecutive failed sign-ins that lock an account, and for how long.
LOCKOUT_THRESHOLD = 5
LOCKOUT_PERIOD = timedelta(minutes=15)
# Each failure after a lockout locks again for twice as long, up to this.
LOCKOUT_MAX_PERIOD = timedelta(days=1)


class SignInFailed(Exception):
    """Sign-in refused. The message is the same whatever was wrong, by design."""


@dataclass(frozen=True)
class SignedIn:
    """The two halves of a console session: the cookie's and the database's."""

    session: ConsoleSession
    token: str = field(repr=False)
    session_secret: bytes = field(repr=False)
    # The user must replace a password someone else chose before anything else.
    password_change_required: bool = False


def _not_locked(now: datetime) -> ColumnElement[bool]:
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _claim_totp_step(session: Session, user_id: int, step: int, now: datetime) -> bool:
    """Record `step` as used, unless it (or a later one) already was or the account is locked.

    One conditional UPDATE, so two sign-ins racing with the same code cannot
    both pass (the database lets exactly one of them change the row), and a
    lock set by a parallel failed attempt is not overtaken. It also resets the
    failure count: the sign-in has succeeded.
    """
    result = session.execute(
        update(User)
        .where(User.id == user_id)
        .where(or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
        .where(_not_locked(now))
        .values(totp_last_counter=step, failed_sign_ins=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def lockout_period(failures: int) -> timedelta:
    """How long an account stays locked after its `failures`-th consecutive failure."""
    doublings = max(0, min(failures - LOCKOUT_THRESHOLD, 16))
    period: timedelta = LOCKOUT_PERIOD * (1 << doublings)
    return min(period, LOCKOUT_MAX_PERIOD)


def _count_failure(session: Session, user_id: int, now: datetime, *, counts: bool) -> None:
    """Count a failed sign-in (if it `counts`) and lock the account at the threshold.

    The increment is one UPDATE (no read-modify-write), so each of several
    parallel failures gets its own count; a failure while a lock is in force
    is not counted, so guessing during a lockout does not lengthen it. A
    failure that does not count runs the same UPDATE, adding nothing, so the
    time taken does not tell whether one factor was right.
    """
    failures = session.scalar(
        update(User)
        .where(User.id == user_id)
        .where(_not_locked(now))
        .values(failed_sign_ins=User.failed_sign_ins + int(counts))
        .returning(User.failed_sign_ins)
        .execution_options(synchronize_session=False)
    )
    if not counts or failures is None or failures < LOCKOUT_THRESHOLD:
        return
    period = lockout_period(failures)
    session.execute(
        update(User)
        .where(User.id == user_id)
        .where(User.failed_sign_ins == failures)
        .values(locked_until=now + period)
        .execution_options(synchronize_session=False)
    )
    append_audit(
        session,
        actor_user_id=user_id,
        action="sign_in.locked",
        target=f"user:{user_id}",
        details={"failures": failures, "minutes": int(period.total_seconds() // 60)},
    )


def typical_password_cost(session: Session, current: PasswordCost) -> PasswordCost:
    """The Argon2id cost most active users' password hashes carry; `current` if none.

    The decoy for an unknown user name is verified at this cost, so that it
    takes the time a real account's check takes even after
    VIGIL_PASSWORD_COST changed: each hash keeps the cost it was made with
    until its user next signs in (`sign_in` then re-hashes at the current one).
    On a tie, `current` if it is among the most common, else the dearest.
    """
    counts: dict[PasswordCost, int] = {}
    for password_hash in session.scalars(select(User.password_hash).where(User.is_active)):
        try:
            cost = password_hash_cost(password_hash)
        except CryptoError:
            continue
        counts[cost] = counts.get(cost, 0) + 1
    if not counts:
        return current
    most = max(counts.values())
    common = [cost for cost, count in counts.items() if count == most]
    if current in common:
        return current
    return max(common, key=lambda cost: (cost.mem, cost.ops))


def _at_current_cost(
    user: User, password: str, private_key: PrivateKey, cost: PasswordCost
) -> None:
    """Re-hash the password and re-lock the private key at `cost` if they were made at another.

    Called after a successful sign-in, the only time the password is known,
    so that every account moves to the current cost and sign-in takes the
    same time for every user name (`typical_password_cost`). The same key is
    re-locked, so every wrap sealed to the user still opens.
    """
    if password_hash_cost(user.password_hash) != cost:
        user.password_hash = hash_password(password, cost)
    if locked_key_cost(user.locked_private_key) != cost:
        user.locked_private_key = lock_private_key(private_key, password, cost)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or clock.now())


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
    """Check password and second factor; open a console session holding the private key.

    Every refusal raises the same `SignInFailed` after the same Argon2id work:
    unknown user, wrong password or code, replayed code, locked account.
    """
    now = clock.now()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        # The same Argon2id work as for a real account, so the time taken does
        # not tell which user names exist: at the cost real hashes carry,
        # which is not the current one for a while after it changes.
        verify_password(decoy_password_hash(typical_password_cost(session, cost)), password)
        raise _refuse(session, None, "unknown or inactive user")
    user_id = user.id
    # Checked even when the account is locked, so a locked account answers in
    # the same time whether or not the password was right.
    password_ok = verify_password(user.password_hash, password)
    if is_locked(user, now):
        raise _refuse(session, user_id, "account locked")
    step = matching_totp_step(user.totp_secret, code.strip(), now)
    if not password_ok or step is None or not _claim_totp_step(session, user_id, step, now):
        session.rollback()
        # Only a guess at one factor with the other in hand counts (see the
        # module's docstring).
        _count_failure(session, user_id, now, counts=password_ok or step is not None)
        raise _refuse(session, user_id, "wrong password or code")

    private_key = unlock_private_key(user.locked_private_key, password)
    _at_current_cost(user, password, private_key, cost)
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
    return SignedIn(
        session=console_session,
        token=token,
        session_secret=session_secret,
        password_change_required=user.password_change_required,
    )
