"""What investigators and supervisors do to a case: the rules of every action; status, triage.

Every action on a case (here and in reporting.casework.assignment):

- is open only to an active investigator or supervisor who holds a wrap of
  the case (reporting.cases.access `require_holder`, the same
  CaseAccessDenied as the case page); administrators and auditors are
  refused whatever wraps exist;
- first takes the case's lock (`lock_case`): an UPDATE of the report row as
  the transaction's first write, so two actions on one case run one after the
  other on both backends (PostgreSQL row lock; SQLite's write lock), and a
  check such as "another holder remains" cannot be raced;
- refuses what is not allowed with a domain error (reporting.core.errors: 400 for
  bad input, 403 for a rule about people, 409 for a rule about the case's
  state) and then nothing is written;
- is audited in the same transaction (`case.status`, `case.reroute`,
  `case.grant`, `case.revoke`, `case.override`), with metadata only:
  statuses, outcomes, queue slugs, user ids, categories, priorities and
  counts, never what the report says.

Who may do what is decided in the services, not in the views: changing the
status and overriding triage (here) are open to any holder; re-routing,
granting and revoking are in reporting.casework.assignment, and who may be
given a case is reporting.cases.access's to say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from crypto import RecordKind, ReportKey, seal_record
from reporting.audit.log import append_audit
from reporting.cases.access import require_holder
from reporting.cases.deadlines import refresh_next_due
from reporting.casework.opening import case_target
from reporting.core.errors import BadRequest, Conflict
from reporting.core.models import (
    Author,
    Category,
    Message,
    MessageKind,
    Outcome,
    Priority,
    Report,
    ReportStatus,
    User,
    current_hour,
)
from reporting.core.transactions import committing

RECORD_FORMAT = 1
MAX_REASON = 2_000

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


# ---------------------------------------------------------------- locking


def lock_case(session: Session, report: Report, user: User) -> None:
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
        lock_case(session, report, user)
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


def acknowledge_by_reply(session: Session, report: Report, user: User, hour: datetime) -> None:
    """A reply to the reporter acknowledges a new case, as moving it out of NEW does.

    Part of the reply's transaction; audited as a status change made by the reply.
    """
    if report.status is not ReportStatus.NEW:
        return
    report.status = ReportStatus.ACKNOWLEDGED
    if report.acknowledged_hour is None:
        report.acknowledged_hour = hour
    refresh_next_due(report)
    append_audit(
        session,
        actor_user_id=user.id,
        action="case.status",
        target=case_target(report),
        details={
            "from": ReportStatus.NEW.value,
            "to": ReportStatus.ACKNOWLEDGED.value,
            "by": "reply",
        },
    )


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
        lock_case(session, report, user)
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
