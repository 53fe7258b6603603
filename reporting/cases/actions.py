"""What investigators and supervisors do to a case: status, queue, access, triage, links.

Every action here:

- is open only to an active investigator or supervisor who holds a wrap of
  the case (`require_holder`, the same CaseAccessDenied as the case page);
  administrators and auditors are refused whatever wraps exist;
- first takes the case's lock (`_lock_case`): an UPDATE of the report row as
  the transaction's first write, so two actions on one case run one after the
  other on both backends (PostgreSQL row lock; SQLite's write lock), and a
  check such as "another holder remains" cannot be raced;
- refuses what is not allowed with a domain error (reporting.core.errors: 400 for
  bad input, 403 for a rule about people, 409 for a rule about the case's
  state) and then nothing is written;
- is audited in the same transaction (`case.status`, `case.reroute`,
  `case.grant`, `case.revoke`, `case.override`, `case.related`), with
  metadata only: statuses, outcomes, queue slugs, user ids, categories,
  priorities and counts, never what the report says.

Giving a user a wrap (re-routing, granting) applies the triage worker's
conflict-of-interest exclusions (reporting.pipeline.worker.eligible_users):
the names the reporter asked to keep away and the parties users declared.

Who may do what is decided here, not in the views:

- change the status, re-route, revoke and override triage: any holder;
- grant: any holder, but an investigator only to a member of the case's
  current queue (their own team); a supervisor to any active investigator or
  supervisor. Administrators and auditors can never be granted a case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session

from crypto import (
    CryptoError,
    PrivateKey,
    RecordKind,
    ReportKey,
    open_record,
    seal_record,
    unwrap_report_key,
)
from reporting.audit.log import append_audit
from reporting.cases.lists import refresh_next_due, user_queues
from reporting.cases.opening import case_target
from reporting.core.errors import BadRequest, CaseAccessDenied, Conflict, Forbidden
from reporting.core.models import (
    CASE_ROLES,
    Author,
    Category,
    HolderKind,
    Message,
    MessageKind,
    Outcome,
    Priority,
    Queue,
    QueueMembership,
    Report,
    ReportStatus,
    Role,
    User,
    Wrap,
    current_hour,
)
from reporting.core.transactions import committing
from reporting.pipeline.worker import (
    IneligibleHolder,
    TriageWorkerError,
    active_queue_members,
    eligible_users,
    may_hold_wraps,
    may_hold_wraps_clause,
    open_report,
    user_wrap,
)
from triage.text import name_tokens

RECORD_FORMAT = 1
MAX_REASON = 2_000
# How many of the user's other cases `related_cases` opens at most.
RELATED_LIMIT = 500

# The status workflow: from each status, where a case may go next.
TRANSITIONS: Mapping[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.NEW: frozenset({ReportStatus.ACKNOWLEDGED}),
    ReportStatus.ACKNOWLEDGED: frozenset({ReportStatus.INVESTIGATING}),
    ReportStatus.INVESTIGATING: frozenset({ReportStatus.REFERRED, ReportStatus.CLOSED}),
    ReportStatus.REFERRED: frozenset({ReportStatus.INVESTIGATING, ReportStatus.CLOSED}),
    # Reopening: the outcome and the closing hour are cleared.
    ReportStatus.CLOSED: frozenset({ReportStatus.INVESTIGATING}),
}


def next_statuses(status: ReportStatus) -> list[ReportStatus]:
    """Where a case in `status` may go, in workflow order."""
    allowed = TRANSITIONS[status]
    return [candidate for candidate in ReportStatus if candidate in allowed]


# ---------------------------------------------------------------- access and locking


def _user_wrap(session: Session, report: Report, user_id: int) -> Wrap | None:
    return session.scalar(
        select(Wrap).where(
            Wrap.report_id == report.id,
            Wrap.holder_kind == HolderKind.USER,
            Wrap.user_id == user_id,
        )
    )


def require_holder(session: Session, report: Report, user: User) -> Wrap:
    """The user's wrap of the case, or CaseAccessDenied (also for admins and auditors).

    The key itself comes from reporting.cases.opening.case_key, which checks the same.
    """
    if not may_hold_wraps(user.role, active=user.is_active):
        raise CaseAccessDenied()
    wrap = _user_wrap(session, report, user.id)
    if wrap is None:
        raise CaseAccessDenied()
    return wrap


def _lock_case(session: Session, report: Report, user: User) -> None:
    """Serialise actions on the case, then re-read it and re-check the user's access.

    The UPDATE is the transaction's first write, so it takes the row lock
    (PostgreSQL) or the database's write lock (SQLite) before anything the
    action decides on is read; what was read before it is read again.
    """
    session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(last_investigator_activity_hour=current_hour())
        .execution_options(synchronize_session=False)
    )
    session.refresh(report)
    require_holder(session, report, user)


# ---------------------------------------------------------------- names for conflicts


@dataclass(frozen=True, repr=False)
class _CaseNames:
    """The names conflicts are checked against; plaintext, in memory only (no repr)."""

    parties: list[str]
    reporter_conflicts: list[str]


def _open_findings(report: Report, key: ReportKey) -> dict[str, Any]:
    if report.findings is None:
        return {}
    try:
        findings = open_record(key, RecordKind.FINDINGS, report.findings)
    except CryptoError:
        return {}
    return findings if isinstance(findings, dict) else {}


def _members(value: object, name: str) -> list[Any]:
    if isinstance(value, Mapping):
        member = value.get(name)
        if isinstance(member, list):
            return member
    return []


def _case_names(session: Session, report: Report, key: ReportKey) -> _CaseNames:
    """The parties and the reporter's conflicts, as the triage worker read them."""
    try:
        opened = open_report(session, report, key)
    except (CryptoError, TriageWorkerError):
        # A case whose body does not open cannot be checked for conflicts, so
        # nobody may be given it until that is sorted out.
        raise Conflict("The case cannot be opened, so access cannot be checked.") from None
    findings = _open_findings(report, key)
    extraction = findings.get("extraction")
    routing = findings.get("routing")
    found_parties = [
        str(party["name"])
        for party in _members(extraction, "parties")
        if isinstance(party, Mapping) and isinstance(party.get("name"), str)
    ]
    excluded = [name for name in _members(routing, "excluded_names") if isinstance(name, str)]
    return _CaseNames(
        parties=[*opened.party_names(), *found_parties],
        reporter_conflicts=[*opened.conflict_names(), *excluded],
    )


