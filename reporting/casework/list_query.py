"""A case list request: the filter, the sort and the page, and the query parameters.

The console's list pages say what they want in query parameters
(`?status=new&sort=deadline&page=2`); `parse_case_query` turns them into a
`CaseQuery` and refuses anything unexpected with a message that says what is
accepted, and `CaseQuery.parameters` spells a request back as parameters for
links. The list itself is read by reporting.casework.lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from reporting.cases.deadlines import DeadlineState
from reporting.core.errors import BadRequest, refuse_unknown_parameters
from reporting.core.models import Category, Domain, IntakeType, Priority, ReportStatus

DEFAULT_PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)


class Assigned(StrEnum):
    """Whom the listed cases are assigned to, from the viewer's side."""

    ME = "me"
    NOBODY = "nobody"


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
    category: Category | None = None
    domain: Domain | None = None
    intake_type: IntakeType | None = None
    deadline: DeadlineState | None = None
    assigned: Assigned | None = None


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
            "assigned": self.filter.assigned,
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


# ---------------------------------------------------------------- query parameters

_FILTER_PARAMETERS: dict[str, tuple[str, type[StrEnum] | None]] = {
    # parameter: (CaseFilter field, vocabulary; None for a queue slug)
    "queue": ("queue", None),
    "status": ("status", ReportStatus),
    "priority": ("priority", Priority),
    "category": ("category", Category),
    "domain": ("domain", Domain),
    "intake": ("intake_type", IntakeType),
    "deadline": ("deadline", DeadlineState),
    "assigned": ("assigned", Assigned),
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
