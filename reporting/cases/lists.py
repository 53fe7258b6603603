"""Case lists: the cases a console user may read, filtered, sorted and paged; deadlines.

Who sees what. A user sees a case only when both hold:

- they hold a USER wrap for it (having a wrap is having access, docs/crypto.md;
  a queue member kept out by a conflict of interest has none), and
- the case is in one of the queues they belong to.

Supervisors are no exception: they see the cases of their queues they hold
wraps for. An administrator or auditor who is in no queue sees no case.

Only plaintext metadata is read here (intake type, status, priority,
categories, domains, queue, received hour, deadlines); nothing is decrypted,
and the ciphertext columns are never selected, so a page stays cheap.

Deadlines (EU Directive 2019/1937 for tips; our own 180 days for a
disclosure's full narrative), set on the case at intake:

- acknowledgement (`ack_due`) is pending until the case is acknowledged
  (`acknowledged_hour`);
- feedback (`feedback_due`) is pending until the case is closed (`closed_hour`);
- the full narrative (`narrative_due`) is pending until a narrative part exists.

A closed case has no pending deadline. A case's deadline state comes from its
earliest pending deadline (see `DeadlineState`). That earliest pending
deadline is stored on the case (`Report.next_due`, NULL when none is
pending), so that the lists filter and sort on a plain indexed column instead
of computing it for every readable case. `refresh_next_due` is the one place
that sets it, from the rules in `pending_deadlines`; it is called wherever an
input changes: intake (reporting/intake/submissions.py), a status change or reopening
(reporting/cases/actions.py), a filed narrative (reporting/intake/followup.py).

One query for the page and one for the count, on both backends. The wraps
index on (user_id, report_id) makes "the reports this user holds a wrap for"
an index-only scan (migration 0004); reports (queue_id, next_due, id) serves
the deadline sort and filters (migration 0005).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from reporting.core.errors import BadRequest, refuse_unknown_parameters
from reporting.core.models import (
    Domain,
    IntakeType,
    PartKind,
    Priority,
    Queue,
    QueueMembership,
    Report,
    ReportPart,
    ReportStatus,
    RiskCategory,
    User,
    UtcDateTime,
    Wrap,
)

# A pending deadline this close is "due soon". 48 hours: long enough to act on
# a case seen at the start of a working day, short enough not to flag everything.
DUE_SOON = timedelta(hours=48)

DEFAULT_PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)


class DeadlineState(StrEnum):
    """Where a case stands against its deadlines, the most urgent first.

    OVERDUE: a pending deadline has passed. DUE_SOON: the earliest pending
    deadline falls within DUE_SOON. PENDING: a deadline is pending but further
    off. MET: the case had deadlines and none is pending any more. NONE: the
    case has no deadline at all.
    """

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    MET = "met"
    NONE = "none"

    @property
    def label(self) -> str:
        return _DEADLINE_LABELS[self]


_DEADLINE_LABELS = {
    DeadlineState.OVERDUE: "Overdue",
    DeadlineState.DUE_SOON: "Due soon",
    DeadlineState.PENDING: "On track",
    DeadlineState.MET: "Met",
    DeadlineState.NONE: "No deadline",
}


class DeadlineKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    FEEDBACK = "feedback"
    NARRATIVE = "narrative"


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: datetime


class SortKey(StrEnum):
    PRIORITY = "priority"
    RECEIVED = "received"
    DEADLINE = "deadline"
    STATUS = "status"


@dataclass(frozen=True)
class CaseFilter:
    """Every field narrows the list; None means any. `queue` is a queue slug."""

    queue: str | None = None
    status: ReportStatus | None = None
    priority: Priority | None = None
    category: RiskCategory | None = None
    domain: Domain | None = None
    intake_type: IntakeType | None = None
    deadline: DeadlineState | None = None


@dataclass(frozen=True)
class CaseSort:
    key: SortKey = SortKey.PRIORITY
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class CaseQuery:
    """A case list request as the console's query parameters describe it."""

    filter: CaseFilter = field(default_factory=CaseFilter)
    sort: CaseSort = field(default_factory=CaseSort)
    page: PageRequest = field(default_factory=PageRequest)

    def parameters(self, **changes: object) -> dict[str, str]:
        """The query parameters for this request with `changes` applied, defaults left out.

        Changing a filter or the sort goes back to page 1: the old page
        number means nothing in the new list.
        """
        values: dict[str, object] = {
            "queue": self.filter.queue,
            "status": self.filter.status,
            "priority": self.filter.priority,
            "category": self.filter.category,
            "domain": self.filter.domain,
            "intake": self.filter.intake_type,
            "deadline": self.filter.deadline,
            "sort": self.sort.key,
            "order": "desc" if self.sort.descending else "asc",
            "page": self.page.number,
            "size": self.page.size,
        }
        if any(name != "page" for name in changes):
            values["page"] = 1
        values.update(changes)
        defaults = {
            "sort": SortKey.PRIORITY,
            "order": "asc",
            "page": 1,
            "size": DEFAULT_PAGE_SIZE,
        }
        return {
            name: str(value)
            for name, value in values.items()
            if value is not None and value != "" and defaults.get(name) != value
        }