def _eligible(session: Session, users: Sequence[User], names: _CaseNames) -> tuple[list[User], int]:
    return eligible_users(
        session, users, reporter_conflicts=names.reporter_conflicts, parties=names.parties
    )


def _holder_ids(session: Session, report: Report) -> set[int]:
    return {
        user_id
        for user_id in session.scalars(
            select(Wrap.user_id).where(
                Wrap.report_id == report.id, Wrap.holder_kind == HolderKind.USER
            )
        )
        if user_id is not None
    }


def _new_wrap(session: Session, report: Report, key: ReportKey, user: User) -> Wrap:
    try:
        return user_wrap(session, report.id, key, user.id, current_hour())
    except IneligibleHolder:
        # The user's role changed (or the account was deactivated) since the
        # check: the action is refused as a whole, nothing is written.
        raise Conflict(
            f"{user.display_name} can no longer be given access to cases; reload the page."
        ) from None


# ---------------------------------------------------------------- status


def change_status(
    session: Session,
    report: Report,
    user: User,
    new_status: ReportStatus,
    outcome: Outcome | None = None,
) -> None:
    """Move the case along the workflow (TRANSITIONS); closing needs an outcome.

    The first move out of NEW records `acknowledged_hour`; closing records
    `closed_hour`; reopening clears the outcome and `closed_hour`.
    """
    require_holder(session, report, user)
    with committing(session):
        _lock_case(session, report, user)
        old_status = report.status
        if new_status is old_status:
            raise Conflict(f"The case is already {old_status.value}.")
        if new_status not in TRANSITIONS[old_status]:
            allowed = ", ".join(status.value for status in next_statuses(old_status))
            raise Conflict(
                f"A case that is {old_status.value} cannot become {new_status.value}"
                f" (it can become: {allowed})."
            )
        if new_status is ReportStatus.CLOSED and outcome is None:
            raise BadRequest("Choose an outcome to close the case.")
        if new_status is not ReportStatus.CLOSED and outcome is not None:
            raise BadRequest("An outcome is given only when closing the case.")
        hour = current_hour()
        if old_status is ReportStatus.NEW and report.acknowledged_hour is None:
            report.acknowledged_hour = hour
        if new_status is ReportStatus.CLOSED:
            report.closed_hour = hour
        else:
            report.closed_hour = None
        report.outcome = outcome
        report.status = new_status
        refresh_next_due(report)
        session.flush()
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.status",
            target=case_target(report),
            details={
                "from": old_status.value,
                "to": new_status.value,
                "outcome": outcome.value if outcome is not None else None,
            },
        )


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
        _lock_case(session, report, user)
        if report.queue_id == queue.id:
            raise Conflict(f"The case is already in {queue.name}.")
        old_queue = report.queue
        names = _case_names(session, report, key)
        eligible, excluded = _eligible(session, active_queue_members(session, queue.id), names)
        if not eligible:
            raise Conflict(
                f"Nobody in {queue.name} may receive this case, so it cannot be moved there."
            )
        holders = _holder_ids(session, report)
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
                session.execute(
                    delete(Wrap)
                    .where(
                        Wrap.report_id == report.id,
                        Wrap.holder_kind == HolderKind.USER,
                        Wrap.user_id.in_(revoked),
                    )
                    .execution_options(synchronize_session=False)
                )
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
        _lock_case(session, report, user)
        if _user_wrap(session, report, grantee.id) is not None:
            raise Conflict(f"{grantee.display_name} already has access to this case.")
        if user.role is Role.INVESTIGATOR and report.queue_id not in {
            queue.id for queue in user_queues(session, grantee)
        }:
            raise Forbidden(
                "Investigators can give access only to members of the case's queue;"
                " ask a supervisor."
            )
        eligible, _excluded = _eligible(session, [grantee], _case_names(session, report, key))
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
        _lock_case(session, report, user)
        grantee = session.get(User, grantee_id)
        if grantee is None or _user_wrap(session, report, grantee.id) is None:
            raise Conflict("This user has no access to the case.")
        remaining = session.scalar(
            select(User.id)
            .join(Wrap, and_(Wrap.user_id == User.id, Wrap.report_id == report.id))
            .where(
                Wrap.holder_kind == HolderKind.USER,
                User.id != grantee.id,
                may_hold_wraps_clause(),
            )
            .limit(1)
        )
        if remaining is None:
            raise Conflict(
                "This is the last investigator holding the case; give someone else access first."
            )
        session.execute(
            delete(Wrap)
            .where(
                Wrap.report_id == report.id,
                Wrap.holder_kind == HolderKind.USER,
                Wrap.user_id == grantee.id,
            )
            .execution_options(synchronize_session=False)
        )
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.revoke",
            target=case_target(report),
            details={"user_id": grantee.id},
        )
    session.expire(report, ["wraps"])
    return grantee


