"""Case lists: the cases a console user may read, filtered, sorted and paged.

Who sees which case is decided by reporting.cases.access (`listed_for`): the
cases of their queues they hold a wrap for. What the request asks for (filter,
sort, page) is reporting.casework.list_query; the deadline rules the lists show
and filter on are reporting.cases.deadlines.

Only plaintext metadata is read here (intake type, status, priority,
categories, domains, queue, received hour, deadlines); nothing is decrypted,
and the ciphertext columns are never selected, so a page stays cheap.

One query for the page and one for the count, on both backends. The wraps
index on (user_id, report_id) makes "the reports this user holds a wrap for"
an index-only scan (migration 0004); reports (queue_id, next_due, id) serves
the deadline sort and filters (migration 0005).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from reporting.cases.access import listed_for
from reporting.cases.deadlines import (
    Deadline,
    DeadlineState,
    deadline_condition,
    has_narrative_clause,
    pending_deadlines,
    state_of,
)
from reporting.casework.list_query import (
    Assigned,
    CaseFilter,
    CaseQuery,
    CaseSort,
    PageRequest,
    SortKey,
)
from reporting.core.errors import BadRequest
from reporting.core.models import (
    CaseRead,
    IntakeType,
    Priority,
    Queue,
    QueueMembership,
    Report,
    ReportStatus,
    User,
    Wrap,
    json_list_holds,
)


@dataclass(frozen=True)
class QueueRef:
    id: int
    slug: str
    name: str


class Unread(StrEnum):
    """Why a case is unread for the user listing it (reporting.core.models.CaseRead)."""

    NOT_OPENED = "not_opened"
    NEW_FROM_REPORTER = "new_from_reporter"


def unread_state(seen_activity: int | None, reporter_activity: int) -> Unread | None:
    if seen_activity is None:
        return Unread.NOT_OPENED
    return Unread.NEW_FROM_REPORTER if seen_activity < reporter_activity else None


@dataclass(frozen=True)
class CaseRow:
    report_id: int
    reference: str
    queue: QueueRef
    intake_type: IntakeType
    status: ReportStatus
    priority: Priority | None
    categories: tuple[str, ...]
    domains: tuple[str, ...]
    received_hour: datetime
    next_deadline: Deadline | None
    deadline_state: DeadlineState
    assignee_name: str | None
    unread: Unread | None


@dataclass(frozen=True)
class CasePage:
    rows: tuple[CaseRow, ...]
    total: int
    number: int
    size: int
    queues: tuple[QueueRef, ...]  # the user's queues, for the queue selector

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def first_index(self) -> int:
        """The 1-based position of the first row in the whole list (0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


# ---------------------------------------------------------------- listing


def user_queues(session: Session, user: User) -> tuple[QueueRef, ...]:
    rows = session.execute(
        select(Queue.id, Queue.slug, Queue.name)
        .join(QueueMembership, QueueMembership.queue_id == Queue.id)
        .where(QueueMembership.user_id == user.id)
        .order_by(Queue.name)
    )
    return tuple(QueueRef(row.id, row.slug, row.name) for row in rows)


def _conditions(
    case_filter: CaseFilter, user: User, now: datetime, dialect: str
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if case_filter.assigned is Assigned.ME:
        conditions.append(Report.assignee_id == user.id)
    elif case_filter.assigned is Assigned.NOBODY:
        conditions.append(Report.assignee_id.is_(None))
    if case_filter.status is not None:
        conditions.append(Report.status == case_filter.status)
    if case_filter.priority is not None:
        conditions.append(Report.priority == case_filter.priority)
    if case_filter.intake_type is not None:
        conditions.append(Report.intake_type == case_filter.intake_type)
    if case_filter.category is not None:
        conditions.append(json_list_holds(Report.categories, case_filter.category.value, dialect))
    if case_filter.domain is not None:
        conditions.append(json_list_holds(Report.domains, case_filter.domain.value, dialect))
    if case_filter.deadline is not None:
        conditions.append(deadline_condition(case_filter.deadline, now))
    return conditions


_STATUS_ORDER = {status: position for position, status in enumerate(ReportStatus)}


def _sort_keys(sort: CaseSort) -> list[tuple[ColumnElement[Any], bool]]:
    """The ORDER BY keys with their direction (True: descending); the report id last.

    The id makes every order total and stable. Cases without a value for the
    key (no pending deadline) go last in either direction. Triage sets the
    priority together with the queue, so a listed case always has one.
    """
    key: ColumnElement[Any]
    missing: ColumnElement[Any] | None = None
    match sort.key:
        case SortKey.PRIORITY:
            key = Report.__table__.c.priority  # "P1" < "P2": ascending is most urgent first
        case SortKey.RECEIVED:
            key = Report.__table__.c.received_hour
        case SortKey.DEADLINE:
            key = Report.__table__.c.next_due
            missing = case((key.is_(None), 1), else_=0)
        case SortKey.STATUS:
            # The order of the workflow, not of the alphabet.
            key = case(_STATUS_ORDER, value=Report.status)
    keys: list[tuple[ColumnElement[Any], bool]] = [
        (key, sort.descending),
        (Report.__table__.c.id, sort.descending),
    ]
    return [(missing, False), *keys] if missing is not None else keys


class _ReportsFirstJoin(Join):
    """reports JOIN wraps, with reports as the outer loop on SQLite.

    SQLite otherwise starts from the user's wraps (one index range) and then
    reads every readable report's wide table row by its id, where starting
    from the reports' narrow indexes (queue first: the case list index,
    (queue_id, next_due, id)) and probing the wraps index reads indexes only:
    about 2.5 times faster for the count and the deadline sort at 100,000
    cases. CROSS JOIN is how SQLite is told the join order; the result is
    the same as JOIN's. PostgreSQL's planner needs no such help.
    """

    inherit_cache = True


@compiles(_ReportsFirstJoin, "sqlite")
def _compile_reports_first_sqlite(
    element: _ReportsFirstJoin, compiler: SQLCompiler, **options: object
) -> str:
    # The left side is the reports table itself, so the first " JOIN " is this join's.
    rendered: str = compiler.visit_join(element, **options)  # type: ignore[no-untyped-call]
    return rendered.replace(" JOIN ", " CROSS JOIN ", 1)


def _readable_reports(case_filter: CaseFilter) -> Join:
    """reports joined to wraps, for the conditions of `listed_for`.

    Reports first (`_ReportsFirstJoin`) when the filter reads only indexed
    columns. A category or domain filter reads each report's table row
    anyway, and those reads are cheaper in id order, as SQLite makes them
    when it starts from the wraps, than in the order of a reports index.
    """
    join = (
        _ReportsFirstJoin if case_filter.category is None and case_filter.domain is None else Join
    )
    return join(Report.__table__, Wrap.__table__, Wrap.report_id == Report.id)


@dataclass(frozen=True)
class _Window:
    """Which rows of the sorted list the inner query reads, and in which direction."""

    offset: int
    limit: int
    from_end: bool


def _window(page: PageRequest, total: int | None) -> _Window:
    """The page's rows, counted from the end of the list when that is nearer.

    An OFFSET makes the database produce and skip every row before the page;
    a page in the second half of the list is the same rows counted backwards
    from the end, with the sort reversed, which skips fewer (page 900 of 990:
    about 4,500 rows instead of 45,000). Needs the list's length (`total`).
    """
    offset = (page.number - 1) * page.size
    if total is None or offset <= total - offset - page.size:
        return _Window(offset, page.size, from_end=False)
    return _Window(
        max(0, total - offset - page.size), max(0, min(page.size, total - offset)), from_end=True
    )


def page_statement(
    user: User,
    queue_ids: Sequence[int],
    query: CaseQuery,
    now: datetime,
    *,
    dialect: str,
    total: int | None = None,
) -> Select[Any]:
    """The SQL statement for one page (public for the benchmark's baseline).

    `dialect` is the name of the database's dialect ("sqlite", "postgresql"):
    the category and domain filters differ (`json_list_holds`).

    In two steps, in one statement: the inner query finds the page's report
    ids from the indexes alone (the covering list index, (queue_id, next_due,
    id) and the wraps index, migrations 0004 and 0005) and sorts only ids and
    sort keys; the outer one reads the full rows of just those ids. Sorting
    whole rows would read every readable case's table row, which dominated
    the time at 100,000 cases. Given the list's length (`total`), a page past
    the middle is read from the end (`_window`).
    """
    keys = _sort_keys(query.sort)
    window = _window(query.page, total)
    inner = (
        select(
            Report.id.label("id"),
            *(expression.label(f"sort_{index}") for index, (expression, _) in enumerate(keys)),
        )
        .select_from(_readable_reports(query.filter))
        .where(*listed_for(user, queue_ids), *_conditions(query.filter, user, now, dialect))
        .order_by(
            *(
                _directed(expression, descending != window.from_end)
                for expression, descending in keys
            )
        )
        .limit(window.limit)
        .offset(window.offset)
        .subquery("page")
    )
    return (
        select(
            Report.id,
            Report.public_reference,
            Report.queue_id,
            Report.intake_type,
            Report.status,
            Report.priority,
            Report.categories,
            Report.domains,
            Report.received_hour,
            Report.ack_due,
            Report.feedback_due,
            Report.narrative_due,
            Report.acknowledged_hour,
            Report.closed_hour,
            has_narrative_clause().label("has_narrative"),
            User.display_name.label("assignee_name"),
            Report.reporter_activity,
            CaseRead.seen_activity,
        )
        .join(inner, inner.c.id == Report.id)
        .outerjoin(User, User.id == Report.assignee_id)
        .outerjoin(CaseRead, (CaseRead.report_id == Report.id) & (CaseRead.user_id == user.id))
        .order_by(
            *(
                _directed(inner.c[f"sort_{index}"], descending)
                for index, (_, descending) in enumerate(keys)
            )
        )
    )


def count_statement(
    user: User, queue_ids: Sequence[int], query: CaseQuery, now: datetime, *, dialect: str
) -> Select[tuple[int]]:
    """The SQL statement counting the whole list (public for the benchmark; `dialect` as
    for `page_statement`)."""
    return (
        select(func.count())
        .select_from(_readable_reports(query.filter))
        .where(*listed_for(user, queue_ids), *_conditions(query.filter, user, now, dialect))
    )


def _directed(expression: ColumnElement[Any], descending: bool) -> ColumnElement[Any]:
    return expression.desc() if descending else expression.asc()


def _scope(queues: tuple[QueueRef, ...], case_filter: CaseFilter) -> tuple[QueueRef, ...]:
    """Among the user's queues, those the filter asks for."""
    if case_filter.queue is None:
        return queues
    chosen = tuple(queue for queue in queues if queue.slug == case_filter.queue)
    if not chosen:
        raise BadRequest(f"You are not a member of a queue called {case_filter.queue!r}.")
    return chosen


def list_cases(session: Session, user: User, query: CaseQuery, now: datetime) -> CasePage:
    """The page of the user's readable cases that `query` asks for, and how many there are."""
    queues = user_queues(session, user)
    scope = _scope(queues, query.filter)
    by_id = {queue.id: queue for queue in queues}
    queue_ids = [queue.id for queue in scope]
    if not queue_ids:
        return CasePage((), 0, query.page.number, query.page.size, queues)
    dialect = session.get_bind().dialect.name
    total = session.scalar(count_statement(user, queue_ids, query, now, dialect=dialect))
    rows = []
    page = page_statement(user, queue_ids, query, now, dialect=dialect, total=total)
    for row in session.execute(page):
        pending = pending_deadlines(row, has_narrative=bool(row.has_narrative))
        next_deadline = pending[0] if pending else None
        rows.append(
            CaseRow(
                report_id=row.id,
                reference=row.public_reference,
                queue=by_id[row.queue_id],
                intake_type=row.intake_type,
                status=row.status,
                priority=row.priority,
                categories=tuple(row.categories or ()),
                domains=tuple(row.domains or ()),
                received_hour=row.received_hour,
                next_deadline=next_deadline,
                deadline_state=state_of(row, next_deadline.due if next_deadline else None, now),
                assignee_name=row.assignee_name,
                unread=unread_state(row.seen_activity, row.reporter_activity),
            )
        )
    return CasePage(tuple(rows), total or 0, query.page.number, query.page.size, queues)


@dataclass(frozen=True)
class QueueCounts:
    queue: QueueRef
    by_status: dict[ReportStatus, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def count_by_queue_and_status(session: Session, user: User) -> list[QueueCounts]:
    """How many readable cases the user has in each of their queues, per status."""
    queues = user_queues(session, user)
    if not queues:
        return []
    counts = {queue.id: dict.fromkeys(ReportStatus, 0) for queue in queues}
    rows = session.execute(
        select(Report.queue_id, Report.status, func.count())
        .select_from(_readable_reports(CaseFilter()))
        .where(*listed_for(user, list(counts)))
        .group_by(Report.queue_id, Report.status)
    )
    for queue_id, status, count in rows:
        counts[queue_id][status] = count
    return [QueueCounts(queue, counts[queue.id]) for queue in queues]
