"""Routing: which queue a triaged report goes to, and who must not see it.

Pure functions over plain values; the rules themselves live in the database
(reporting/pipeline/routing_rules.py), which hands them here as a `Ruleset`.

A rule's conditions are a JSON object; every member is optional and an absent
member matches anything. Members (each a list; the report matches a member
when it has at least one of the listed values):

- `categories`: risk categories (`export_control`, `sanctions`, ...)
- `domains`: WMD domain tags (`nuclear`, `chemical`, ...)
- `priorities`: `P1` ... `P4`
- `intake_types`: `tip`, `disclosure`
- `countries`: ISO 3166-1 alpha-2 codes of countries the report involves

A rule matches when all its members match (AND across members, OR within
one). The enabled rules are tried in position order and the first match
wins; a rule with no conditions is a catch-all. When no rule matches, the
report goes to `DEFAULT_QUEUE` under the rule name `DEFAULT_RULE_NAME`, so a
report is never left without a queue by a rule set that forgot a catch-all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from triage.model import Assessment, Category, Domain, Priority, RoutingDecision
from triage.text import name_tokens

DEFAULT_QUEUE = "general-intake"
DEFAULT_RULE_NAME = "default"
INTAKE_TYPES = ("tip", "disclosure")
_COUNTRY = re.compile(r"[A-Z]{2}")
CONDITION_KEYS = ("categories", "domains", "priorities", "intake_types", "countries")


class RoutingRuleError(ValueError):
    """A rule's conditions are malformed; the message names the member and value."""


@dataclass(frozen=True)
class RoutingRule:
    """One rule, conditions already checked. Empty tuples mean "any"."""

    name: str
    queue: str  # queue slug
    categories: tuple[Category, ...] = ()
    domains: tuple[Domain, ...] = ()
    priorities: tuple[Priority, ...] = ()
    intake_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    @classmethod
    def from_conditions(cls, name: str, queue: str, conditions: Mapping[str, Any]) -> RoutingRule:
        """Build a rule from its JSON conditions; RoutingRuleError if any member is wrong."""
        if not name.strip():
            raise RoutingRuleError("a routing rule needs a name")
        if not queue.strip():
            raise RoutingRuleError(f"rule {name!r}: a routing rule needs a queue")
        unknown = sorted(set(conditions) - set(CONDITION_KEYS))
        if unknown:
            raise RoutingRuleError(
                f"rule {name!r}: unknown condition {', '.join(unknown)}"
                f" (known: {', '.join(CONDITION_KEYS)})"
            )
        return cls(
            name=name,
            queue=queue,
            categories=_members(name, conditions, "categories", Category),
            domains=_members(name, conditions, "domains", Domain),
            priorities=_members(name, conditions, "priorities", Priority),
            intake_types=_strings(name, conditions, "intake_types", lambda v: v in INTAKE_TYPES),
            countries=_strings(
                name, conditions, "countries", lambda v: _COUNTRY.fullmatch(v) is not None
            ),
        )

    def conditions(self) -> dict[str, list[str]]:
        """The JSON form `from_conditions` reads; members that match anything are left out."""
        values: dict[str, tuple[str, ...]] = {
            "categories": tuple(c.value for c in self.categories),
            "domains": tuple(d.value for d in self.domains),
            "priorities": tuple(p.value for p in self.priorities),
            "intake_types": self.intake_types,
            "countries": self.countries,
        }
        return {key: list(items) for key, items in values.items() if items}

    def matches(self, assessment: Assessment, intake_type: str, countries: Iterable[str]) -> bool:
        if self.categories and not set(self.categories) & set(assessment.categories):
            return False
        if self.domains and not set(self.domains) & set(assessment.domains):
            return False
        if self.priorities and assessment.priority not in self.priorities:
            return False
        if self.intake_types and intake_type not in self.intake_types:
            return False
        return not (self.countries and not set(self.countries) & set(countries))


@dataclass(frozen=True)
class Ruleset:
    """The enabled rules of one rule-set version, in the order they are tried."""

    version: int
    rules: tuple[RoutingRule, ...]


_E = TypeVar("_E", Category, Domain, Priority)


def _members(rule: str, conditions: Mapping[str, Any], key: str, kind: type[_E]) -> tuple[_E, ...]:
    raw = _strings(rule, conditions, key, lambda _value: True)
    allowed = {member.value for member in kind}
    wrong = [value for value in raw if value not in allowed]
    if wrong:
        raise RoutingRuleError(
            f"rule {rule!r}: {key} has unknown value {', '.join(wrong)}"
            f" (known: {', '.join(sorted(allowed))})"
        )
    return tuple(kind(value) for value in raw)


def _strings(
    rule: str, conditions: Mapping[str, Any], key: str, valid: Callable[[str], bool]
) -> tuple[str, ...]:
    value = conditions.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RoutingRuleError(f"rule {rule!r}: {key} must be a list of strings")
    wrong = [item for item in value if not valid(item)]
    if wrong:
        raise RoutingRuleError(f"rule {rule!r}: {key} has invalid value {', '.join(wrong)}")
    # Sorted and deduplicated, so equal rule sets compare and snapshot alike.
    return tuple(sorted(set(value)))


def route(
    assessment: Assessment,
    intake_type: str,
    countries: Iterable[str],
    rules: Sequence[RoutingRule],
    version: int,
    *,
    excluded_names: Sequence[str] = (),
) -> RoutingDecision:
    """The queue of the first matching rule, or the default queue if none matches."""
    involved = frozenset(countries)
    excluded = tuple(name for name in excluded_names if name.strip())
    for rule in rules:
        if rule.matches(assessment, intake_type, involved):
            return RoutingDecision(
                queue=rule.queue, rule=rule.name, ruleset_version=version, excluded_names=excluded
            )
    return RoutingDecision(
        queue=DEFAULT_QUEUE,
        rule=DEFAULT_RULE_NAME,
        ruleset_version=version,
        excluded_names=excluded,
    )


# ---------------------------------------------------------------- conflicts of interest


def names_conflict(a: str, b: str) -> bool:
    """True when two names may be the same person or company.

    Errs on the side of a conflict: one name's words all appearing in the
    other counts ("J Smith" is not "John Smith", but "Smith" against "John
    Smith", or "Acme" against "Acme Trading LLC", is). Keeping an
    investigator off a case costs little; showing it to the person it names
    costs the reporter. Single-letter words (initials) are ignored, so that
    "J." alone never matches everybody with a J in their name.
    """
    left = {word for word in name_tokens(a) if len(word) > 1}
    right = {word for word in name_tokens(b) if len(word) > 1}
    # name_tokens (triage.text, shared with screening) ignores case,
    # diacritics, script, punctuation and legal forms; sets ignore order.
    if not left or not right:
        return False
    return left <= right or right <= left


def conflicted(
    *,
    report_conflicts: Iterable[str],
    report_parties: Iterable[str],
    user_names: Iterable[str],
    declared_conflicts: Iterable[str],
) -> bool:
    """Whether a user must be kept off a report.

    `report_conflicts` are the names the reporter listed (matched against the
    user's display name and username); `declared_conflicts` are the parties
    the user declared (matched against the report's parties).
    """
    user_names = [name for name in user_names if name.strip()]
    report_parties = [name for name in report_parties if name.strip()]
    for named in report_conflicts:
        if any(names_conflict(named, own) for own in user_names):
            return True
    for declared in declared_conflicts:
        if any(names_conflict(declared, party) for party in report_parties):
            return True
    return False