# ---------------------------------------------------------------- triage override


def _categories(values: Iterable[str]) -> list[str]:
    chosen: list[str] = []
    for value in values:
        try:
            category = Category(value)
        except ValueError:
            raise BadRequest(f"{value!r} is not a risk category.") from None
        if category.value not in chosen:
            chosen.append(category.value)
    if not chosen:
        raise BadRequest("Choose at least one category.")
    # In the vocabulary's order, so the same choice always reads the same.
    return [category.value for category in Category if category.value in chosen]


def override_triage(
    session: Session,
    report: Report,
    key: ReportKey,
    user: User,
    categories: Sequence[str],
    priority: str,
    reason: str,
) -> Message:
    """Replace triage's categories and priority; the reason is kept as a NOTE under rk.

    `triage_overridden` is set, so re-screening leaves the case's metadata
    alone. Confirming triage's own values is allowed: that too is a decision
    someone took, with a reason, and it stops later re-screening from
    changing them. Returns the note.
    """
    require_holder(session, report, user)
    new_categories = _categories(categories)
    try:
        new_priority = Priority(priority)
    except ValueError:
        raise BadRequest(f"{priority!r} is not a priority (P1 to P4).") from None
    reason = reason.strip()
    if not reason:
        raise BadRequest("Give the reason for the override.")
    if len(reason) > MAX_REASON:
        raise BadRequest(f"The reason is limited to {MAX_REASON} characters.")
    with committing(session):
        _lock_case(session, report, user)
        old_categories = list(report.categories)
        old_priority = report.priority.value if report.priority is not None else None
        text = (
            f"Triage overridden: categories {', '.join(new_categories)}"
            f" (were {', '.join(old_categories) or 'none'}); priority {new_priority.value}"
            f" (was {old_priority or 'none'}). Reason: {reason}"
        )
        payload = {
            "format": RECORD_FORMAT,
            "author": Author.INVESTIGATOR.value,
            "text": text,
            "override": {
                "categories": new_categories,
                "priority": new_priority.value,
                "reason": reason,
            },
        }
        note = Message(
            report_id=report.id,
            author_kind=Author.INVESTIGATOR,
            author_user_id=user.id,
            kind=MessageKind.NOTE,
            ciphertext=seal_record(key, RecordKind.NOTE, payload),
            created_hour=current_hour(),
            read_by_investigators=True,
        )
        session.add(note)
        report.categories = new_categories
        report.priority = new_priority
        report.triage_overridden = True
        session.flush()
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.override",
            target=case_target(report),
            details={
                "from": {"categories": old_categories, "priority": old_priority},
                "to": {"categories": new_categories, "priority": new_priority.value},
                "note": note.id,
            },
        )
    session.expire(report, ["messages"])
    return note