@dataclass(frozen=True)
class QueueRef:
    id: int
    slug: str
    name: str


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


# ---------------------------------------------------------------- deadlines


class HasDeadlines(Protocol):
    """The columns the deadline rules read; a Report or a selected row has them."""

    @property
    def ack_due(self) -> datetime | None: ...
    @property
    def feedback_due(self) -> datetime | None: ...
    @property
    def narrative_due(self) -> datetime | None: ...
    @property
    def acknowledged_hour(self) -> datetime | None: ...
    @property
    def closed_hour(self) -> datetime | None: ...


def pending_deadlines(report: HasDeadlines, *, has_narrative: bool) -> list[Deadline]:
    """The deadlines still to be met, earliest first (the rules are in the module docstring)."""
    if report.closed_hour is not None:
        return []
    pending = []
    if report.ack_due is not None and report.acknowledged_hour is None:
        pending.append(Deadline(DeadlineKind.ACKNOWLEDGEMENT, report.ack_due))
    if report.feedback_due is not None:
        pending.append(Deadline(DeadlineKind.FEEDBACK, report.feedback_due))
    if report.narrative_due is not None and not has_narrative:
        pending.append(Deadline(DeadlineKind.NARRATIVE, report.narrative_due))
    return sorted(pending, key=lambda deadline: deadline.due)


def _state_of(report: HasDeadlines, next_due: datetime | None, now: datetime) -> DeadlineState:
    if next_due is None:
        has_any = any(
            due is not None for due in (report.ack_due, report.feedback_due, report.narrative_due)
        )
        return DeadlineState.MET if has_any else DeadlineState.NONE
    if next_due < now:
        return DeadlineState.OVERDUE
    if next_due < now + DUE_SOON:
        return DeadlineState.DUE_SOON
    return DeadlineState.PENDING


def deadline_state(
    report: Report, now: datetime, *, has_narrative: bool | None = None
) -> DeadlineState:
    """The case's deadline state at `now`.

    `has_narrative` spares loading `report.parts` when the caller knows it.
    """
    if has_narrative is None:
        has_narrative = any(part.kind is PartKind.NARRATIVE for part in report.parts)
    pending = pending_deadlines(report, has_narrative=has_narrative)
    return _state_of(report, pending[0].due if pending else None, now)


def next_due_of(report: HasDeadlines, *, has_narrative: bool) -> datetime | None:
    """The case's earliest pending deadline; None when none is pending."""
    pending = pending_deadlines(report, has_narrative=has_narrative)
    return pending[0].due if pending else None


def refresh_next_due(report: Report, *, has_narrative: bool | None = None) -> None:
    """Store the case's earliest pending deadline in `report.next_due`.

    Call it after changing any input of the deadline rules (the due dates,
    `acknowledged_hour`, `closed_hour`, a narrative part). `has_narrative`
    says whether the case has its full narrative; None reads `report.parts`,
    and only when the case has a narrative deadline at all.
    """
    if has_narrative is None:
        has_narrative = report.narrative_due is not None and any(
            part.kind is PartKind.NARRATIVE for part in report.parts
        )
    report.next_due = next_due_of(report, has_narrative=has_narrative)


# The same rules in SQL read the stored `next_due`. Times are compared as the
# column type stores them (naive UTC text on SQLite, timestamptz on
# PostgreSQL), so every bound time goes through UtcDateTime.


def _has_narrative() -> ColumnElement[bool]:
    return exists().where(ReportPart.report_id == Report.id, ReportPart.kind == PartKind.NARRATIVE)


def _time(moment: datetime) -> ColumnElement[Any]:
    return literal(moment, UtcDateTime())


def _deadline_condition(state: DeadlineState, now: datetime) -> ColumnElement[bool]:
    next_due = Report.__table__.c.next_due
    any_deadline = or_(
        Report.ack_due.is_not(None),
        Report.feedback_due.is_not(None),
        Report.narrative_due.is_not(None),
    )
    match state:
        case DeadlineState.OVERDUE:
            return next_due < _time(now)
        case DeadlineState.DUE_SOON:
            return and_(next_due >= _time(now), next_due < _time(now + DUE_SOON))
        case DeadlineState.PENDING:
            return next_due >= _time(now + DUE_SOON)
        case DeadlineState.MET:
            return and_(next_due.is_(None), any_deadline)
        case DeadlineState.NONE:
            return ~any_deadline


# ---------------------------------------------------------------- listing


def user_queues(session: Session, user: User) -> tuple[QueueRef, ...]:
    rows = session.execute(
        select(Queue.id, Queue.slug, Queue.name)
        .join(QueueMembership, QueueMembership.queue_id == Queue.id)
        .where(QueueMembership.user_id == user.id)
        .order_by(Queue.name)
    )
    return tuple(QueueRef(row.id, row.slug, row.name) for row in rows)


