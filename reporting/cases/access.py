"""Who may hold and read a case, and the one place wraps for users are made and deleted.

Having access to a case is holding a wrap of its key (docs/crypto.md): a
user can decrypt whatever they hold a wrap for, whatever the console would
show. So every decision about access is taken here, and the triage worker,
re-screening, the console's actions and lists, the administrators' role
changes and the command line ask this module:

- **who may hold a wrap at all** (`may_hold_wraps`, and as a condition on the
  users table `may_hold_wraps_clause`): an active investigator or supervisor
  (CASE_ROLES). An administrator or auditor never may, even as a queue
  member, and a user who becomes one gives up the wraps they held;
- **who may be given a given case** (`eligible_users`): of those, the ones
  with no conflict of interest with it (`CaseNames`, read in
  reporting.cases.conflicts: the names the reporter asked to keep away, the
  parties users declared a conflict with);
- **who gets a case triage routes** (`plan_access`, for the worker and
  re-screening): the routed queue's eligible members, or else the eligible
  supervisors;
- **whom a console user may give a case** (`grant_reach`): an investigator
  only members of the case's queue (their own team), a supervisor anyone
  who may hold it;
- **who may read a case now** (`require_holder`, `case_key`): an active
  investigator or supervisor holding a wrap of it; anyone else gets the same
  CaseAccessDenied, before anything is decrypted. In the case lists
  (`listed_for`): the cases of their queues they hold a wrap for. Who holds
  a case (`case_holders`, `holder_ids`) and what a user holds (`held_by`)
  are asked here too;
- **making and deleting wraps** (`user_wrap`, `grant_wraps`, `revoke_wraps`,
  and for a user who may hold none any more, `cases_held_alone` and
  `revoke_all_wraps`):
  `user_wrap` is the one function that makes a user wrap, and it checks
  `may_hold_wraps` again in the writing transaction whatever its caller
  decided. Deleting a user's wrap also ends their assignment to the case:
  nobody is left assigned a case they cannot open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import SQLColumnExpression, and_, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from crypto import CryptoError, PrivateKey, PublicKey, ReportKey, unwrap_report_key, wrap_report_key
from reporting.cases.conflicts import CaseNames
from reporting.cases.opened_report import OpenedReport, TriageWorkerError
from reporting.core.errors import CaseAccessDenied
from reporting.core.models import (
    CASE_ROLES,
    DeclaredConflict,
    HolderKind,
    Queue,
    QueueMembership,
    Report,
    Role,
    User,
    Wrap,
    current_hour,
)
from triage.model import TriageResult
from triage.routing import conflicted


class IneligibleHolder(TriageWorkerError):
    """A wrap was about to be made for a user who may not hold one (`may_hold_wraps`)."""


class NoEligibleHolder(TriageWorkerError):
    """Nobody may be given the report: deleting the intake wrap would lock everyone out."""


# ---------------------------------------------------------------- who may hold a wrap


def may_hold_wraps(role: Role, *, active: bool) -> bool:
    """Whether a user may be given a wrap, that is access to a report.

    Only an active investigator or supervisor (CASE_ROLES). An administrator
    or an auditor never is, even as a queue member, and a user who becomes
    one loses the wraps they held (the administrators' role change): holding
    a wrap is being able to decrypt, whatever the console would show. Every
    decision on who gets a wrap (`eligible_users`) and the one function that
    makes one (`user_wrap`) apply this.
    """
    return active and role in CASE_ROLES


def may_hold_wraps_clause() -> ColumnElement[bool]:
    """`may_hold_wraps` as a condition on the users table, for queries."""
    return and_(User.is_active.is_(True), User.role.in_(sorted(CASE_ROLES)))


# ---------------------------------------------------------------- who may be given a case


def active_queue_members(session: Session, queue_id: int) -> list[User]:
    """The queue's active members, by id: whom a report routed there is sealed to."""
    return list(
        session.scalars(
            select(User)
            .join(QueueMembership, QueueMembership.user_id == User.id)
            .where(QueueMembership.queue_id == queue_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def eligible_users(
    session: Session, users: Sequence[User], names: CaseNames
) -> tuple[list[User], int]:
    """Those of `users` who may hold the case, and how many were kept away by a conflict.

    Only users who may hold wraps at all count (`may_hold_wraps`: an
    administrator in a queue is passed over, and not counted as kept away).
    A user is kept away when a name the reporter listed may be theirs, or a
    party they declared a conflict with may be one of the case's parties
    (triage.routing.conflicted). Every way of giving a user a wrap (triage,
    re-screening, re-routing, granting) applies the same exclusions here.
    """
    users = [user for user in users if may_hold_wraps(user.role, active=user.is_active)]
    declared: dict[int, list[str]] = {}
    for user_id, name in session.execute(
        select(DeclaredConflict.user_id, DeclaredConflict.name).where(
            DeclaredConflict.user_id.in_([user.id for user in users])
        )
    ):
        declared.setdefault(user_id, []).append(name)
    kept = [
        user
        for user in users
        if not conflicted(
            report_conflicts=names.reporter_conflicts,
            report_parties=names.parties,
            user_names=[user.display_name, user.username],
            declared_conflicts=declared.get(user.id, []),
        )
    ]
    return kept, len(users) - len(kept)


@dataclass(frozen=True)
class AccessPlan:
    queue_id: int
    queue_slug: str
    grants: tuple[int, ...]  # user ids
    excluded: int


def plan_access(session: Session, opened: OpenedReport, result: TriageResult) -> AccessPlan:
    """Who gets a wrap: the routed queue's active members, less the conflicted.

    If that leaves nobody, the active supervisors who are not conflicted: they
    can re-route and grant. If that leaves nobody either, NoEligibleHolder.
    """
    queue = session.scalar(select(Queue).where(Queue.slug == result.routing.queue))
    if queue is None:
        raise TriageWorkerError(f"routed to {result.routing.queue!r}, which is not a queue")
    names = CaseNames.of(
        opened,
        found_parties=[party.name for party in result.extraction.parties],
        excluded_names=result.routing.excluded_names,
    )
    holders, excluded = eligible_users(session, active_queue_members(session, queue.id), names)
    if not holders:
        supervisors = session.scalars(
            select(User)
            .where(User.role == Role.SUPERVISOR, User.is_active.is_(True))
            .order_by(User.id)
        ).all()
        holders, excluded_supervisors = eligible_users(session, supervisors, names)
        excluded += excluded_supervisors
    if not holders:
        raise NoEligibleHolder(
            f"report {opened.report_id}: no member of {queue.slug!r} and no supervisor may"
            " receive it"
        )
    already = holder_ids(session, opened.report_id)
    grants = tuple(user.id for user in holders if user.id not in already)
    return AccessPlan(queue.id, queue.slug, grants, excluded)


def grant_reach(report: Report, granter: User) -> list[ColumnElement[bool]]:
    """Whom `granter` may give the case to, besides `may_hold_wraps`, on the users table.

    An investigator only members of the case's current queue (their own
    team); a supervisor anyone (no condition).
    """
    if granter.role is not Role.INVESTIGATOR:
        return []
    return [
        exists().where(
            QueueMembership.user_id == User.id, QueueMembership.queue_id == report.queue_id
        )
    ]


def within_reach(session: Session, report: Report, granter: User, grantee: User) -> bool:
    """Whether `grantee` is within `granter`'s reach for this case (`grant_reach`)."""
    reach = grant_reach(report, granter)
    return not reach or (
        session.scalar(select(User.id).where(User.id == grantee.id, *reach)) is not None
    )


# ---------------------------------------------------------------- who may read a case


def held_wrap(session: Session, report_id: int, user_id: int) -> Wrap | None:
    """The user's own wrap of the case, if they hold one."""
    return session.scalar(
        select(Wrap).where(
            Wrap.report_id == report_id,
            Wrap.holder_kind == HolderKind.USER,
            Wrap.user_id == user_id,
        )
    )


def holder_ids(session: Session, report_id: int) -> set[int]:
    """The ids of the users holding a wrap of the case."""
    return {
        user_id
        for user_id in session.scalars(
            select(Wrap.user_id).where(
                Wrap.report_id == report_id, Wrap.holder_kind == HolderKind.USER
            )
        )
        if user_id is not None
    }


@dataclass(frozen=True)
class Holder:
    user_id: int
    username: str
    display_name: str
    role: Role
    is_active: bool


def case_holders(session: Session, report: Report) -> list[Holder]:
    """The console users holding the case, by name."""
    rows = session.execute(
        select(User.id, User.username, User.display_name, User.role, User.is_active)
        .join(Wrap, Wrap.user_id == User.id)
        .where(Wrap.report_id == report.id, Wrap.holder_kind == HolderKind.USER)
        .order_by(User.display_name, User.id)
    ).tuples()
    return [Holder(*row) for row in rows]


def require_holder(session: Session, report: Report, user: User) -> Wrap:
    """The user's wrap of the case, or CaseAccessDenied (also for admins and auditors).

    A user of another queue, a user whose access was revoked and a role that
    does not work cases all get the same refusal.
    """
    if not may_hold_wraps(user.role, active=user.is_active):
        raise CaseAccessDenied()
    wrap = held_wrap(session, report.id, user.id)
    if wrap is None:
        raise CaseAccessDenied()
    return wrap


def case_key(session: Session, report: Report, user: User, private_key: PrivateKey) -> ReportKey:
    """The report key from the user's own wrap (`require_holder`), or CaseAccessDenied."""
    wrap = require_holder(session, report, user)
    try:
        return unwrap_report_key(wrap.wrapped_key, private_key)
    except CryptoError:
        # A wrap to an older key of the user's: as good as none.
        raise CaseAccessDenied() from None


def listed_for(user: User, queue_ids: Sequence[int]) -> list[ColumnElement[bool]]:
    """The cases a user sees in the case lists, for a statement joining Wrap to Report.

    Both must hold: they hold a USER wrap for the case (a queue member kept
    out by a conflict of interest has none), and the case is in one of their
    queues (`queue_ids`). Supervisors are no exception: they see the cases of
    their queues they hold wraps for. An administrator or auditor who is in
    no queue sees no case.
    """
    # Only USER wraps have a user_id (a CHECK constraint), so no holder_kind
    # test is needed, and the wraps index on (user_id, report_id) covers it.
    return [Wrap.user_id == user.id, Report.queue_id.in_(queue_ids)]


# ---------------------------------------------------------------- making and deleting wraps


def user_wrap(
    session: Session, report_id: int, key: ReportKey, user_id: int, hour: datetime
) -> Wrap:
    """Access to a report for one user: its key sealed to their current public key.

    Every user wrap is made here (triage, re-screening, re-routing, granting),
    so the rule of `may_hold_wraps` is enforced here whatever the caller
    decided: the user is read in the writing transaction, locked against a
    concurrent role change on PostgreSQL (SQLite's write lock, taken by the
    caller's first write, serialises it there), and refused with
    IneligibleHolder if they may not hold a wrap.
    """
    row = session.execute(
        select(User.role, User.is_active, User.public_key)
        .where(User.id == user_id)
        .with_for_update()
    ).one_or_none()
    if row is None or not may_hold_wraps(row.role, active=row.is_active):
        raise IneligibleHolder(f"user {user_id} may not hold a wrap of report {report_id}")
    return Wrap(
        report_id=report_id,
        holder_kind=HolderKind.USER,
        user_id=user_id,
        wrapped_key=wrap_report_key(key, PublicKey(row.public_key)),
        created_hour=hour,
    )


def grant_wraps(session: Session, report_id: int, key: ReportKey, user_ids: Iterable[int]) -> None:
    """Add a wrap of the report for each of `user_ids` (`user_wrap`), in this hour."""
    hour = current_hour()
    session.add_all(user_wrap(session, report_id, key, user_id, hour) for user_id in user_ids)


def _another_holder(report_id: int | SQLColumnExpression[int], user_id: int) -> ColumnElement[bool]:
    """Someone besides `user_id` who may hold wraps holds one of the case `report_id`."""
    other = aliased(Wrap)
    return (
        select(other.id)
        .join(User, User.id == other.user_id)
        .where(
            other.report_id == report_id,
            other.holder_kind == HolderKind.USER,
            other.user_id != user_id,
            may_hold_wraps_clause(),
        )
        .exists()
    )


def another_holder_remains(session: Session, report_id: int, user_id: int) -> bool:
    """Whether someone besides `user_id` who may hold wraps holds one of the case."""
    return bool(session.scalar(select(_another_holder(report_id, user_id))))


def held_by(user_id: int) -> ColumnElement[bool]:
    """The wraps `user_id` holds, as a condition on Wrap: the cases they can open."""
    return and_(Wrap.holder_kind == HolderKind.USER, Wrap.user_id == user_id)


def cases_held_alone(session: Session, user_id: int) -> int:
    """How many cases nobody but `user_id` may open: they hold the only eligible wrap."""
    alone = select(func.count()).select_from(Wrap)
    alone = alone.where(held_by(user_id), ~_another_holder(Wrap.report_id, user_id))
    return session.scalar(alone) or 0


def revoke_all_wraps(session: Session, user_id: int) -> int:
    """Delete every wrap `user_id` holds (a role that holds no case, a lost key); how many."""
    deleted: int = session.execute(
        delete(Wrap).where(held_by(user_id)).execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    _unassign(session, Report.assignee_id == user_id)
    return deleted


def _unassign(session: Session, which: ColumnElement[bool]) -> None:
    """Whoever can no longer open a case no longer works it: its assignment ends too."""
    session.execute(
        update(Report)
        .where(which)
        .values(assignee_id=None)
        .execution_options(synchronize_session="fetch")
    )


def revoke_wraps(session: Session, report_id: int, user_ids: Sequence[int]) -> None:
    """Delete these users' wraps of the case: they can no longer open it (nor work it)."""
    session.execute(
        delete(Wrap)
        .where(
            Wrap.report_id == report_id,
            Wrap.holder_kind == HolderKind.USER,
            Wrap.user_id.in_(user_ids),
        )
        .execution_options(synchronize_session=False)
    )
    _unassign(session, (Report.id == report_id) & Report.assignee_id.in_(user_ids))
