"""Routing: the pure rule matcher, conflict matching, and the rules kept in the database."""

import pytest
from sqlalchemy import func, select

from reporting.cli.bootstrap import DEFAULT_QUEUES
from reporting.core.models import AuditEntry, Queue, RoutingRulesetVersion
from reporting.pipeline.routing_rules import (
    RoutingRulesError,
    add_rule,
    current_ruleset,
    default_ruleset,
    delete_rule,
    ruleset_at,
    seed_default_rules,
    update_rule,
)
from triage.model import Assessment, Category, Domain, Priority
from triage.routing import (
    DEFAULT_QUEUE,
    RoutingRule,
    RoutingRuleError,
    conflicted,
    names_conflict,
    route,
)


def assessment(categories=(), domains=(), priority=Priority.P3):
    return Assessment(
        score=10,
        priority=priority,
        categories=tuple(categories),
        domains=tuple(domains),
        reasons=(),
    )


def routed(a, intake_type="tip", countries=()):
    ruleset = default_ruleset()
    return route(a, intake_type, countries, ruleset.rules, ruleset.version)


def test_default_rules_route_each_unit():
    assert routed(assessment([Category.SANCTIONS, Category.FINANCE])).queue == "sanctions"
    assert routed(assessment([Category.FINANCE])).queue == "financial-intelligence"
    for category in ("export_control", "diversion", "end_use", "technology_transfer"):
        assert routed(assessment([Category(category), Category.FINANCE])).queue == (
            "export-control"
        )
    assert routed(assessment([Category.OTHER], [Domain.CHEMICAL])).queue == "export-control"
    decision = routed(assessment([Category.OTHER]))
    assert decision.queue == "general-intake"
    assert decision.rule == "General intake: everything else"
    assert decision.ruleset_version == 0


def test_first_matching_rule_wins_and_all_conditions_must_hold():
    rules = [
        RoutingRule.from_conditions(
            "urgent disclosures from Iran",
            "export-control",
            {"priorities": ["P1"], "intake_types": ["disclosure"], "countries": ["IR"]},
        ),
        RoutingRule.from_conditions(
            "finance", "financial-intelligence", {"categories": ["finance"]}
        ),
    ]
    urgent = assessment([Category.FINANCE], priority=Priority.P1)
    assert route(urgent, "disclosure", ["IR", "AE"], rules, 7).queue == "export-control"
    assert route(urgent, "tip", ["IR"], rules, 7).queue == "financial-intelligence"
    assert route(urgent, "disclosure", ["AE"], rules, 7).rule == "finance"
    nothing = route(assessment([Category.OTHER]), "tip", [], rules, 7)
    assert (nothing.queue, nothing.rule, nothing.ruleset_version) == (DEFAULT_QUEUE, "default", 7)


def test_route_carries_the_reporters_conflict_names():
    decision = route(assessment(), "tip", [], [], 1, excluded_names=["Erin Export", " "])
    assert decision.excluded_names == ("Erin Export",)


@pytest.mark.parametrize(
    "conditions",
    [
        {"colour": ["red"]},
        {"categories": ["weapons"]},
        {"categories": "finance"},
        {"priorities": ["P5"]},
        {"countries": ["iran"]},
        {"intake_types": ["email"]},
    ],
)
def test_bad_conditions_are_refused(conditions):
    with pytest.raises(RoutingRuleError):
        RoutingRule.from_conditions("bad", "sanctions", conditions)


def test_names_conflict_ignores_case_diacritics_order_and_punctuation():
    assert names_conflict("José Müller", "muller, jose")
    assert names_conflict("Acme", "ACME Trading L.L.C.")
    assert names_conflict("Smith", "John Smith")
    assert not names_conflict("J", "John Smith")
    assert not names_conflict("John Smith", "Jane Smythe")
    assert not names_conflict("", "John Smith")


def test_conflicted_checks_both_directions():
    assert conflicted(
        report_conflicts=["Erin Export"],
        report_parties=[],
        user_names=["Erin Export", "export"],
        declared_conflicts=[],
    )
    assert conflicted(
        report_conflicts=[],
        report_parties=["Tehran Precision Parts Co."],
        user_names=["Sanjay"],
        declared_conflicts=["Tehran Precision Parts"],
    )
    assert not conflicted(
        report_conflicts=["Someone Else"],
        report_parties=["Other Company"],
        user_names=["Erin Export", "export"],
        declared_conflicts=["Tehran Precision Parts"],
    )


# ---------------------------------------------------------------- in the database


@pytest.fixture
def seeded(db_session):
    for slug, name, description in DEFAULT_QUEUES:
        db_session.add(Queue(slug=slug, name=name, description=description))
    db_session.flush()
    seed_default_rules(db_session)
    db_session.commit()
    return db_session


def test_seeded_rules_load_as_the_first_version(seeded):
    ruleset = current_ruleset(seeded)
    assert ruleset.version >= 1
    assert ruleset.rules == default_ruleset().rules


def test_every_edit_writes_a_new_version_and_old_versions_stay(seeded):
    first = current_ruleset(seeded)
    rule = add_rule(
        seeded,
        name="Iran first",
        queue_slug="sanctions",
        conditions={"countries": ["IR"]},
        position=0,
        actor_user_id=None,
    )
    second = current_ruleset(seeded)
    assert second.version > first.version
    assert second.rules[0].name == "Iran first"
    assert route(assessment(), "tip", ["IR"], second.rules, second.version).queue == "sanctions"

    update_rule(seeded, rule.id, enabled=False, actor_user_id=None)
    third = current_ruleset(seeded)
    assert third.version > second.version
    assert third.rules == first.rules

    update_rule(seeded, rule.id, queue_slug="export-control", enabled=True, actor_user_id=None)
    assert current_ruleset(seeded).rules[0].queue == "export-control"
    delete_rule(seeded, rule.id, actor_user_id=None)
    seeded.commit()

    assert current_ruleset(seeded).rules == first.rules
    assert ruleset_at(seeded, second.version) == second
    versions = seeded.scalar(select(func.count()).select_from(RoutingRulesetVersion))
    assert versions == 5
    audited = seeded.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "routing_rules.version")
    )
    assert audited == 5


def test_bad_edits_are_refused(seeded):
    with pytest.raises(RoutingRulesError, match="no queue"):
        add_rule(seeded, name="x", queue_slug="nowhere", conditions={}, actor_user_id=None)
    with pytest.raises(RoutingRulesError, match="unknown condition"):
        add_rule(seeded, name="x", queue_slug="sanctions", conditions={"a": []}, actor_user_id=None)
    with pytest.raises(RoutingRulesError, match="no routing rule"):
        delete_rule(seeded, 9999, actor_user_id=None)
    with pytest.raises(RoutingRulesError, match="no routing rule-set version"):
        ruleset_at(seeded, 9999)


def test_no_rules_at_all_routes_to_the_default_queue(db_session):
    ruleset = current_ruleset(db_session)
    assert ruleset.version == 0
    assert route(assessment(), "tip", [], ruleset.rules, 0).queue == DEFAULT_QUEUE