# ---------------------------------------------------------------- people and queues for the forms


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


def grantable_users(session: Session, report: Report, key: ReportKey, user: User) -> list[User]:
    """Whom `user` may give the case to now (the choices of the grant form)."""
    query = (
        select(User)
        .where(may_hold_wraps_clause())
        .where(User.id.not_in(sorted(_holder_ids(session, report))))
        .order_by(User.display_name, User.id)
    )
    if user.role is Role.INVESTIGATOR:
        query = query.join(
            QueueMembership,
            and_(QueueMembership.user_id == User.id, QueueMembership.queue_id == report.queue_id),
        )
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    try:
        names = _case_names(session, report, key)
    except Conflict:
        return []
    eligible, _excluded = _eligible(session, candidates, names)
    return eligible


def reroute_targets(session: Session, report: Report) -> list[Queue]:
    """The queues the case may be moved to: every queue but its own."""
    query = select(Queue).order_by(Queue.name)
    if report.queue_id is not None:
        query = query.where(Queue.id != report.queue_id)
    return list(session.scalars(query))


# ---------------------------------------------------------------- related cases


@dataclass(frozen=True)
class RelatedCase:
    report_id: int
    reference: str
    status: ReportStatus
    priority: Priority | None
    shared: tuple[str, ...]  # what the two cases share, e.g. "party: Acme Trading"


@dataclass(frozen=True)
class RelatedCases:
    cases: tuple[RelatedCase, ...] = ()
    examined: int = 0  # how many of the user's other cases were opened
    limit_reached: bool = False  # the user holds more cases than were examined
    unreadable: int = 0  # cases whose wrap or findings did not open
    limit: int = RELATED_LIMIT


