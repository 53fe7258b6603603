"""No anonymous flood stops an honest reporter (docs/limits.md).

Each test runs an attacker at full speed, in threads, while an honest
reporter acts ten times, and asserts that all ten succeed: sending a report
with a proof of work, opening their case with the right receipt and writing
to it, uploading a file and sending the report with it. On the memory and the
Redis rate-limit storage, with the default limits. `pytest -s` prints each
test's figures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from crypto import Receipt, RecordKind, ReportKey, b64encode, seal_record
from reporting.app import create_app
from reporting.core.settings import Settings
from tests.fixtures.app import csrf_token_from
from tests.fixtures.limiter import delete_keys, limiter_storages
from tests.flood import flood, honest_attempts, report
from tests.public.support import Reporter, attachment_stream, seal_tip

MIB = 1024 * 1024
HONEST_ATTEMPTS = 10


@pytest.fixture(params=limiter_storages())
def settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    prefix = f"test-{uuid.uuid4().hex}:"
    yield replace(
        settings,
        ratelimit_storage_uri=request.param,
        ratelimit_key_prefix=prefix,
        # Failures wait, as they do in production (shorter, to keep the test short).
        lookup_delay=0.05,
    )
    delete_keys(request.param, prefix)


def send_report(reporter: Reporter, intake_key: Any, uploads: list[str] = ()) -> bool:
    """As the page's script does: a proof of work, and once more if the price rose meanwhile."""
    sealed = seal_tip(intake_key.public_key)
    response = reporter.submit(sealed, uploads)
    if response.status_code == 400 and response.get_json()["error"] == "proof_of_work":
        response = reporter.submit(sealed, uploads)
    return response.status_code == 201


def test_refused_and_formless_reports_do_not_stop_a_report_with_a_proof_of_work(
    app, intake_key
) -> None:
    def attacker(number: int) -> Callable[[], int]:
        client = app.test_client()
        token = csrf_token_from(client.get("/tip").get_data(as_text=True))
        headers = {"X-CSRFToken": token}
        junk: list[Callable[[], Any]] = [
            # Reports the API refuses: no proof, a forged one, no envelope.
            lambda: client.post("/api/reports", json={"intake_type": "tip"}, headers=headers),
            lambda: client.post(
                "/api/reports",
                json={
                    "intake_type": "tip",
                    "envelope": {"v": 1},
                    "lookup_token": b64encode(os.urandom(32)),
                    "pow": {"challenge": "v1.8.9999999999.00.00", "nonce": "1"},
                },
                headers=headers,
            ),
            # A form without its fields, and one the server takes as a report.
            lambda: client.post("/tip", data={"csrf_token": token}),
            lambda: client.post("/tip", data={"csrf_token": token, "what_happened": "junk"}),
        ]
        turn = iter(range(10**9))
        return lambda: junk[(next(turn) + number) % len(junk)]().status_code

    reporter = Reporter(app.test_client())
    # From the moment accepted junk has used up the forms' budget.
    with flood(attacker, ready=lambda attack: attack.statuses[429] > 0) as attack:
        honest = honest_attempts(lambda _n: send_report(reporter, intake_key))
    report("reports", honest, attack)

    assert attack.errors == []
    assert honest.succeeded == honest.attempts == HONEST_ATTEMPTS
    # Junk was refused (400), and the forms' own budget was used up by accepted junk (429):
    # the reports with a proof of work went through all the same.
    assert attack.statuses[400] > 0
    assert attack.statuses[429] > 0


def test_a_flood_of_paid_reports_raises_the_price_but_never_refuses(app, intake_key) -> None:
    base = app.extensions["vigil"].settings.pow_difficulty

    def attacker(_number: int) -> Callable[[], int]:
        spammer = Reporter(app.test_client())
        return lambda: 201 if send_report(spammer, intake_key) else 400

    reporter = Reporter(app.test_client())
    # From the moment the flood is past the budget of 20 reports a minute.
    with flood(attacker, ready=lambda attack: attack.statuses[201] > 20) as attack:
        honest = honest_attempts(lambda _n: send_report(reporter, intake_key))
        price = reporter.post_json("/api/challenge", {}).get_json()["difficulty"]
    report(f"paid reports, price {base} -> {price} bits", honest, attack)

    assert attack.errors == []
    assert honest.succeeded == honest.attempts == HONEST_ATTEMPTS
    assert attack.statuses[201] > 20  # past the budget of 20 a minute: none refused
    assert price > base