def _readable(user: User, queue_ids: Sequence[int]) -> list[ColumnElement[bool]]:
    """The access conditions, for a statement that already joins Wrap to Report."""
    # Only USER wraps have a user_id (a CHECK constraint), so no holder_kind
    # test is needed, and the wraps index on (user_id, report_id) covers it.
    return [Wrap.user_id == user.id, Report.queue_id.in_(queue_ids)]


def json_list_holds(
    column: InstrumentedAttribute[list[str]], value: str, dialect: str
) -> ColumnElement[bool]:
    """`value` is a member of the JSON list of strings in `column` (categories, domains).

    `dialect` is the database's dialect name. On PostgreSQL the lists are
    jsonb (migration 0006), and containment (`column @> '["finance"]'`) is
    what their GIN indexes serve. On SQLite, a LIKE on the JSON text with the
    quotes included: the vocabularies hold plain words, so '"finance"'
    matches that member and nothing else, and autoescape keeps the '_' in
    'end_use' literal. The metrics' counts use it too (reporting/metrics/aggregates.py):
    there `@>` tests each row's jsonb as stored, where a cast to text would
    serialise its lists once per value counted.
    """
    if dialect == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    return cast(column, Text).contains(f'"{value}"', autoescape=True)


def _conditions(case_filter: CaseFilter, now: datetime, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
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
        conditions.append(_deadline_condition(case_filter.deadline, now))
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
    """reports joined to wraps, for `_readable`'s conditions.

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
        .where(*_readable(user, queue_ids), *_conditions(query.filter, now, dialect))
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
            _has_narrative().label("has_narrative"),
        )
        .join(inner, inner.c.id == Report.id)
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
        .where(*_readable(user, queue_ids), *_conditions(query.filter, now, dialect))
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
                deadline_state=_state_of(row, next_deadline.due if next_deadline else None, now),
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
        .where(*_readable(user, list(counts)))
        .group_by(Report.queue_id, Report.status)
    )
    for queue_id, status, count in rows:
        counts[queue_id][status] = count
    return [QueueCounts(queue, counts[queue.id]) for queue in queues]


# ---------------------------------------------------------------- query parameters

_FILTER_PARAMETERS: dict[str, tuple[str, type[StrEnum] | None]] = {
    # parameter: (CaseFilter field, vocabulary; None for a queue slug)
    "queue": ("queue", None),
    "status": ("status", ReportStatus),
    "priority": ("priority", Priority),
    "category": ("category", RiskCategory),
    "domain": ("domain", Domain),
    "intake": ("intake_type", IntakeType),
    "deadline": ("deadline", DeadlineState),
}
Member = TypeVar("Member", bound=StrEnum)
_OTHER_PARAMETERS = frozenset({"sort", "order", "page", "size"})
MAX_PAGE = 1_000_000


def parse_case_query(arguments: Mapping[str, Sequence[str]]) -> CaseQuery:
    """A CaseQuery from query parameters (each name with its list of values).

    An empty value means "any" (what a filter form's blank choice sends).
    Anything else unexpected is refused with a message that says what is
    accepted: an unknown name, a repeated one, a value outside the
    vocabulary, a page that is not a positive number.
    """
    refuse_unknown_parameters(arguments, {*_FILTER_PARAMETERS, *_OTHER_PARAMETERS})
    values: dict[str, str] = {}
    for name, given in arguments.items():
        if len(given) > 1:
            raise BadRequest(f"The query parameter {name!r} may be given only once.")
        if given and given[0].strip():
            values[name] = given[0].strip()

    filters: dict[str, object] = {}
    for name, (attribute, vocabulary) in _FILTER_PARAMETERS.items():
        if name not in values:
            continue
        filters[attribute] = (
            values[name] if vocabulary is None else _member(name, values[name], vocabulary)
        )
    sort = CaseSort(
        key=_member("sort", values.get("sort", SortKey.PRIORITY), SortKey),
        descending=_order(values.get("order", "asc")),
    )
    page = PageRequest(
        number=_whole_number("page", values.get("page", "1"), 1, MAX_PAGE),
        size=_page_size(values.get("size", str(DEFAULT_PAGE_SIZE))),
    )
    return CaseQuery(CaseFilter(**filters), sort, page)  # type: ignore[arg-type]


def _member(name: str, value: str, vocabulary: type[Member]) -> Member:
    try:
        return vocabulary(value)
    except ValueError:
        accepted = ", ".join(member.value for member in vocabulary)
        raise BadRequest(f"The {name} {value!r} is not known; use one of: {accepted}.") from None


def _order(value: str) -> bool:
    if value not in {"asc", "desc"}:
        raise BadRequest(f"The order {value!r} is not known; use asc or desc.")
    return value == "desc"


def _whole_number(name: str, value: str, lowest: int, highest: int) -> int:
    if not value.isascii() or not value.isdigit() or not lowest <= int(value) <= highest:
        raise BadRequest(f"The {name} must be a whole number from {lowest} to {highest}.")
    return int(value)


def _page_size(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) not in PAGE_SIZES:
        accepted = ", ".join(str(size) for size in PAGE_SIZES)
        raise BadRequest(f"The page size must be one of {accepted}.")
    return int(value)