@dataclass(repr=False)
class _Identifiers:
    """A case's identifiers; plaintext in memory only (no repr)."""

    parties: dict[frozenset[str], str] = field(default_factory=dict)  # tokens -> a name
    vessels: set[str] = field(default_factory=set)  # IMO numbers
    email_domains: set[str] = field(default_factory=set)  # not free webmail

    def __bool__(self) -> bool:
        return bool(self.parties or self.vessels or self.email_domains)

    def shared_with(self, other: _Identifiers) -> tuple[str, ...]:
        shared = [
            f"party: {self.parties[tokens]}" for tokens in self.parties if tokens in other.parties
        ]
        shared += [f"vessel: IMO {imo}" for imo in sorted(self.vessels & other.vessels)]
        shared += [
            f"e-mail domain: {domain}"
            for domain in sorted(self.email_domains & other.email_domains)
        ]
        return tuple(shared)


def _identifiers(findings: Mapping[str, Any]) -> _Identifiers:
    """Parties (normalised as screening does), IMO numbers and company e-mail domains.

    HS codes and ECCNs are left out: two cases about the same kind of goods
    are not thereby about the same people. Free webmail domains are left out
    for the same reason.
    """
    extraction = findings.get("extraction")
    found = _Identifiers()
    for party in _members(extraction, "parties"):
        name = party.get("name") if isinstance(party, Mapping) else None
        if isinstance(name, str):
            tokens = frozenset(name_tokens(name))
            if tokens:
                found.parties.setdefault(tokens, name.strip())
    for vessel in _members(extraction, "vessels"):
        number = vessel[0] if isinstance(vessel, list) and vessel else None
        if isinstance(number, str) and number.isdigit():
            found.vessels.add(number)
    for email in _members(extraction, "email_domains"):
        if isinstance(email, Mapping) and email.get("free_webmail") is False:
            domain = email.get("domain")
            if isinstance(domain, str) and domain:
                found.email_domains.add(domain.lower())
    return found


def related_cases(
    session: Session,
    report: Report,
    key: ReportKey,
    user: User,
    private_key: PrivateKey,
    limit: int = RELATED_LIMIT,
) -> RelatedCases:
    """The user's other cases that share a party, a vessel or a company e-mail domain.

    Found by opening, in memory, the FINDINGS record of each of the `limit`
    most recent other cases the user holds a wrap for. Nothing is stored in
    plaintext (no index of party names, no hashes of them) to make this
    faster: every entity a report names stays under its report key (docs/architecture.md),
    and a searchable index would be report content at rest. Audited as
    `case.related` with the number of cases opened, not which matched (the
    match itself says something about what the reports contain).
    """
    require_holder(session, report, user)
    own = _identifiers(_open_findings(report, key))
    if not own:
        return RelatedCases(limit=limit)
    rows = session.execute(
        select(
            Report.id,
            Report.public_reference,
            Report.status,
            Report.priority,
            Report.findings,
            Wrap.wrapped_key,
        )
        .join(Wrap, Wrap.report_id == Report.id)
        .where(
            Wrap.holder_kind == HolderKind.USER,
            Wrap.user_id == user.id,
            Report.id != report.id,
            Report.findings.is_not(None),
        )
        .order_by(Report.id.desc())
        .limit(limit + 1)
    ).tuples()
    found: list[RelatedCase] = []
    examined = unreadable = 0
    limit_reached = False
    for report_id, reference, status, priority, findings, wrapped in rows:
        if examined + unreadable == limit:
            limit_reached = True
            break
        if findings is None:  # excluded by the query; for the type checker
            continue
        try:
            other_key = unwrap_report_key(wrapped, private_key)
            other = open_record(other_key, RecordKind.FINDINGS, findings)
        except CryptoError:
            unreadable += 1
            continue
        examined += 1
        if not isinstance(other, dict):
            continue
        shared = own.shared_with(_identifiers(other))
        if shared:
            found.append(RelatedCase(report_id, reference, status, priority, shared))
    with committing(session):
        append_audit(
            session,
            actor_user_id=user.id,
            action="case.related",
            target=case_target(report),
            details={"examined": examined, "limit_reached": limit_reached},
        )
    return RelatedCases(tuple(found), examined, limit_reached, unreadable, limit)
