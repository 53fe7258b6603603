"""Routing rules in the database: seeded defaults, edits, and rule-set versions.

The live rules (`routing_rules`) are what an administrator edits. Every edit
writes a snapshot of the whole rule set as a new `RoutingRulesetVersion`, in
the same transaction, and triage reads only snapshots: the version a report
records is then exactly the rules it was routed by, and the same version can
be applied again to reproduce a result (docs/triage.md).

Conditions are checked by `triage.routing.RoutingRule.from_conditions` before
they are stored, so a snapshot always loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.audit.log import append_audit
from reporting.core.models import Queue, RoutingRule, RoutingRulesetVersion
from triage.model import Category, Domain
from triage.routing import RoutingRule as TriageRule
from triage.routing import RoutingRuleError, Ruleset


class RoutingRulesError(Exception):
    """A rule cannot be stored: bad conditions, an unknown queue or rule; says which."""


@dataclass(frozen=True)
class DefaultRule:
    name: str
    queue: str
    conditions: Mapping[str, list[str]]


# Tried in this order. Sanctions first: a listed party makes any case a
# sanctions case, whatever the goods. Export control before finance, because
# in a counter-proliferation channel a payment detail is usually part of a
# procurement case, and it is the goods that the export-control unit can stop.
DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule(
        "Sanctions: listed parties and sanctions evasion",
        "sanctions",
        {"categories": [Category.SANCTIONS.value]},
    ),
    DefaultRule(
        "Export control: licensing, diversion, end use, technology transfer",
        "export-control",
        {
            "categories": [
                Category.EXPORT_CONTROL.value,
                Category.DIVERSION.value,
                Category.END_USE.value,
                Category.TECHNOLOGY_TRANSFER.value,
            ]
        },
    ),
    DefaultRule(
        "Export control: goods of any WMD domain",
        "export-control",
        {"domains": [domain.value for domain in Domain]},
    ),
    DefaultRule(
        "Financial intelligence: trade finance and payments",
        "financial-intelligence",
        {"categories": [Category.FINANCE.value]},
    ),
    DefaultRule("General intake: everything else", "general-intake", {}),
)


def _queue_by_slug(session: Session, slug: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.slug == slug))
    if queue is None:
        raise RoutingRulesError(f"no queue {slug!r}")
    return queue


def _checked(name: str, queue_slug: str, conditions: Mapping[str, Any]) -> TriageRule:
    try:
        return TriageRule.from_conditions(name, queue_slug, conditions)
    except RoutingRuleError as error:
        raise RoutingRulesError(str(error)) from None


def seed_default_rules(session: Session) -> RoutingRulesetVersion:
    """Store DEFAULT_RULES (the default queues must exist) and their first snapshot."""
    for position, default in enumerate(DEFAULT_RULES, start=1):
        rule = _checked(default.name, default.queue, default.conditions)
        session.add(
            RoutingRule(
                position=position,
                name=rule.name,
                conditions=rule.conditions(),
                queue_id=_queue_by_slug(session, default.queue).id,
                enabled=True,
            )
        )
    session.flush()
    return snapshot_rules(session, actor_user_id=None, reason="seed")


def snapshot_rules(
    session: Session, *, actor_user_id: int | None, reason: str
) -> RoutingRulesetVersion:
    """Write the current rule set as a new version and audit the change."""
    rows = session.execute(
        select(RoutingRule, Queue.slug)
        .join(Queue, Queue.id == RoutingRule.queue_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    ).all()
    rules = [
        {
            "id": rule.id,
            "position": rule.position,
            "name": rule.name,
            "queue": slug,
            "conditions": dict(rule.conditions),
            "enabled": rule.enabled,
        }
        for rule, slug in rows
    ]
    version = RoutingRulesetVersion(rules=rules, created_by_user_id=actor_user_id)
    session.add(version)
    session.flush()
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="routing_rules.version",
        target=f"routing_ruleset:{version.version}",
        details={"reason": reason, "rules": len(rules)},
    )
    return version


def _ruleset(version: RoutingRulesetVersion) -> Ruleset:
    rules = sorted(version.rules, key=lambda rule: (rule["position"], rule["id"]))
    return Ruleset(
        version=version.version,
        rules=tuple(
            _checked(rule["name"], rule["queue"], rule["conditions"])
            for rule in rules
            if rule["enabled"]
        ),
    )


def current_ruleset(session: Session) -> Ruleset:
    """The latest rule-set version; version 0 with no rules if none was ever written.

    With no rules every report goes to triage.routing.DEFAULT_QUEUE, which an
    instance set up before routing rules existed still has.
    """
    latest = session.scalar(
        select(RoutingRulesetVersion).order_by(RoutingRulesetVersion.version.desc()).limit(1)
    )
    return Ruleset(version=0, rules=()) if latest is None else _ruleset(latest)


def ruleset_at(session: Session, version: int) -> Ruleset:
    """A past rule-set version, to reproduce a result routed by it."""
    stored = session.get(RoutingRulesetVersion, version)
    if stored is None:
        raise RoutingRulesError(f"no routing rule-set version {version}")
    return _ruleset(stored)


def default_ruleset() -> Ruleset:
    """DEFAULT_RULES as version 0, for triage without an instance (`vigil triage file`)."""
    return Ruleset(
        version=0,
        rules=tuple(_checked(rule.name, rule.queue, rule.conditions) for rule in DEFAULT_RULES),
    )


# ---------------------------------------------------------------- editing


def add_rule(
    session: Session,
    *,
    name: str,
    queue_slug: str,
    conditions: Mapping[str, Any],
    actor_user_id: int | None,
    position: int | None = None,
    enabled: bool = True,
) -> RoutingRule:
    """Add a rule (last, unless a position is given) and snapshot the rule set."""
    checked = _checked(name, queue_slug, conditions)
    if position is None:
        position = (session.scalar(select(func.max(RoutingRule.position))) or 0) + 1
    rule = RoutingRule(
        position=position,
        name=checked.name,
        conditions=checked.conditions(),
        queue_id=_queue_by_slug(session, queue_slug).id,
        enabled=enabled,
    )
    session.add(rule)
    session.flush()
    snapshot_rules(session, actor_user_id=actor_user_id, reason=f"add rule {rule.id}")
    return rule


def update_rule(
    session: Session,
    rule_id: int,
    *,
    actor_user_id: int | None,
    name: str | None = None,
    queue_slug: str | None = None,
    conditions: Mapping[str, Any] | None = None,
    position: int | None = None,
    enabled: bool | None = None,
) -> RoutingRule:
    """Change a rule's fields (those given) and snapshot the rule set."""
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise RoutingRulesError(f"no routing rule {rule_id}")
    queue = (
        _queue_by_slug(session, queue_slug)
        if queue_slug is not None
        else session.get_one(Queue, rule.queue_id)
    )
    checked = _checked(
        name if name is not None else rule.name,
        queue.slug,
        conditions if conditions is not None else rule.conditions,
    )
    rule.name = checked.name
    rule.conditions = checked.conditions()
    rule.queue_id = queue.id
    if position is not None:
        rule.position = position
    if enabled is not None:
        rule.enabled = enabled
    session.flush()
    snapshot_rules(session, actor_user_id=actor_user_id, reason=f"update rule {rule.id}")
    return rule


def delete_rule(session: Session, rule_id: int, *, actor_user_id: int | None) -> None:
    """Remove a rule and snapshot the rule set."""
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise RoutingRulesError(f"no routing rule {rule_id}")
    session.delete(rule)
    session.flush()
    snapshot_rules(session, actor_user_id=actor_user_id, reason=f"delete rule {rule_id}")
