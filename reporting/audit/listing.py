"""Reading the audit log a page at a time, as the auditor's view shows it.

Newest entries first (keyset paging on `seq`, so a page deep in a long log
costs the same as the first), filtered by action prefix, actor (user name, or
"system"), target and a date range. Bad filters are BadRequest with a message
that says what is accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from reporting.core.errors import BadRequest, refuse_unknown_parameters
from reporting.core.models import AuditEntry, User

PAGE_SIZE = 50
SYSTEM_ACTOR = "system"
FILTER_PARAMETERS = frozenset({"action", "actor", "target", "from", "to", "before"})
ACTION_PREFIX = re.compile(r"[a-z0-9_.]{1,64}")


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # prefix of the dotted action name
    actor: str = ""  # user name, or "system"
    target: str = ""  # exact target, e.g. report:12
    since: date | None = None
    until: date | None = None  # inclusive
    before: int | None = None  # show entries with seq below this (paging)

    def link_args(self, *, before: int | None) -> dict[str, str]:
        """The query string of this filter, at another page, for links."""
        chosen = replace(self, before=before)
        args = {
            "action": chosen.action,
            "actor": chosen.actor,
            "target": chosen.target,
            "from": chosen.since.isoformat() if chosen.since else "",
            "to": chosen.until.isoformat() if chosen.until else "",
            "before": str(chosen.before) if chosen.before else "",
        }
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str | None
    details: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    older: int | None  # `before` for the next (older) page, if there is one


def parse_audit_filter(args: Mapping[str, str]) -> AuditFilter:
    """The filter from the query string; a bad parameter is a 400 that says what is accepted."""
    refuse_unknown_parameters(args, FILTER_PARAMETERS)
    action = args.get("action", "").strip()
    if action and not ACTION_PREFIX.fullmatch(action):
        raise BadRequest(
            "The action filter is the start of an action name: lower-case letters, digits,"
            " '_' and '.', at most 64 characters (for example report. or sign_in)."
        )
    target = args.get("target", "").strip()
    if len(target) > 200:
        raise BadRequest("The target filter is at most 200 characters (for example report:12).")
    actor = args.get("actor", "").strip()
    if len(actor) > 64:
        raise BadRequest("The actor filter is a user name of at most 64 characters.")
    since, until = _date(args, "from"), _date(args, "to")
    if since and until and since > until:
        raise BadRequest("The date range starts after it ends.")
    before_text = args.get("before", "").strip()
    before = None
    if before_text:
        if not before_text.isdigit() or not 1 <= int(before_text) <= 2**62:
            raise BadRequest("The before parameter must be an entry number.")
        before = int(before_text)
    return AuditFilter(action, actor, target, since, until, before)


def _date(args: Mapping[str, str], name: str) -> date | None:
    text = args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(name, text)
    except ValueError:
        return _bad_date(name, text)


def _bad_date(name: str, text: str) -> date:
    raise BadRequest(f"The {name} date must look like 2025-03-31, not {text[:40]!r}.")


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def audit_page(session: Session, audit_filter: AuditFilter) -> AuditPage:
    """One page of matching entries, newest first, with the actors' user names."""
    conditions: list[ColumnElement[bool]] = []
    if audit_filter.action:
        conditions.append(AuditEntry.action.startswith(audit_filter.action, autoescape=True))
    if audit_filter.target:
        conditions.append(AuditEntry.target == audit_filter.target)
    if audit_filter.actor == SYSTEM_ACTOR:
        conditions.append(AuditEntry.actor_user_id.is_(None))
    elif audit_filter.actor:
        actor_id = session.scalar(select(User.id).where(User.username == audit_filter.actor))
        if actor_id is None:
            raise BadRequest(
                f"No user is called {audit_filter.actor!r}; give a user name, or"
                f" {SYSTEM_ACTOR} for entries written by the system."
            )
        conditions.append(AuditEntry.actor_user_id == actor_id)
    if audit_filter.since:
        conditions.append(AuditEntry.at >= _day_start(audit_filter.since))
    # The last day of the calendar has no next day to end before: no upper bound.
    if audit_filter.until and audit_filter.until < date.max:
        conditions.append(AuditEntry.at < _day_start(audit_filter.until + timedelta(days=1)))
    if audit_filter.before:
        conditions.append(AuditEntry.seq < audit_filter.before)
    rows = session.execute(
        select(AuditEntry, User.username)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .where(*conditions)
        .order_by(AuditEntry.seq.desc())
        .limit(PAGE_SIZE + 1)
    ).all()
    shown = [
        AuditRow(
            seq=entry.seq,
            at=entry.at,
            actor=username or SYSTEM_ACTOR,
            action=entry.action,
            target=entry.target,
            details=json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
            if entry.details
            else "",
        )
        for entry, username in rows[:PAGE_SIZE]
    ]
    older = shown[-1].seq if len(rows) > PAGE_SIZE else None
    return AuditPage(shown, older)
