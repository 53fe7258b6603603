"""Bad input on any console form gets a 4xx (or the form again), never a 500.

Every POST endpoint of the console, found from the URL map, gets junk from
every role, under every field prefix the console's forms use: missing
fields, wrong types, oversize text, unknown ids. Whatever the endpoint makes
of it, the answer is not a server error and the audit chain stays intact.
"""

from __future__ import annotations

import inspect
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter
from wtforms import FileField
from wtforms.fields.core import UnboundField

from reporting.audit.verify import verify_audit_log
from reporting.core.models import Queue, Role, RoutingRule
from reporting.web.forms import FILE_IN_PLACE_OF_TEXT, VigilForm
from tests.console.conftest import ConsoleInstance, export_control_tip
from tests.fixtures.app import csrf_token_from

# Forms that share a page carry a prefix on every field (case page, case actions).
FORM_PREFIXES = ("", "reply-", "note-", "status-", "queue-", "grant-", "triage-")
JUNK = [
    {},
    {"status": "exploded", "outcome": "maybe", "queue": "nowhere", "user_id": "x"},
    {"user_id": "-1", "priority": "P9", "categories": ["nonsense"], "reason": "x" * 100_000},
    {"text": "x" * 1_000_000, "name": "\x00\x01", "slug": "../../etc", "role": "god"},
    {"username": "A B", "display_name": "", "position": "1e309", "enabled": "perhaps"},
]


@pytest.mark.parametrize("username", ["erin", "sue", "ada", "audrey"])
def test_junk_on_every_console_form_is_never_a_server_error(
    console: ConsoleInstance, username: str
) -> None:
    console.add_user("erin", queues=("export-control",))
    console.add_user("sue", role=Role.SUPERVISOR, queues=("export-control",))
    console.add_user("ada", role=Role.ADMIN)
    console.add_user("audrey", role=Role.AUDITOR)
    filed = console.file_report(export_control_tip())
    console.triage()
    with console.session_factory() as session:
        queue_id = session.scalars(select(Queue.id).order_by(Queue.id)).first()
        rule_id = session.scalars(select(RoutingRule.id).order_by(RoutingRule.id)).first()
    values = {
        "reference": filed.reference,
        "user_id": console.users["erin"].user_id,
        "queue_id": queue_id,
        "rule_id": rule_id,
        "attachment_id": 1,
        "fmt": "csv",
    }
    app = console.app
    adapter = app.url_map.bind("localhost")
    posts = [
        adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/console")
        and "POST" in (rule.methods or ())
        and rule.endpoint not in {"console.sign_in", "console.sign_out"}
    ]
    assert posts
    client = console.client_for(username)
    statuses = set()
    for path in posts:
        for junk in JUNK:
            token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
            data = {
                f"{prefix}{name}": value
                for prefix in FORM_PREFIXES
                for name, value in {**junk, "csrf_token": token}.items()
            }
            response = client.post(path, data=data)
            assert response.status_code < 500, (path, junk, response.status_code)
            statuses.add(response.status_code)
            if response.status_code == 302 and "/sign-in" in response.headers["Location"]:
                # An action that ends the session (e.g. deactivating oneself is
                # refused, but resetting one's own password would sign out): sign in again.
                console.sign_in(client, username)
    # The junk reached the forms (refused as input), not only the role check.
    assert 400 in statuses
    with console.session_factory() as session:
        assert verify_audit_log(session).ok


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_an_id_too_large_for_the_database_is_not_found_on_any_console_page(
    console: ConsoleInstance, number: int
) -> None:
    console.add_user("ada", role=Role.ADMIN, queues=("export-control",))
    filed = console.file_report(export_control_tip())
    console.triage()
    client = console.client_for("ada")
    token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
    numbered = [
        rule
        for rule in console.app.url_map.iter_rules()
        if rule.rule.startswith("/console")
        and any(isinstance(converter, IntegerConverter) for converter in rule._converters.values())
    ]
    assert numbered
    for rule in numbered:
        path = rule.rule.replace("<reference>", filed.reference)
        path = re.sub(r"<int:\w+>", str(number), path)
        if "GET" in (rule.methods or ()):
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 404, (rule.rule, response.status_code)
        assert "There is nothing here." in response.get_data(as_text=True)


def text_field_names(module_prefix: str) -> set[str]:
    """Every name a form of these modules reads as text, under every prefix the forms use."""
    forms: list[type[VigilForm]] = []
    pending = list(VigilForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending += form_class.__subclasses__()
        if form_class.__module__.startswith(module_prefix):
            forms.append(form_class)
    return {
        f"{prefix}{name}"
        for form_class in forms
        for name, field in inspect.getmembers(form_class, lambda m: isinstance(m, UnboundField))
        if not issubclass(field.field_class, FileField)
        for prefix in FORM_PREFIXES
    }


# The console's forms that take text (beside their CSRF token).
TEXT_FORMS = {
    "console.admin_queue_create",
    "console.admin_queue_member_add",
    "console.admin_queue_rename",
    "console.admin_rule",
    "console.admin_rule_add",
    "console.admin_user_enrol",
    "console.admin_user_role",
    "console.case_grant",
    "console.case_note",
    "console.case_override",
    "console.case_reply",
    "console.case_reroute",
    "console.case_status",
    "console.change_password",
}


def test_a_file_in_place_of_text_is_refused_on_every_console_form(
    console: ConsoleInstance,
) -> None:
    console.add_user("sue", role=Role.SUPERVISOR, queues=("export-control",))
    console.add_user("ada", role=Role.ADMIN)
    erin = console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip())
    console.triage()
    values = {
        "reference": filed.reference,
        "user_id": erin.user_id,
        "queue_id": 1,
        "rule_id": 1,
        "fmt": "csv",
    }
    adapter = console.app.url_map.bind("localhost")
    posts = {
        rule.endpoint: adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
        for rule in console.app.url_map.iter_rules()
        if rule.rule.startswith("/console")
        and "POST" in (rule.methods or ())
        and "attachment_id" not in rule.arguments
    }
    files = text_field_names("reporting.console")
    refused = set()
    for username in ("sue", "ada"):
        client = console.client_for(username)
        for endpoint, path in posts.items():
            token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
            data: dict[str, object] = {name: (io.BytesIO(b"x"), "x.txt") for name in files}
            response = client.post(
                path, data={**data, "csrf_token": token}, content_type="multipart/form-data"
            )
            assert response.status_code < 500, (endpoint, response.status_code)
            if response.status_code == 302 and "/sign-in" in response.headers["Location"]:
                console.sign_in(client, username)
            if str(FILE_IN_PLACE_OF_TEXT) in response.get_data(as_text=True):
                assert response.status_code == 400, endpoint
                refused.add(endpoint)
    assert refused >= TEXT_FORMS
    with console.session_factory() as session:
        assert verify_audit_log(session).ok
