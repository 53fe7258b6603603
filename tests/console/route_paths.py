"""Every console URL, with sample values for its parts: for tests that walk all pages."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from werkzeug.routing import Rule


def _sample_value(rule: Rule, argument: str) -> object:
    # A value the part's converter accepts: one of its items for any(...),
    # else 1 (which string and int converters both take).
    converter = rule._converters[argument]
    items = getattr(converter, "items", None)
    return sorted(items)[0] if items else 1


def console_routes(app: Flask) -> Iterator[tuple[Rule, str, str]]:
    """(rule, method, path) for every console rule, GET where it has one."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console"):
            continue
        method = "GET" if rule.methods and "GET" in rule.methods else "POST"
        values = {argument: _sample_value(rule, argument) for argument in rule.arguments}
        yield rule, method, adapter.build(rule.endpoint, values, method=method)
