"""Anti-abuse without tracking: limits keyed on no address, clear 429s, on memory and Redis."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crypto import b64encode
from reporting import create_app
from reporting.extensions import limiter
from tests.fixtures.app import csrf_token_from
from tests.public.support import Reporter, seal_tip
from tests.web.test_rate_limits import limiter_storages


@pytest.fixture(params=limiter_storages())
def limited_app(request, settings, intake_key):
    app = create_app(
        replace(
            settings,
            ratelimit_storage_uri=request.param,
            limit_challenges="2 per minute",
            limit_failed_lookups="3 per minute",
            limit_followup="5 per minute",
            limit_submissions="2 per minute",
        )
    )
    with app.app_context():
        limiter.reset()  # a shared Redis keeps counts from other tests
    yield app
    app.extensions["vigil"].engine.dispose()


def test_a_limit_that_bites_says_so_in_json(limited_app):
    reporter = Reporter(limited_app.test_client())
    statuses = [reporter.post_json("/api/challenge", {}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    answer = reporter.post_json("/api/challenge", {}).get_json()
    assert answer["error"] == "rate_limited"
    assert "Wait a minute" in answer["message"]


def test_failed_lookups_are_limited_for_everyone_but_only_when_they_fail(limited_app, intake_key):
    reporter = Reporter(limited_app.test_client())
    sealed = seal_tip(intake_key.public_key)
    assert reporter.submit(sealed).status_code == 201
    for _ in range(4):  # successful lookups are not counted as failures
        assert reporter.post_json("/api/case", {"lookup_token": sealed.token}).status_code == 200
    guesses = [
        reporter.post_json("/api/case", {"lookup_token": b64encode(bytes([n]) * 32)}).status_code
        for n in range(4)
    ]
    assert guesses == [404, 404, 404, 429]
    # One case may be opened only so often: the fifth request for it in the minute.
    assert reporter.post_json("/api/case", {"lookup_token": sealed.token}).status_code == 429


def test_submissions_share_one_limit_and_get_a_page(limited_app):
    client = limited_app.test_client()
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))
    statuses = [
        client.post("/tip", data={"csrf_token": token, "what_happened": "x"}).status_code
        for _ in range(2)
    ]
    assert statuses == [201, 201]
    refused = client.post("/disclosure", data={"csrf_token": token})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Reading the form is not a submission.
    assert client.get("/tip").status_code == 200
