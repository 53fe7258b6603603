"""Console view: the audit log, as an auditor reads it (reporting/audit/listing.py).

Every page also re-verifies the whole chain (`verify_audit_log`) and says
whether it is intact or which entry is the first bad one: the point of the
page is that an auditor need not trust the list it shows.

The log holds no report content by construction (reporting/audit/log.py), so
auditors may read all of it. Reading it is not itself audited: it reveals
and changes no case. The filter form is a GET form (nothing changes, no CSRF
token needed, a filtered view is a link).
"""

from __future__ import annotations

from flask import render_template, request

from reporting.audit.listing import SYSTEM_ACTOR, audit_page, parse_audit_filter
from reporting.audit.verify import AuditVerification, verify_audit_log
from reporting.console import allow, blueprint
from reporting.core.models import Role
from reporting.web.context import request_session


@blueprint.get("/audit", endpoint="audit_log")
@allow(Role.ADMIN, Role.AUDITOR)
def audit_log() -> str:
    audit_filter = parse_audit_filter(request.args.to_dict())
    session = request_session()
    page = audit_page(session, audit_filter)
    verification: AuditVerification = verify_audit_log(session)
    return render_template(
        "console/audit.html",
        page=page,
        audit_filter=audit_filter,
        verification=verification,
        system_actor=SYSTEM_ACTOR,
    )
