"""Console views: the case list of the user's queues (filter, sort, pages).

The list shows metadata only (nothing is decrypted), so opening it is not an
audited action; opening a case is (reporting/console/cases.py). The filter
form is a GET form: it changes nothing, so it needs no CSRF token, and a
filtered list is a link that can be bookmarked. Bad parameters are refused
with a 400 that says what is accepted (reporting.casework.list_query.parse_case_query).
"""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l

from reporting.cases.deadlines import DeadlineState
from reporting.casework.list_query import PAGE_SIZES, Assigned, SortKey, parse_case_query
from reporting.casework.lists import list_cases
from reporting.console import allow, blueprint
from reporting.console.labels import LABELS
from reporting.core import clock
from reporting.core.models import (
    CASE_ROLES,
    Category,
    Domain,
    IntakeType,
    Priority,
    ReportStatus,
)
from reporting.web.context import request_session

# Listed here, not in the template, so that the choices and the parser agree.
FILTER_CHOICES = {
    "status": [(status.value, LABELS[status]) for status in ReportStatus],
    "priority": [(priority.value, LABELS[priority]) for priority in Priority],
    "category": [(category.value, LABELS[category]) for category in Category],
    "domain": [(domain.value, LABELS[domain]) for domain in Domain],
    "intake": [(intake.value, LABELS[intake]) for intake in IntakeType],
    "deadline": [(state.value, state.label) for state in DeadlineState],
    "assigned": [(Assigned.ME.value, _l("Me")), (Assigned.NOBODY.value, _l("Nobody"))],
}
SORT_CHOICES = [(key.value, key.value) for key in SortKey]


@blueprint.get("/cases", endpoint="queue_list")
@allow(*CASE_ROLES)
def queue_list() -> str:
    query = parse_case_query(request.args.to_dict(flat=False))
    page = list_cases(request_session(), g.console_user, query, clock.now())
    return render_template(
        "console/queues/list.html",
        page=page,
        query=query,
        filter_choices=FILTER_CHOICES,
        sort_choices=SORT_CHOICES,
        page_sizes=PAGE_SIZES,
    )
