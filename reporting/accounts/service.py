"""Console accounts: enrolment, sign-in, lockout, password changes and resets.

Enrolment creates the user's X25519 key pair; the private key is stored only
locked under the password (Argon2id). Sign-in checks the password and a TOTP
code, unlocks the private key once, and keeps it for the session only, under a
secret that the session cookie alone holds (docs/crypto.md, "Session-held
private key").

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

A password someone else chose (enrolment by an administrator, a reset) sets
`password_change_required`; the console then opens nothing but the account
page until the user has chosen their own.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from crypto import (
    CryptoError,
    PasswordCost,
    PrivateKey,
    PublicKey,
    change_key_password,
    decoy_password_hash,
    hash_password,
    lock_private_key,
    locked_key_cost,
    password_hash_cost,
    seal_for_session,
    unlock_private_key,
    verify_password,
)
from reporting.accounts.password_policy import PASSWORD_MAX_LENGTH as PASSWORD_MAX_LENGTH
from reporting.accounts.password_policy import PASSWORD_MIN_LENGTH as PASSWORD_MIN_LENGTH
from reporting.accounts.password_policy import password_problem
from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.errors import NotFound
from reporting.core.models import ConsoleSession, HolderKind, Role, User, Wrap

TOTP_ISSUER = "Vigil"
# A code is accepted one 30-second step early or late, for clock drift.
TOTP_DRIFT_STEPS = 1
SESSION_LIFETIME = timedelta(hours=12)
# A console left open and unattended is closed after this long.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)

# Consecutive failed sign-ins that lock an account, and for how long.
LOCKOUT_THRESHOLD = 5
LOCKOUT_PERIOD = timedelta(minutes=15)
# Each failure after a lockout locks again for twice as long, up to this.
LOCKOUT_MAX_PERIOD = timedelta(days=1)


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
        return totp_provisioning_uri(self.username, self.totp_secret)


@dataclass(frozen=True)
class PasswordReset:
    """What an administrator hands over, once, after resetting a user's password."""

    user_id: int
    username: str
    role: Role
    password: str = field(repr=False)
    # The fingerprint of the user's NEW public key, to compare out of band.
    fingerprint: str
    # How many report wraps were deleted: cases the user can no longer open
    # until someone with access grants it again.
    wraps_deleted: int


