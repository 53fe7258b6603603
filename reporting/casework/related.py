"""Related cases: the user's other cases that share a party, a vessel or an e-mail domain.

Found by opening, in memory, the FINDINGS record of the user's other cases
(reporting.cases.findings) with their own wraps; nothing is stored in
plaintext to make this faster (docs/architecture.md). Shown on the case page
with the actions, audited as `case.related`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import CryptoError, PrivateKey, RecordKind, ReportKey, open_record, unwrap_report_key
from reporting.audit.log import append_audit
from reporting.cases.access import held_by, require_holder
from reporting.cases.findings import members, open_findings
from reporting.casework.opening import case_target
from reporting.core.models import Priority, Report, ReportStatus, User, Wrap
from reporting.core.transactions import committing
from triage.text import name_tokens

# How many of the user's other cases `related_cases` opens at most.
RELATED_LIMIT = 500


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
    for party in members(extraction, "parties"):
        name = party.get("name") if isinstance(party, Mapping) else None
        if isinstance(name, str):
            tokens = frozenset(name_tokens(name))
            if tokens:
                found.parties.setdefault(tokens, name.strip())
    for vessel in members(extraction, "vessels"):
        number = vessel[0] if isinstance(vessel, list) and vessel else None
        if isinstance(number, str) and number.isdigit():
            found.vessels.add(number)
    for email in members(extraction, "email_domains"):
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
    own = _identifiers(open_findings(report, key))
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
            held_by(user.id),
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
