"""Users: enrolment, credential resets, activation, roles.

A credential sheet (a new user's password and TOTP secret, or a reset's) is
returned once and stored nowhere. A user who leaves the roles that work
cases gives up the cases they hold (`change_role`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crypto import PasswordCost
from reporting.accounts import resets
from reporting.accounts.enrolment import create_user, user_fingerprint
from reporting.accounts.second_factor import totp_provisioning_uri
from reporting.admin.errors import AdministrationError
from reporting.admin.lookups import existing_user, queue_with_slug
from reporting.admin.queues import QUEUE_ROLES, memberships_of
from reporting.audit.log import append_audit
from reporting.cases.access import cases_held_alone, may_hold_wraps, revoke_all_wraps
from reporting.core.models import (
    ConsoleSession,
    Queue,
    QueueMembership,
    Role,
    User,
)

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@dataclass(frozen=True)
class CredentialSheet:
    """What a user needs once to sign in: shown on one page, never stored.

    After an enrolment: a password and a TOTP secret. After a second-factor
    reset: only the new TOTP secret. After a password reset: only the new
    password, with the fingerprint of the new key pair and how many case
    wraps went with the old one. A password on a sheet is one an
    administrator saw, so the user must replace it at the first sign-in
    (`User.password_change_required`).
    """

    user_id: int
    username: str
    display_name: str
    role: Role
    password: str | None = field(default=None, repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    fingerprint: str | None = None
    wraps_deleted: int | None = None

    @property
    def totp_uri(self) -> str | None:
        if self.totp_secret is None:
            return None
        return totp_provisioning_uri(self.username, self.totp_secret)


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)
        )
        or 0
    )


def enrol_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    queue_slugs: Iterable[str],
    cost: PasswordCost,
    actor_user_id: int,
) -> CredentialSheet:
    """Create a user (key pair, password, TOTP secret) in the given queues."""
    username = username.strip().lower()
    display_name = display_name.strip()
    if not USERNAME_PATTERN.fullmatch(username):
        raise AdministrationError(
            "A user name is 2 to 64 lower-case letters, digits, dots, hyphens or underscores,"
            " starting with a letter or digit."
        )
    if not display_name:
        raise AdministrationError("Enter the user's display name.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AdministrationError(f"The user name {username!r} is taken.")
    slugs = sorted(set(queue_slugs))
    if slugs and role not in QUEUE_ROLES:
        raise AdministrationError("An auditor cannot belong to a queue: auditors never read cases.")
    queues = [queue_with_slug(session, slug) for slug in slugs]
    enrolment = create_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        cost=cost,
        chosen_by_admin=True,
    )
    for queue in queues:
        session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queue.id))
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.user_enrol",
        target=f"user:{enrolment.user_id}",
        details={"username": username, "role": role.value, "queues": slugs},
    )
    session.flush()
    return CredentialSheet(
        user_id=enrolment.user_id,
        username=username,
        display_name=display_name,
        role=role,
        password=enrolment.password,
        totp_secret=enrolment.totp_secret,
        fingerprint=user_fingerprint(session.get_one(User, enrolment.user_id)),
    )


def reset_second_factor(session: Session, *, user_id: int, actor_user_id: int) -> CredentialSheet:
    """A new TOTP secret for a user who lost their authenticator; their sessions end.

    resets.reset_second_factor writes the audit entry, naming the administrator.
    """
    user = existing_user(session, user_id)
    totp_secret = resets.reset_second_factor(session, user.id, actor_user_id=actor_user_id)
    return CredentialSheet(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        totp_secret=totp_secret,
    )


def reset_password(
    session: Session, *, user_id: int, actor_user_id: int, cost: PasswordCost
) -> CredentialSheet:
    """A new one-time password and a NEW key pair (the old key is lost with the password).

    The user's case wraps go with the old key: the sheet says how many, and
    access has to be granted again by someone who holds those cases.
    resets.reset_password writes the audit entry, naming the administrator.
    """
    user = existing_user(session, user_id)
    reset = resets.reset_password(session, user.id, actor_user_id=actor_user_id, cost=cost)
    return CredentialSheet(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        password=reset.password,
        fingerprint=reset.fingerprint,
        wraps_deleted=reset.wraps_deleted,
    )


def set_active(session: Session, *, user_id: int, active: bool, actor_user_id: int) -> User:
    """Deactivate (ending every session of the user at once) or reactivate a user."""
    user = existing_user(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        if user.id == actor_user_id:
            raise AdministrationError("You cannot deactivate your own account.")
        if user.role == Role.ADMIN and _active_admins(session) <= 1:
            raise AdministrationError("This is the last active administrator.")
    user.is_active = active
    # A changed generation makes every open session of the user invalid on
    # its next request (reporting.accounts.sessions.current_session);
    # deleting the rows also destroys their copies of the private key at once.
    user.session_generation += 1
    if not active:
        session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.user_activate" if active else "admin.user_deactivate",
        target=f"user:{user.id}",
        details={},
    )
    session.flush()
    return user


def change_role(session: Session, *, user_id: int, role: Role, actor_user_id: int) -> User:
    """Give a user another role; one who leaves the roles that work cases loses their wraps.

    Administrators and auditors never hold a wrap (reporting.cases.access.
    may_hold_wraps), so an investigator or supervisor made one gives up every
    case they hold, in the same transaction: their wraps are deleted, and
    the audit entry says how many. That is refused while they are the only
    investigator or supervisor holding some case, which nobody could then
    ever read: someone else must be granted it on the case first. Made an
    investigator or supervisor again, they get nothing back; a holder grants
    each case anew, as for a new member.
    """
    # The user's row is locked first on PostgreSQL, and written (the new role)
    # before the wraps are counted on SQLite, taking its write lock: a wrap
    # being made for them concurrently (reporting.cases.access.user_wrap reads the
    # role under the same lock) is either counted below or refused.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    user = existing_user(session, user_id)
    if user.role == role:
        return user
    if user.role == Role.ADMIN and user.is_active and _active_admins(session) <= 1:
        raise AdministrationError("This is the last active administrator.")
    if role not in QUEUE_ROLES and memberships_of(session, user.id):
        raise AdministrationError(
            "Remove the user from their queues first: an auditor cannot belong to a queue."
        )
    previous = user.role
    user.role = role
    details: dict[str, Any] = {"from": previous.value, "to": role.value}
    if may_hold_wraps(previous, active=True) and not may_hold_wraps(role, active=True):
        session.flush()
        details["wraps_deleted"] = _give_up_cases(session, user)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.user_role",
        target=f"user:{user.id}",
        details=details,
    )
    session.flush()
    return user


def _give_up_cases(session: Session, user: User) -> int:
    """Delete the user's wraps; AdministrationError if a case would be left with no holder."""
    alone = cases_held_alone(session, user.id)
    if alone:
        cases = "case" if alone == 1 else "cases"
        raise AdministrationError(
            f"{user.display_name} is the only investigator or supervisor holding {alone}"
            f" {cases}: nobody could open {'it' if alone == 1 else 'them'} any more. Give"
            " someone else access on each case first; administrators and auditors hold no case."
        )
    return revoke_all_wraps(session, user.id)


@dataclass(frozen=True)
class UserRow:
    user: User
    queues: tuple[str, ...]


def users_overview(session: Session) -> list[UserRow]:
    users = session.scalars(select(User).order_by(User.username)).all()
    memberships: dict[int, list[str]] = {}
    for user_id, slug in session.execute(
        select(QueueMembership.user_id, Queue.slug)
        .join(Queue, Queue.id == QueueMembership.queue_id)
        .order_by(Queue.slug)
    ):
        memberships.setdefault(user_id, []).append(slug)
    return [UserRow(user, tuple(memberships.get(user.id, ()))) for user in users]