class PasswordChangeRefused(Exception):
    """A password change the user must correct; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def totp_provisioning_uri(username: str, totp_secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(totp_secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


@dataclass(frozen=True)
class SignedIn:
    """The two halves of a console session: the cookie's and the database's."""

    session: ConsoleSession
    token: str = field(repr=False)
    session_secret: bytes = field(repr=False)
    # The user must replace a password someone else chose before anything else.
    password_change_required: bool = False


# No look-alike characters (0/o, 1/l/i) and no separator in the alphabet, so a
# password read off a screen is typed right the first time.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)


def generate_password() -> str:
    """A password for a new account, shown once: four groups of six, about 119 bits.

    It passes the password policy like any other: a random draw that happens
    to spell something guessable is drawn again.
    """
    while True:
        password = "-".join(
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(6)) for _ in range(4)
        )
        if password_problem(password) is None:
            return password


class WeakPassword(ValueError):
    """A password given to `create_user` that the password policy refuses."""


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    cost: PasswordCost,
    password: str | None = None,
    chosen_by_admin: bool = False,
) -> Enrolment:
    """Enrol a user with a new key pair and TOTP secret; the caller commits.

    `chosen_by_admin`: an administrator enrols the user and hands the password
    over, so the user must replace it at first sign-in. `vigil init` and the
    demo leave it False (the operator running them is the user).
    """
    if password is None:
        password = generate_password()
    else:
        problem = password_problem(password, user_inputs=[username, display_name])
        if problem is not None:
            raise WeakPassword(problem)
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
        password_change_required=chosen_by_admin,
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


def unused_code_step(session: Session, username: str, code: str) -> tuple[int, int] | None:
    """(user id, time step) if `code` is a current, unused code of the active user `username`.

    Cheap (one query, three HMAC-SHA1s, no Argon2id): the sign-in form's rate
    limits let such an attempt through (reporting/console/sign_in_limits.py).
    """
    code = code.strip()
    # Checked before the form is: anything but six ASCII digits is no code.
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        return None
    step = _matching_totp_step(user.totp_secret, code, clock.now())
    if step is None or (user.totp_last_counter is not None and step <= user.totp_last_counter):
        return None
    return user.id, step


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
    step = _matching_totp_step(user.totp_secret, code.strip(), now)
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


def current_session(session: Session, token: str) -> ConsoleSession | None:
    """The live console session for a cookie token, or None if it ended.

    Checking that it is live and marking it seen are one UPDATE, so an end of
    the session racing with this request (a sign-out in another tab, an
    administrator's reset) either comes first, and the request is signed
    out, or waits for it. The session comes back detached with its values
    loaded: if its row is deleted later in the request, the request carries
    on as it began instead of failing to reload them; the next one is
    signed out.
    """
    now = clock.now()
    session_id = token_id(token)
    generation = (
        select(User.session_generation)
        .where(User.id == ConsoleSession.user_id, User.is_active)
        .scalar_subquery()
    )
    console_session = session.scalars(
        update(ConsoleSession)
        # Every session sign-in makes has passed the second factor; a row
        # without it did not come from sign-in and is not honoured (live_sessions).
        .where(
            ConsoleSession.id == session_id,
            live_sessions(now),
            ConsoleSession.generation == generation,
        )
        .values(last_seen_at=now)
        .returning(ConsoleSession)
    ).one_or_none()
    if console_session is None:
        # Ended one way or another: its row (with its copy of the key) goes too.
        session.execute(delete(ConsoleSession).where(ConsoleSession.id == session_id))
        session.commit()
        return None
    session.expunge(console_session)
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
    # By id, not through the object: the row may be gone already (a sign-out
    # in another tab), and ending an ended session is no error.
    session.execute(delete(ConsoleSession).where(ConsoleSession.id == console_session.id))
    session.commit()


def live_sessions(now: datetime) -> ColumnElement[bool]:
    """The condition for a console session row that `current_session` would still honour."""
    return and_(
        ConsoleSession.second_factor_at.is_not(None),
        ConsoleSession.expires_at > now,
        ConsoleSession.last_seen_at > now - SESSION_IDLE_TIMEOUT,
    )


def active_session_count(session: Session, user: User) -> int:
    """How many console sessions of `user` are open now (this one included)."""
    count = session.scalar(
        select(func.count())
        .select_from(ConsoleSession)
        .where(ConsoleSession.user_id == user.id)
        .where(ConsoleSession.generation == user.session_generation)
        .where(live_sessions(clock.now()))
    )
    return count or 0


def _end_sessions(session: Session, user_id: int, *, keep: ConsoleSession | None) -> int:
    """End every console session of the user but `keep`; returns how many ended.

    The generation is bumped with one UPDATE, so a session row created by a
    sign-in racing with this is refused too; the rows are also deleted, which
    destroys their copies of the private key at once.
    """
    # Write the caller's pending changes first: expire_all below would drop them.
    session.flush()
    generation = session.scalar(
        update(User)
        .where(User.id == user_id)
        .values(session_generation=User.session_generation + 1)
        .returning(User.session_generation)
        .execution_options(synchronize_session=False)
    )
    ended = delete(ConsoleSession).where(ConsoleSession.user_id == user_id)
    if keep is not None:
        ended = ended.where(ConsoleSession.id != keep.id)
        session.execute(
            update(ConsoleSession)
            .where(ConsoleSession.id == keep.id)
            .values(generation=generation)
            .execution_options(synchronize_session=False)
        )
    result = session.execute(ended.execution_options(synchronize_session=False))
    # The bulk statements bypassed the loaded objects: reload them when next read.
    session.expire_all()
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def check_new_password(
    current_password: str,
    new_password: str,
    confirmation: str,
    *,
    user_inputs: Sequence[str] = (),
) -> None:
    """Raise `PasswordChangeRefused` unless `new_password` is acceptable as the user's own.

    `user_inputs`: the user's names, which make a password easy to guess.
    """
    problem = password_problem(new_password, user_inputs=user_inputs)
    if problem is not None:
        raise PasswordChangeRefused("new_password", problem)
    if secrets.compare_digest(new_password.encode(), current_password.encode()):
        raise PasswordChangeRefused(
            "new_password", "The new password must be different from the current one."
        )
    if not secrets.compare_digest(new_password.encode(), confirmation.encode()):
        raise PasswordChangeRefused("confirmation", "The two new passwords do not match.")


def change_password(
    session: Session,
    console_session: ConsoleSession,
    *,
    current_password: str,
    new_password: str,
    confirmation: str,
    cost: PasswordCost,
) -> int:
    """The signed-in user replaces their password; returns how many other sessions ended.

    The private key is re-locked under the new password (the same key, so
    every report wrapped to the user still opens), the password is re-hashed,
    every other session of the user ends, and `console_session` carries on:
    its copy of the key is under the cookie's secret, not the password. A
    refusal (`PasswordChangeRefused`) changes nothing and is audited.
    """
    user = session.get_one(User, console_session.user_id)
    user_id = user.id
    try:
        if not verify_password(user.password_hash, current_password):
            raise PasswordChangeRefused("current_password", "The current password is not correct.")
        check_new_password(
            current_password,
            new_password,
            confirmation,
            user_inputs=[user.username, user.display_name],
        )
    except PasswordChangeRefused as refusal:
        session.rollback()
        append_audit(
            session,
            actor_user_id=user_id,
            action="account.password_change_refused",
            target=f"user:{user_id}",
            details={"field": refusal.field},
        )
        session.commit()
        raise
    user.locked_private_key = change_key_password(
        user.locked_private_key, current_password, new_password, cost
    )
    user.password_hash = hash_password(new_password, cost)
    user.password_change_required = False
    session.flush()
    ended = _end_sessions(session, user_id, keep=console_session)
    append_audit(
        session,
        actor_user_id=user_id,
        action="account.password_change",
        target=f"user:{user_id}",
        details={"sessions_ended": ended},
    )
    session.commit()
    return ended


def sign_out_other_sessions(session: Session, console_session: ConsoleSession) -> int:
    """End every session of the signed-in user but this one; returns how many ended."""
    user_id = console_session.user_id
    ended = _end_sessions(session, user_id, keep=console_session)
    append_audit(
        session,
        actor_user_id=user_id,
        action="account.sign_out_others",
        target=f"user:{user_id}",
        details={"sessions_ended": ended},
    )
    session.commit()
    return ended


def _user_or_not_found(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def reset_password(
    session: Session, user_id: int, *, actor_user_id: int | None, cost: PasswordCost
) -> PasswordReset:
    """An administrator's reset of a user's password, for a user who has lost it.

    The old private key is locked under the old password and cannot be
    recovered, so the user gets a NEW key pair with a new one-time password
    (returned once, in the result, for the administrator to hand over). The
    user's report wraps were sealed to the old public key and are deleted: the
    user can no longer open those cases until someone who can (a supervisor,
    or the triage re-grant) wraps them again; the audit entry says how many.
    The user must change the password at the next sign-in, every session of
    theirs ends, and a lockout is lifted. The TOTP secret is kept (see
    `reset_second_factor`). Raises `NotFound` for an unknown user id; the
    caller commits.
    """
    user = _user_or_not_found(session, user_id)
    password = generate_password()
    private_key = PrivateKey.generate()
    wraps_deleted = session.execute(
        delete(Wrap)
        .where(Wrap.holder_kind == HolderKind.USER)
        .where(Wrap.user_id == user_id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    user.public_key = bytes(private_key.public_key)
    user.locked_private_key = lock_private_key(private_key, password, cost)
    user.password_hash = hash_password(password, cost)
    user.password_change_required = True
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    sessions_ended = _end_sessions(session, user_id, keep=None)
    fingerprint = PublicKey(bytes(private_key.public_key)).fingerprint
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="user.password_reset",
        target=f"user:{user_id}",
        details={
            "wraps_deleted": wraps_deleted,
            "sessions_ended": sessions_ended,
            "fingerprint": fingerprint,
        },
    )
    session.flush()
    return PasswordReset(
        user_id=user_id,
        username=user.username,
        role=user.role,
        password=password,
        fingerprint=fingerprint,
        wraps_deleted=wraps_deleted,
    )


def reset_second_factor(session: Session, user_id: int, *, actor_user_id: int | None) -> str:
    """An administrator's reset of a user's authenticator; returns the new TOTP secret.

    For a lost or replaced phone. The old secret stops working at once, the
    replay counter is cleared (the new secret's codes start afresh), and every
    session of the user ends. The password and the key pair are unchanged.
    Show the secret once (`totp_provisioning_uri` makes the QR code's URI).
    Raises `NotFound` for an unknown user id; the caller commits.
    """
    user = _user_or_not_found(session, user_id)
    totp_secret = pyotp.random_base32()
    user.totp_secret = totp_secret
    user.totp_last_counter = None
    session.flush()
    sessions_ended = _end_sessions(session, user_id, keep=None)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="user.second_factor_reset",
        target=f"user:{user_id}",
        details={"sessions_ended": sessions_ended},
    )
    session.flush()
    return totp_secret


def unlock_user(session: Session, user_id: int, *, actor_user_id: int | None) -> None:
    """An administrator lifts a sign-in lockout early (audited); the caller commits."""
    user = _user_or_not_found(session, user_id)
    user.failed_sign_ins = 0
    user.locked_until = None
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="user.unlock",
        target=f"user:{user_id}",
        details={},
    )
    session.flush()
