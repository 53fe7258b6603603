"""A signed-in user's change of their own password.

The private key is re-locked under the new password, not replaced, so every
report wrapped to the user still opens; the user's other sessions end.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy.orm import Session

from crypto import PasswordCost, change_key_password, hash_password, verify_password
from reporting.accounts.password_policy import password_problem
from reporting.accounts.sessions import end_sessions
from reporting.audit.log import append_audit
from reporting.core.models import ConsoleSession, User


class PasswordChangeRefused(Exception):
    """A password change the user must correct; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


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
    ended = end_sessions(session, user_id, keep=console_session)
    append_audit(
        session,
        actor_user_id=user_id,
        action="account.password_change",
        target=f"user:{user_id}",
        details={"sessions_ended": ended},
    )
    session.commit()
    return ended
