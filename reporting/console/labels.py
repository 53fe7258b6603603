"""The words the console shows for the codes and times it stores: one home for every label.

The database keeps codes (`end_use`, `investigating`, `disclosure`); people
read words. Templates write `{{ value|label }}` for any member of these
vocabularies, and a party's role code through `party_role`. Times are kept
in UTC, to the hour; `{{ moment|when }}` shows one as people say it ("3 days
ago", "in 5 days"), whatever their time zone, with the exact UTC time beside.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Final

from flask_babel import LazyString, format_timedelta
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from reporting.cases.deadlines import DeadlineKind
from reporting.console import blueprint
from reporting.core import clock
from reporting.core.models import Category, Domain, IntakeType, Outcome, Priority, ReportStatus
from reporting.intake.report_fields import PARTY_ROLES
from reporting.web.errors import translated

LABELS: Final[Mapping[StrEnum, LazyString]] = {
    ReportStatus.NEW: _l("New"),
    ReportStatus.ACKNOWLEDGED: _l("Acknowledged"),
    ReportStatus.INVESTIGATING: _l("Investigating"),
    ReportStatus.REFERRED: _l("Referred"),
    ReportStatus.CLOSED: _l("Closed"),
    Outcome.SUBSTANTIATED: _l("Substantiated"),
    Outcome.NOT_SUBSTANTIATED: _l("Not substantiated"),
    Outcome.INSUFFICIENT_INFORMATION: _l("Insufficient information"),
    Outcome.DUPLICATE: _l("Duplicate"),
    Outcome.OUT_OF_SCOPE: _l("Out of scope"),
    Category.EXPORT_CONTROL: _l("Export control"),
    Category.SANCTIONS: _l("Sanctions"),
    Category.DIVERSION: _l("Diversion and transshipment"),
    Category.END_USE: _l("End use and end user"),
    Category.FINANCE: _l("Trade finance"),
    Category.OWNERSHIP: _l("Ownership and front companies"),
    Category.TECHNOLOGY_TRANSFER: _l("Technology transfer"),
    Category.OTHER: _l("Other"),
    Domain.NUCLEAR: _l("Nuclear"),
    Domain.CHEMICAL: _l("Chemical"),
    Domain.BIOLOGICAL: _l("Biological"),
    Domain.MISSILE: _l("Missile"),
    Domain.MILITARY: _l("Military"),
    IntakeType.TIP: _l("Tip"),
    IntakeType.DISCLOSURE: _l("Voluntary self-disclosure"),
    Priority.P1: _l("P1 (most urgent)"),
    Priority.P2: _l("P2"),
    Priority.P3: _l("P3"),
    Priority.P4: _l("P4 (least urgent)"),
    DeadlineKind.ACKNOWLEDGEMENT: _l("Acknowledgement"),
    DeadlineKind.FEEDBACK: _l("Feedback"),
    DeadlineKind.NARRATIVE: _l("Full narrative"),
}


VOCABULARIES: Final = (ReportStatus, Outcome, Category, Domain, IntakeType, Priority)


@blueprint.app_template_filter("label")
def label(value: StrEnum | str | None) -> str:
    """The word for a code; a code of no known vocabulary is shown readable, never raw."""
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        return str(LABELS.get(value, value.value.replace("_", " ")))
    # A code as the findings keep it (plain JSON text): the first vocabulary that has it.
    for vocabulary in VOCABULARIES:
        if value in vocabulary.__members__.values():
            return str(LABELS[vocabulary(value)])
    return value.replace("_", " ")


@blueprint.app_template_filter("party_role")
def party_role(code: str) -> str:
    """The word for a party's role as the reporter chose it on the form."""
    role = PARTY_ROLES.get(code)
    return translated(role) if role is not None else code.replace("_", " ")


@blueprint.app_template_filter("when")
def when(moment: datetime) -> Markup:
    """A time as people say it, relative to now, with its exact UTC time as the element's title."""
    exact = moment.strftime("%Y-%m-%d %H:%M UTC")
    relative = format_timedelta(moment - clock.now(), add_direction=True, threshold=1)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), exact, escape(relative)
    )
