"""Junk at every endpoint, from every kind of visitor: never a server error.

The endpoints come from the app's URL map, so an endpoint added tomorrow is
fuzzed without touching this file. Each request picks a visitor (anonymous,
or signed in as each console role), an endpoint, a method (mostly the
endpoint's own, sometimes any), path arguments (real ids, huge numbers,
traversal, encodings), a query string and a body (form fields the pages
really carry, JSON of every type and depth, files where text belongs, bytes
that are not UTF-8, lone surrogates) with a valid, missing, foreign or forged
CSRF token. The run asserts that no answer is a 5xx, that the audit chain
still verifies, and that nothing was half written (every stored attachment
has its blob, every blob its row, every report its reporter's wrap).

The generator is seeded (VIGIL_FUZZ_SEED, default FIXED_SEED) so a failure
can be replayed; FUZZ_REQUESTS requests per backend, stopped early only by
the time bound, which fails the run if it leaves fewer than MIN_REQUESTS.
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from crypto import b64encode
from reporting.audit.verify import verify_audit_log
from reporting.core.blobstore import KEY_PATTERN
from reporting.core.errors import VigilError
from reporting.core.models import (
    Attachment,
    HolderKind,
    Queue,
    Report,
    Role,
    RoutingRule,
    User,
    Wrap,
)
from reporting.core.settings import Settings
from tests.console.conftest import ConsoleInstance, console, export_control_tip
from tests.fixtures.app import csrf_token_from

__all__ = ["console"]  # the fixture, imported for this module's tests

FIXED_SEED = 20261207
FUZZ_REQUESTS = int(os.environ.get("VIGIL_FUZZ_REQUESTS", "5200"))
MIN_REQUESTS = 5000
TIME_BOUND_SECONDS = float(os.environ.get("VIGIL_FUZZ_SECONDS", "420"))
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND")
ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.INVESTIGATOR, Role.AUDITOR)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
# Names the JSON API and the forms read, beside those scraped from the pages.
KNOWN_FIELDS = (
    "lookup_token", "record", "attachments", "kind", "envelope", "intake_type", "pow",
    "challenge", "nonce", "receipt", "body", "message", "files", "csrf_token", "username",
    "password", "code", "new_password", "status", "outcome", "queue", "user_id", "reason",
)  # fmt: skip

SURROGATE_BYTES = b"\xed\xa0\x80"  # a lone surrogate, as UTF-8 would have it (invalid)
NOT_UTF8 = (b"\xff\xfe\xfd", b"\xc0\xaf", b"\x80", SURROGATE_BYTES, b"caf\xe9")
TEXTS = (
    "", " ", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}", "x" * 5000, "x" * 200_000,
    "\x00", "a\x00b", "\r\n\r\n", "../../../../etc/passwd", "..\\..\\windows\\win.ini",
    "%00", "%2e%2e%2f", "<script>alert(1)</script>", "' OR 1=1 --", "İstanbul", "ﬃ",
    "отчёт", "تقرير", "报告", "🧪" * 50, "\u202etxt.exe", "\ufeff", "A" * 64,
    "2025-13-01", "9999-12-31", "0000-00-00", "-2147483649", str(2**31), str(2**63), str(10**40),
)  # fmt: skip
INT_ARGUMENTS = (0, 1, 2, 3, -1, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30)
QUERY_NAMES = (
    "from", "to", "q", "page", "before", "after", "action", "actor", "target", "period",
    "offset", "final", "queue", "status", "sort", "lang",
)  # fmt: skip
PATH_TEXTS = (
    "..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%00", "x" * 3000, "VIG-0000-0000",
    "%ED%A0%80", "%FF", "ü", "%E2%80%AE", "a/b", "con", "*",
)  # fmt: skip


@dataclass
class Visitor:
    name: str
    client: FlaskClient
    role: Role | None
    username: str | None = None
    csrf: str | None = None


@dataclass
class Targets:
    """Real values to mix into the junk, so requests also get past the first check."""

    ids: list[int] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)


def junk_text(rng: random.Random) -> str:
    return (
        rng.choice(TEXTS)
        if rng.random() < 0.8
        else "".join(
            chr(rng.choice((rng.randrange(32, 127), rng.randrange(0x80, 0x2FFF))))
            for _ in range(rng.randrange(1, 40))
        )
    )


def junk_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice((True, False))
    if kind == 2:
        return rng.choice((0, -1, 1, 2**31, 2**63, 2**64, -(2**70), 10**100, 1.5, -0.0, 1e308))
    if kind in (3, 4, 5):
        return junk_text(rng)
    if kind in (6, 7):
        return [junk_json(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {
        rng.choice((*KNOWN_FIELDS, junk_text(rng))): junk_json(rng, depth + 1)
        for _ in range(rng.randrange(0, 6))
    }


def nested(depth: int, *, kind: str) -> bytes:
    opening, closing = ("[", "]") if kind == "list" else ('{"a":', "}")
    return (opening * depth + "1" + closing * depth).encode()


class Fuzzer:
    def __init__(self, app: Flask, visitors: list[Visitor], targets: Targets, seed: int) -> None:
        self.app = app
        self.visitors = visitors
        self.targets = targets
        self.rng = random.Random(seed)
        self.rules = [rule for rule in app.url_map.iter_rules()]
        self.statuses: Counter[int] = Counter()
        self.endpoints: Counter[str] = Counter()
        # (request, cause) for each 5xx; causes of unexpected exceptions as they happen.
        self.failures: list[tuple[str, str]] = []
        self.causes: list[str] = []
        self._watch_unexpected_errors()

    def _watch_unexpected_errors(self) -> None:
        """Keep where each unexpected exception came from, to say why a request failed."""
        handle = self.app.handle_user_exception

        def watched(error: Exception) -> Any:
            if not isinstance(error, HTTPException | VigilError):
                frames = traceback.extract_tb(error.__traceback__)
                ours = [frame for frame in frames if "/reporting/" in frame.filename] or frames
                where = ours[-1]
                self.causes.append(
                    f"{type(error).__name__} in {'/'.join(where.filename.split('/')[-2:])}"
                    f":{where.lineno} ({where.name})"
                )
            return handle(error)

        self.app.handle_user_exception = watched  # type: ignore[method-assign]

    # ------------------------------------------------------------ request parts

    def path_value(self, rule: Rule, name: str) -> str:
        rng = self.rng
        converter = rule._converters[name]
        kind = type(converter).__name__
        if kind == "IntegerConverter" or "int" in kind.lower():
            if rng.random() < 0.5 and self.targets.ids:
                return str(rng.choice(self.targets.ids))
            return str(rng.choice(INT_ARGUMENTS))
        if kind == "AnyConverter":
            items = sorted(getattr(converter, "items", ()) or ("csv",))
            return rng.choice(items) if rng.random() < 0.7 else quote(junk_text(rng)[:100])
        if name == "reference" and rng.random() < 0.5 and self.targets.references:
            return rng.choice(self.targets.references)
        if rng.random() < 0.5:
            return rng.choice(PATH_TEXTS)
        return quote(junk_text(rng)[:300], safe="")

    def path(self, rule: Rule) -> str:
        parts = re.split(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)
        built = [
            self.path_value(rule, piece) if index % 2 else piece
            for index, piece in enumerate(parts)
        ]
        return "".join(built)

    def query(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return ""
        names = (*QUERY_NAMES, junk_text(rng))
        pairs = [
            f"{quote(rng.choice(names)[:50], safe='')}={quote(junk_text(rng)[:500], safe='')}"
            for _ in range(rng.randrange(1, 5))
        ]
        if rng.random() < 0.2:
            pairs.append("to=%ED%A0%80&from=%FF%FE")
        return "?" + "&".join(pairs)

    def csrf(self, visitor: Visitor) -> str | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            return visitor.csrf
        if roll < 0.7:
            return None
        if roll < 0.85:
            return rng.choice(self.visitors).csrf  # another visitor's token
        return rng.choice(("", "x", "a" * 300, "IjEi.YQ.YQ", junk_text(rng)))

    def form_value(self) -> str | bytes:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15 and self.targets.receipts:
            return rng.choice(self.targets.receipts)
        if roll < 0.25 and self.targets.tokens:
            return rng.choice(self.targets.tokens)
        if roll < 0.35 and self.targets.ids:
            return str(rng.choice(self.targets.ids))
        return junk_text(rng)

    def body(self, visitor: Visitor) -> dict[str, Any]:
        """Keyword arguments for the test client: data, json or raw bytes with a type."""
        rng = self.rng
        token = self.csrf(visitor)
        names = sorted(self.targets.fields)
        kind = rng.randrange(8)
        if kind <= 2:  # a form, as a browser sends it
            data: dict[str, Any] = {
                rng.choice(names): self.form_value() for _ in range(rng.randrange(0, 8))
            }
            if token is not None:
                data["csrf_token"] = token
            return {"data": data}
        if kind == 3:  # files where text belongs, and text where files belong
            data = {
                rng.choice(names): (
                    BytesIO(rng.randbytes(rng.randrange(0, 2000))),
                    junk_text(rng)[:80] or "f",
                )
                for _ in range(rng.randrange(1, 4))
            }
            data[rng.choice(names)] = self.form_value()
            if token is not None:
                data["csrf_token"] = token
            return {"data": data, "content_type": "multipart/form-data"}
        # A header cannot carry a line break over HTTP, so the forged ones do not either.
        headers = {"X-CSRFToken": re.sub(r"[\r\n]", "", token)} if token is not None else {}
        if kind == 4:  # JSON of any type
            return {"json": junk_json(rng), "headers": headers}
        if kind == 5:  # JSON that is deep, huge or full of lone surrogates
            raw = rng.choice(
                (
                    nested(rng.choice((50, 500, 5000, 100_000)), kind=rng.choice(("list", "dict"))),
                    b'{"lookup_token": "\\ud800", "record": "\\udfff"}',
                    b'{"challenge": "\\u00e9\\u00e9", "nonce": "1"}',
                    b'{"pow": {"challenge": "v1.8.99999999999.\\u0661.abc", "nonce": "\\u0661"}}',
                    b'{"a": 1e999999}',
                    b'{"a": 1' + b"0" * 5000 + b"}",
                    b"[" + b"1," * 50_000 + b"1]",
                    b"{" + b'"a":' * 3,
                    b"\xef\xbb\xbf{}",
                )
            )
            return {"data": raw, "content_type": "application/json", "headers": headers}
        if kind == 6:  # bytes that are not what they say
            content_type = rng.choice(
                (
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=latin-1",
                    "multipart/form-data",
                    "multipart/form-data; boundary=",
                    "multipart/form-data; boundary=x",
                    "application/octet-stream",
                    "text/plain; charset=utf-16",
                    "application/json; charset=shift_jis",
                    "",
                )
            )
            raw = b"&".join(
                quote(rng.choice(names)).encode() + b"=" + rng.choice(NOT_UTF8)
                for _ in range(rng.randrange(1, 5))
            )
            if rng.random() < 0.3:
                raw = rng.randbytes(rng.randrange(0, 4000))
            return {"data": raw, "content_type": content_type, "headers": headers}
        return {"headers": headers}  # nothing at all

    # ------------------------------------------------------------ the run

    def one(self) -> None:
        rng = self.rng
        visitor = rng.choice(self.visitors)
        rule = rng.choice(self.rules)
        own = sorted((rule.methods or {"GET"}) - {"HEAD", "OPTIONS"}) or ["GET"]
        method = rng.choice(own) if rng.random() < 0.85 else rng.choice(METHODS)
        url = self.path(rule) + self.query()
        kwargs = self.body(visitor) if method not in {"GET", "HEAD", "OPTIONS", "TRACE"} else {}
        if method == "GET" and rng.random() < 0.1:
            kwargs = {"data": b"junk body on a GET", "content_type": "text/plain"}
        self.causes.clear()
        try:
            response = visitor.client.open(url, method=method, **kwargs)
        except UnicodeError:
            # The test client itself could not encode what we asked for; not a request.
            return
        status = response.status_code
        try:
            # Read the whole body: a streamed one (a download, an export) can
            # still fail after its status line was sent.
            response.get_data()
        except Exception as error:  # a body that breaks off is a server error too
            status = 500
            self.causes.append(f"{type(error).__name__} while streaming the body")
        finally:
            response.close()
        self.statuses[status] += 1
        self.endpoints[rule.endpoint] += 1
        if status >= 500:
            body = kwargs.get("data") or kwargs.get("json")
            cause = self.causes[-1] if self.causes else f"{status} without an exception"
            self.failures.append(
                (f"{status} {visitor.name} {method} {url[:200]} {str(body)[:200]}", cause)
            )

    def run(self, count: int, seconds: float, refresh: Callable[[Visitor], None]) -> int:
        deadline = time.monotonic() + seconds
        done = 0
        while done < count and time.monotonic() < deadline:
            self.one()
            done += 1
            if done % 100 == 0:
                for visitor in self.visitors:
                    refresh(visitor)
        return done


# ---------------------------------------------------------------- the instance


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Limits high enough that the junk reaches the views instead of a 429.
    return dataclasses.replace(
        settings,
        limit_submissions="100000 per minute",
        limit_uploads="100000 per minute",
        limit_followup="100000 per minute",
        limit_failed_lookups="100000 per minute",
    )


def _sign_in_fresh(console: ConsoleInstance, visitor: Visitor, serial: Iterator[int]) -> None:
    """Sign the visitor in again; if the fuzzing made that impossible, as a new user."""
    assert visitor.role is not None
    username = visitor.username or ""
    with console.session_factory() as session:
        session.execute(
            update(User)
            .where(User.username == username)
            .values(locked_until=None, failed_sign_ins=0, is_active=True, role=visitor.role)
        )
        session.commit()
    try:
        console.sign_in(visitor.client, username)
    except AssertionError:
        # An administrator's junk reset this user's password: enrol a new one.
        username = f"{visitor.role.value}{next(serial)}"
        console.add_user(username, role=visitor.role, queues=("export-control",))
        console.sign_in(visitor.client, username)
        visitor.username = username


def _visitors(console: ConsoleInstance) -> list[Visitor]:
    visitors = [Visitor("anonymous", console.app.test_client(), None)]
    for role in ROLES:
        username = f"{role.value}0"
        console.add_user(username, role=role, queues=("export-control",))
        visitors.append(Visitor(role.value, console.client_for(username), role, username))
    return visitors


def _targets(console: ConsoleInstance, visitors: list[Visitor]) -> Targets:
    filed = [console.file_report(export_control_tip()) for _ in range(2)]
    console.triage()
    targets = Targets()
    with console.session_factory() as session:
        targets.ids = sorted(
            {
                *session.scalars(select(User.id)),
                *session.scalars(select(Queue.id)),
                *session.scalars(select(RoutingRule.id)),
                *session.scalars(select(Report.id)),
            }
        )
    targets.references = [case.reference for case in filed]
    targets.receipts = [str(case.receipt) for case in filed]
    targets.tokens = [b64encode(case.receipt.lookup_token()) for case in filed]
    # Every field name a page offers, from every visitor's point of view.
    adapter = console.app.url_map.bind("localhost")
    for visitor in visitors:
        for rule in console.app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
                continue
            values = {
                "reference": filed[0].reference,
                "user_id": targets.ids[0],
                "queue_id": targets.ids[0],
                "rule_id": targets.ids[0],
            }
            if not set(rule.arguments) <= set(values):
                continue
            page = visitor.client.get(
                adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
            )
            targets.fields.update(FIELD.findall(page.get_data(as_text=True)))
    targets.fields.update(KNOWN_FIELDS)
    return targets


def _refresh(console: ConsoleInstance, serial: Iterator[int]) -> Callable[[Visitor], None]:
    def refresh(visitor: Visitor) -> None:
        """Keep signed-in visitors signed in, and give each a current CSRF token."""
        page = visitor.client.get("/console/account" if visitor.role else "/tip")
        if visitor.role is not None and page.status_code != 200:
            _sign_in_fresh(console, visitor, serial)
            page = visitor.client.get("/console/account")
        visitor.csrf = csrf_token_from(page.get_data(as_text=True))

    return refresh


def _no_partial_writes(console: ConsoleInstance) -> None:
    store = console.app.extensions["vigil"].blob_store
    with console.session_factory() as session:
        attachments = session.execute(select(Attachment.blob_key, Attachment.ciphertext_size)).all()
        for blob_key, size in attachments:
            assert store.exists(blob_key), f"attachment row without its blob: {blob_key}"
            assert store.size(blob_key) == size
        # Blobs only (`<root>/<2 hex>/<key>`): not the uploads still pending, nor bookkeeping.
        stored = {path.name for path in store.root.glob("??/*") if KEY_PATTERN.fullmatch(path.name)}
        assert stored <= {key for key, _ in attachments}, "blobs that no attachment row names"
        reports = set(session.scalars(select(Report.id)))
        with_reporter = set(
            session.scalars(select(Wrap.report_id).where(Wrap.holder_kind == HolderKind.REPORTER))
        )
        assert reports == with_reporter, "reports without the reporter's wrap"
        verification = verify_audit_log(session)
        assert verification.ok, verification.message


def test_junk_at_every_endpoint_from_every_visitor_is_never_a_server_error(
    console: ConsoleInstance,
) -> None:
    seed = int(os.environ.get("VIGIL_FUZZ_SEED", FIXED_SEED))
    visitors = _visitors(console)
    targets = _targets(console, visitors)
    serial = iter(range(1, 1_000_000))
    refresh = _refresh(console, serial)
    for visitor in visitors:
        refresh(visitor)
    fuzzer = Fuzzer(console.app, visitors, targets, seed)
    started = time.monotonic()
    done = fuzzer.run(FUZZ_REQUESTS, TIME_BOUND_SECONDS, refresh)
    elapsed = time.monotonic() - started
    print(
        f"\nfuzz seed {seed}: {done} requests in {elapsed:.1f} s over "
        f"{len(fuzzer.endpoints)} of {len(fuzzer.rules)} endpoints; "
        f"statuses {dict(sorted(fuzzer.statuses.items()))}"
    )
    causes = Counter(cause for _, cause in fuzzer.failures)
    assert fuzzer.failures == [], (
        "server errors by cause:\n"
        + "\n".join(f"{count:5d}  {cause}" for cause, count in causes.most_common())
        + "\nfirst requests:\n"
        + "\n".join(request for request, _ in fuzzer.failures[:10])
    )
    assert done >= min(MIN_REQUESTS, FUZZ_REQUESTS), f"only {done} requests in the time bound"
    never = {rule.endpoint for rule in fuzzer.rules} - set(fuzzer.endpoints)
    assert not never, f"endpoints the run never reached: {sorted(never)}"
    _no_partial_writes(console)
