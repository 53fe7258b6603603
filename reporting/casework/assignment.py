"""Who works a case: moving it to another queue, granting and revoking access.

These are the actions that change who holds a case's key, with the choices
the console's forms offer for them. Like every action on a case
(reporting.casework.actions, whose rules they follow: holders only, the case's
lock first, refusals as domain errors, audited in the same transaction),
they are open to its holders; what they may give and to whom is decided by
reporting.cases.access:

- re-route (`case.reroute`): any holder; the new queue's eligible members
  (conflicts of interest excluded, `eligible_users`) get wraps, and with
  `revoke_previous` the old queue's members who are not in the new one lose
  theirs;
- grant (`case.grant`): any holder, but an investigator only to a member of
  the case's current queue (their own team, `grant_reach`); a supervisor to
  any active investigator or supervisor. Administrators and auditors can
  never be granted a case;
- revoke (`case.revoke`): any holder, as long as another active
  investigator or supervisor still holds the case;
- assign (`case.assign`): any holder, to one of the case's active holders
  (to hand a case to someone else, give them access first), or to nobody.
  Whoever loses access stops being the assignee (reporting.cases.access).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import ReportKey
from reporting.audit.log import append_audit
from reporting.cases.access import (
    IneligibleHolder,
    active_queue_members,
    another_holder_remains,
    eligible_users,
    grant_reach,
    held_wrap,
    holder_ids,
    may_hold_wraps,
    may_hold_wraps_clause,
    require_holder,
    revoke_wraps,
    user_wrap,
    within_reach,
)
from reporting.cases.conflicts import stored_case_names
from reporting.casework.actions import lock_case
from reporting.casework.opening import case_target
from reporting.core.errors import BadRequest, Conflict, Forbidden
from reporting.core.models import (
    CASE_ROLES,
    Queue,
    QueueMembership,
    Report,
    User,
    Wrap,
    current_hour,
)
from reporting.core.transactions import committing


def _new_wrap(session: Session, report: Report, key: ReportKey, user: User) -> Wrap:
    try:
        return user_wrap(session, report.id, key, user.id, current_hour())
    except IneligibleHolder:
        # The user's role changed (or the account was deactivated) since the
        # check: the action is refused as a whole, nothing is written.
        raise Conflict(
            f"{user.display_name} can no longer be given access to cases; reload the page."
        ) from None


# ---------------------------------------------------------------- re-routing


@dataclass(frozen=True)
class RerouteResult:
    queue_slug: str
    granted: tuple[int, ...]  # user ids given a wrap
    revoked: tuple[int, ...]  # user ids whose wrap was deleted
    excluded: int  # members of the new queue kept away by a conflict


def reroute(
    session: Session,
    report: Report,
    key: ReportKey,
    user: User,
    queue_slug: str,
    *,
    revoke_previous: bool = False,
) -> RerouteResult:
    """Move the case to another queue and seal its key to that queue's eligible members.

    The acting user keeps their wrap. With `revoke_previous`, the members of
    the old queue who are not members of the new one lose theirs (users
    granted the case individually keep it). Refused when nobody in the new
    queue may receive the case: it would be a queue nobody there can work.
    """
    require_holder(session, report, user)
    queue = session.scalar(select(Queue).where(Queue.slug == queue_slug))
    if queue is None:
        raise BadRequest("There is no such queue.")
    with committing(session):
        lock_case(session, report, user)
        if report.queue_id == queue.id:
            raise Conflict(f"The case is already in {queue.name}.")
        old_queue = report.queue
        names = stored_case_names(session, report, key)
        eligible, excluded = eligible_users(session, active_queue_members(session, queue.id), names)
        if not eligible:
            raise Conflict(
                f"Nobody in {queue.name} may receive this case, so it cannot be moved there."
            )
        holders = holder_ids(session, report.id)
        granted = [member for member in eligible if member.id not in holders]
        session.add_all(_new_wrap(session, report, key, member) for member in granted)

        revoked: list[int] = []
        if revoke_previous and old_queue is not None:
            new_member_ids = {member.id for member in active_queue_members(session, queue.id)}
            old_member_ids = set(
                session.scalars(
                    select(QueueMembership.user_id).where(QueueMembership.queue_id == old_queue.id)
                )
            )
            revoked = sorted(
                (holders & old_member_ids) - new_member_ids - {user.id},
            )
            if revoked:
                revoke_wraps(session, report.id, revoked)
        report.queue_id = queue.id
        session.flush()
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.reroute",
            target=case_target(report),
            details={
                "from_queue": old_queue.slug if old_queue is not None else None,
                "to_queue": queue.slug,
                "granted_user_ids": [member.id for member in granted],
                "revoked_user_ids": revoked,
                # How many, not who (as the triage worker records it).
                "excluded": excluded,
            },
        )
    session.expire(report, ["wraps"])
    return RerouteResult(queue.slug, tuple(m.id for m in granted), tuple(revoked), excluded)


# ---------------------------------------------------------------- access


def grant_access(
    session: Session, report: Report, key: ReportKey, user: User, grantee_id: int
) -> User:
    """Seal the case's key to one more user; returns the grantee.

    The grantee must be an active investigator or supervisor without a
    conflict of interest; an investigator may grant only to members of the
    case's queue (see the module docstring).
    """
    require_holder(session, report, user)
    grantee = session.get(User, grantee_id)
    if grantee is None:
        raise BadRequest("There is no such user.")
    if not may_hold_wraps(grantee.role, active=grantee.is_active):
        raise Forbidden(
            f"{grantee.display_name}'s account is deactivated."
            if grantee.role in CASE_ROLES
            else "Only investigators and supervisors can be given access to a case."
        )
    with committing(session):
        lock_case(session, report, user)
        if held_wrap(session, report.id, grantee.id) is not None:
            raise Conflict(f"{grantee.display_name} already has access to this case.")
        if not within_reach(session, report, user, grantee):
            raise Forbidden(
                "Investigators can give access only to members of the case's queue;"
                " ask a supervisor."
            )
        names = stored_case_names(session, report, key)
        eligible, _excluded = eligible_users(session, [grantee], names)
        if not eligible:
            raise Forbidden(
                f"{grantee.display_name} may not be given this case: a conflict of interest."
            )
        session.add(_new_wrap(session, report, key, grantee))
        session.flush()
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.grant",
            target=case_target(report),
            details={"user_id": grantee.id},
        )
    session.expire(report, ["wraps"])
    return grantee


def revoke_access(session: Session, report: Report, user: User, grantee_id: int) -> User:
    """Delete one user's wrap; returns that user.

    Refused when it would leave no active investigator or supervisor holding
    the case: nobody could then read it, grant it or re-route it (the
    reporter's wrap opens it only for the reporter). Revoking yourself is
    allowed on the same terms: someone else must still hold the case.
    """
    require_holder(session, report, user)
    with committing(session):
        lock_case(session, report, user)
        grantee = session.get(User, grantee_id)
        if grantee is None or held_wrap(session, report.id, grantee.id) is None:
            raise Conflict("This user has no access to the case.")
        if not another_holder_remains(session, report.id, grantee.id):
            raise Conflict(
                "This is the last investigator holding the case; give someone else access first."
            )
        revoke_wraps(session, report.id, [grantee.id])
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.revoke",
            target=case_target(report),
            details={"user_id": grantee.id},
        )
    session.expire(report, ["wraps"])
    return grantee


# ---------------------------------------------------------------- assignment


def assign_case(
    session: Session, report: Report, user: User, assignee_id: int | None
) -> User | None:
    """Make one of the case's holders (or nobody: None) the person working it; returns them."""
    require_holder(session, report, user)
    with committing(session):
        lock_case(session, report, user)
        assignee = None if assignee_id is None else session.get(User, assignee_id)
        if assignee_id is not None and (
            assignee is None
            or not may_hold_wraps(assignee.role, active=assignee.is_active)
            or held_wrap(session, report.id, assignee.id) is None
        ):
            raise Conflict(
                "A case can be assigned only to someone who has access to it;"
                " give them access first."
            )
        if report.assignee_id == assignee_id:
            raise Conflict(
                f"The case is already assigned to {assignee.display_name}."
                if assignee is not None
                else "The case is not assigned to anyone."
            )
        report.assignee_id = assignee_id
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.assign",
            target=case_target(report),
            details={"user_id": assignee_id},
        )
    return assignee


# ---------------------------------------------------------------- people and queues for the forms


def grantable_users(session: Session, report: Report, key: ReportKey, user: User) -> list[User]:
    """Whom `user` may give the case to now (the choices of the grant form)."""
    query = (
        select(User)
        .where(may_hold_wraps_clause(), *grant_reach(report, user))
        .where(User.id.not_in(sorted(holder_ids(session, report.id))))
        .order_by(User.display_name, User.id)
    )
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    try:
        names = stored_case_names(session, report, key)
    except Conflict:
        return []
    eligible, _excluded = eligible_users(session, candidates, names)
    return eligible


def reroute_targets(session: Session, report: Report) -> list[Queue]:
    """The queues the case may be moved to: every queue but its own."""
    query = select(Queue).order_by(Queue.name)
    if report.queue_id is not None:
        query = query.where(Queue.id != report.queue_id)
    return list(session.scalars(query))
