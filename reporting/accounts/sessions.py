"""Console sessions: the live ones, sign-out, and ending a user's other sessions.

A session row holds the user's private key sealed under a secret that the
session cookie alone holds (docs/crypto.md, "Session-held private key"); the
row is found by a hash of the cookie's token, so the table cannot be
replayed. Ending a session deletes its row, and with it that copy of the key.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.orm import Session

from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.models import ConsoleSession, User

SESSION_LIFETIME = timedelta(hours=12)
# A console left open and unattended is closed after this long.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)


def token_id(token: str) -> bytes:
    """The database id of a session token: a hash, so the table cannot be replayed."""
    return hashlib.sha256(token.encode()).digest()


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


def end_sessions(session: Session, user_id: int, *, keep: ConsoleSession | None) -> int:
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


def sign_out_other_sessions(session: Session, console_session: ConsoleSession) -> int:
    """End every session of the signed-in user but this one; returns how many ended."""
    user_id = console_session.user_id
    ended = end_sessions(session, user_id, keep=console_session)
    append_audit(
        session,
        actor_user_id=user_id,
        action="account.sign_out_others",
        target=f"user:{user_id}",
        details={"sessions_ended": ended},
    )
    session.commit()
    return ended
