"""Routing rules: add, edit, enable, reorder and delete them.

The rule set itself (its versions, the triage that reads it) is
reporting.pipeline.routing_rules; this adds the administrator's checks and
`admin.rule_*` audit entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.admin.errors import AdministrationError
from reporting.audit.log import append_audit
from reporting.core.models import Queue, RoutingRule
from reporting.pipeline.routing_rules import (
    RoutingRulesError,
    add_rule,
    delete_rule,
    snapshot_rules,
    update_rule,
)


@dataclass(frozen=True)
class RuleInput:
    """A rule as the form gives it: every condition list empty means 'any'."""

    name: str
    queue_slug: str
    categories: Sequence[str] = ()
    domains: Sequence[str] = ()
    priorities: Sequence[str] = ()
    intake_types: Sequence[str] = ()
    countries: Sequence[str] = ()
    enabled: bool = True

    def conditions(self) -> dict[str, list[str]]:
        values: Mapping[str, Sequence[str]] = {
            "categories": self.categories,
            "domains": self.domains,
            "priorities": self.priorities,
            "intake_types": self.intake_types,
            "countries": [country.strip().upper() for country in self.countries],
        }
        return {key: list(items) for key, items in values.items() if items}


def _rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise AdministrationError("There is no such routing rule.")
    return rule


def _rules_error(error: RoutingRulesError) -> AdministrationError:
    return AdministrationError(f"The rule was not saved: {error}.")


def add_routing_rule(session: Session, rule: RuleInput, *, actor_user_id: int) -> RoutingRule:
    try:
        stored = add_rule(
            session,
            name=rule.name.strip(),
            queue_slug=rule.queue_slug,
            conditions=rule.conditions(),
            enabled=rule.enabled,
            actor_user_id=actor_user_id,
        )
    except RoutingRulesError as error:
        raise _rules_error(error) from None
    _audit_rule(session, "admin.rule_add", stored, actor_user_id)
    return stored


def edit_routing_rule(
    session: Session, rule_id: int, rule: RuleInput, *, actor_user_id: int
) -> RoutingRule:
    _rule(session, rule_id)
    try:
        stored = update_rule(
            session,
            rule_id,
            name=rule.name.strip(),
            queue_slug=rule.queue_slug,
            conditions=rule.conditions(),
            enabled=rule.enabled,
            actor_user_id=actor_user_id,
        )
    except RoutingRulesError as error:
        raise _rules_error(error) from None
    _audit_rule(session, "admin.rule_edit", stored, actor_user_id)
    return stored


def set_rule_enabled(
    session: Session, rule_id: int, *, enabled: bool, actor_user_id: int
) -> RoutingRule:
    _rule(session, rule_id)
    stored = update_rule(session, rule_id, enabled=enabled, actor_user_id=actor_user_id)
    _audit_rule(
        session, "admin.rule_enable" if enabled else "admin.rule_disable", stored, actor_user_id
    )
    return stored


def move_rule(session: Session, rule_id: int, *, up: bool, actor_user_id: int) -> None:
    """Swap a rule with its neighbour above (or below): one new rule-set version."""
    rule = _rule(session, rule_id)
    rules = list(
        session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id))
    )
    index = rules.index(rule)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(rules):
        return
    # Renumber all of them first, so equal positions (possible after edits)
    # cannot make a swap a no-op.
    for position, each in enumerate(rules, start=1):
        each.position = position
    other = rules[other_index]
    rule.position, other.position = other.position, rule.position
    session.flush()
    snapshot_rules(session, actor_user_id=actor_user_id, reason=f"move rule {rule.id}")
    _audit_rule(session, "admin.rule_move", rule, actor_user_id)


def delete_routing_rule(session: Session, rule_id: int, *, actor_user_id: int) -> None:
    rule = _rule(session, rule_id)
    name = rule.name
    delete_rule(session, rule_id, actor_user_id=actor_user_id)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.rule_delete",
        target=f"routing_rule:{rule_id}",
        details={"name": name},
    )


def _audit_rule(session: Session, action: str, rule: RoutingRule, actor_user_id: int) -> None:
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action=action,
        target=f"routing_rule:{rule.id}",
        details={"name": rule.name, "position": rule.position, "enabled": rule.enabled},
    )
    session.flush()


@dataclass(frozen=True)
class RuleRow:
    rule: RoutingRule
    queue: Queue


def rules_overview(session: Session) -> list[RuleRow]:
    rows = session.execute(
        select(RoutingRule, Queue)
        .join(Queue, Queue.id == RoutingRule.queue_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    ).tuples()
    return [RuleRow(rule, queue) for rule, queue in rows]
