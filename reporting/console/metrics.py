"""Console views: aggregate metrics with server-drawn SVG charts, and the transparency export.

Metadata only (reporting/metrics/), so auditors may see all of it and
viewing it is not audited. The export is: it is what leaves the system for
publication, so each one is recorded as `metrics.export` with its options.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from flask import Response, g, render_template, request
from flask_babel import gettext
from markupsafe import Markup

from reporting.audit.log import append_audit
from reporting.console import allow, blueprint
from reporting.core.errors import BadRequest, refuse_unknown_parameters
from reporting.core.models import Role
from reporting.metrics.charts import bar_chart, monthly_series, stacked_bar_chart
from reporting.metrics.counts import case_counts, value_label
from reporting.metrics.periods import MetricsError, MonthRange, month_range
from reporting.metrics.timeliness import durations, overdue_counts
from reporting.metrics.transparency import (
    Granularity,
    export_range,
    exportable_range,
    parse_granularity,
    transparency_report,
)
from reporting.web.context import request_session, vigil
from reporting.web.downloads import attachment_disposition

METRICS_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)


def _period(args: Mapping[str, str]) -> MonthRange:
    try:
        return month_range(args.get("from") or None, args.get("to") or None)
    except MetricsError as error:
        raise BadRequest(f"{str(error)[:1].upper()}{str(error)[1:]}.") from None


@blueprint.get("/metrics", endpoint="metrics")
@allow(*METRICS_ROLES)
def metrics_page() -> str:
    args = request.args.to_dict()
    refuse_unknown_parameters(args, frozenset({"from", "to"}))
    period = _period(args)
    session = request_session()
    counts = case_counts(session, period)
    months = [str(month) for month in period.months]
    priority = counts.breakdown("priority")
    charts: dict[str, Markup] = {
        "received": stacked_bar_chart(
            "chart-received",
            gettext("Cases received per month by priority, %(period)s", period=str(period)),
            months,
            monthly_series(
                months,
                priority.values,
                priority.by_month,
                {value: value_label(value) for value in priority.values},
            ),
        )
    }
    for breakdown in counts.breakdowns:
        charts[breakdown.name] = bar_chart(
            f"chart-{breakdown.name}",
            f"{breakdown.label}: {breakdown.of}, {period}",
            breakdown.labelled_totals(),
        )
    return render_template(
        "console/metrics.html",
        period=period,
        months=months,
        counts=counts,
        charts=charts,
        durations=durations(session, period),
        overdue=overdue_counts(session),
        exports={granularity: exportable_range(period, granularity) for granularity in Granularity},
        k=vigil().settings.transparency_min_count,
    )


@blueprint.get("/metrics/export.<any(csv, json):fmt>", endpoint="metrics_export")
@allow(*METRICS_ROLES)
def metrics_export(fmt: str) -> Response:
    args = request.args.to_dict()
    refuse_unknown_parameters(args, frozenset({"from", "to", "period"}))
    try:
        granularity = parse_granularity(args.get("period") or None)
        covers = export_range(args.get("from") or None, args.get("to") or None, granularity)
    except MetricsError as error:
        raise BadRequest(f"{str(error)[:1].upper()}{str(error)[1:]}.") from None
    k = vigil().settings.transparency_min_count
    session = request_session()
    report = transparency_report(session, covers, granularity, k)
    append_audit(
        session,
        actor_user_id=g.console_user.id,
        action="metrics.export",
        target=None,
        details={
            "format": fmt,
            "period": granularity.value,
            "from": str(covers.first),
            "to": str(covers.last),
            "k": k,
        },
    )
    session.commit()
    name = f"vigil-transparency-{covers.first}-{covers.last}-{granularity.value}.{fmt}"
    if fmt == "json":
        body = json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
        mimetype = "application/json"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["period", "dimension", "value", "count"])
        writer.writerows(report.rows())
        body = buffer.getvalue()
        mimetype = "text/csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment_disposition(name, name)
    return response