def test_wrong_receipts_do_not_lock_a_reporter_out_of_their_case(app, intake_key) -> None:
    reporter = Reporter(app.test_client())
    sealed = seal_tip(intake_key.public_key)
    assert reporter.submit(sealed).status_code == 201

    def attacker(number: int) -> Callable[[], int]:
        guesser = Reporter(app.test_client(), page="/followup")
        if number % 2:
            return lambda: (
                guesser.client.post(
                    "/followup",
                    data={"csrf_token": guesser.csrf, "receipt": str(Receipt.generate())},
                ).status_code
            )
        return lambda: (
            guesser.post_json("/api/case", {"lookup_token": b64encode(os.urandom(32))}).status_code
        )

    def follow_up(n: int) -> bool:
        case = reporter.post_json("/api/case", {"lookup_token": sealed.token})
        record = seal_record(
            sealed.key, RecordKind.MESSAGE, {"format": 1, "author": "reporter", "text": f"#{n}"}
        )
        message = reporter.post_json(
            "/api/case/messages", {"lookup_token": sealed.token, "record": b64encode(record)}
        )
        return case.status_code == 200 and message.status_code == 201

    # From the moment the budget of failures is spent (every failure waits until then).
    with flood(attacker, threads=8, ready=lambda attack: attack.statuses[429] > 0) as attack:
        honest = honest_attempts(follow_up)
    report("follow-up", honest, attack)

    assert attack.errors == []
    assert honest.succeeded == honest.attempts == HONEST_ATTEMPTS
    # Past the budget of failures, wrong receipts are refused at once (429), not after the delay.
    assert attack.statuses[429] > attack.statuses[404] > 0
    case = reporter.post_json("/api/case", {"lookup_token": sealed.token}).get_json()
    assert [message["author"] for message in case["messages"]] == ["reporter"] * 10


@pytest.fixture
def small_store(settings: Settings, intake_key) -> Iterator[Any]:
    """Pending uploads bounded at 96 MiB, attachments of 8 MiB at most."""
    app = create_app(replace(settings, max_attachment_bytes=8 * MIB, pending_upload_bytes=96 * MIB))
    yield app
    app.extensions["vigil"].engine.dispose()


def test_a_flood_of_junk_uploads_does_not_stop_a_report_with_a_file(
    small_store, intake_key
) -> None:
    app = small_store
    uploads = app.extensions["vigil"].uploads
    # Junk the server cannot tell from ciphertext: a real stream under a key no one keeps.
    junk = attachment_stream(ReportKey.generate(), os.urandom(8 * MIB - 4096))
    stored = {"bytes": 0}

    def attacker(number: int) -> Callable[[], int]:
        flooder = Reporter(app.test_client())
        if number == 0:
            # Empty uploads, as fast as they open: each is charged against the bound.
            return lambda: flooder.post_json("/api/uploads", {}).status_code
        state = {"upload": flooder.open_upload(), "offset": 0}

        def attempt() -> int:
            offset = state["offset"]
            part = junk[offset : offset + MIB]
            response = flooder.send_part(str(state["upload"]), int(offset), part)
            if response.status_code == 200:
                stored["bytes"] += len(part)
                state["offset"] = response.get_json()["received"]
            if response.status_code != 200 or state["offset"] + MIB > len(junk):
                state.update(upload=flooder.open_upload(), offset=0)
            return response.status_code

        return attempt

    reporter = Reporter(app.test_client())

    def report_with_a_file(n: int) -> bool:
        stream = attachment_stream(ReportKey.generate(), os.urandom(256 * 1024), name=f"{n}.pdf")
        upload = reporter.upload(stream)
        return send_report(reporter, intake_key, [upload])

    # From the moment the junk has filled the store and pushes out the oldest.
    with flood(attacker, ready=lambda _attack: stored["bytes"] > uploads.max_total_bytes) as attack:
        honest = honest_attempts(report_with_a_file)
    report(f"uploads, {stored['bytes'] // MIB} MiB of junk stored", honest, attack)

    assert attack.errors == []
    assert honest.succeeded == honest.attempts == HONEST_ATTEMPTS
    # More junk came in than the bound holds, and the bound held.
    assert stored["bytes"] > uploads.max_total_bytes
    assert uploads.recount() <= uploads.max_total_bytes
