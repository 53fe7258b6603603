"""An administrator's help for a user who is locked out or has lost a factor.

A new password (with a new key pair) or a new second factor ends every
session of the user; lifting a lockout ends none. Each is audited naming the
administrator, and the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyotp
from sqlalchemy.orm import Session

from crypto import PasswordCost, PrivateKey, PublicKey, hash_password, lock_private_key
from reporting.accounts.enrolment import generate_password
from reporting.accounts.sessions import end_sessions
from reporting.audit.log import append_audit
from reporting.cases.access import revoke_all_wraps
from reporting.core.errors import NotFound
from reporting.core.models import Role, User


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
    wraps_deleted = revoke_all_wraps(session, user_id)
    user.public_key = bytes(private_key.public_key)
    user.locked_private_key = lock_private_key(private_key, password, cost)
    user.password_hash = hash_password(password, cost)
    user.password_change_required = True
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    sessions_ended = end_sessions(session, user_id, keep=None)
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
    sessions_ended = end_sessions(session, user_id, keep=None)
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
