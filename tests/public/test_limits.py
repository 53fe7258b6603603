"""Anti-abuse without tracking: limits keyed on no address, clear 429s, on memory and Redis."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from crypto import b64encode
from reporting.app import create_app
from reporting.core.settings import Settings, SettingsError
from tests.fixtures.app import csrf_token_from
from tests.fixtures.limiter import limiter_settings
from tests.public.support import Reporter, seal_tip

__all__ = ["limiter_settings"]


@pytest.fixture
def limited_app(limiter_settings, intake_key):
    app = create_app(
        replace(
            limiter_settings,
            limit_failed_lookups="3 per minute",
            limit_followup="5 per minute",
            limit_submissions="2 per minute",
        )
    )
    yield app
    app.extensions["vigil"].engine.dispose()


def wrong_token(n: int) -> str:
    return b64encode(bytes([n]) * 32)


def test_a_limit_that_bites_says_so_in_json(limited_app):
    reporter = Reporter(limited_app.test_client())
    statuses = [
        reporter.post_json("/api/case", {"lookup_token": wrong_token(7)}).status_code
        for _ in range(6)
    ]
    # Wrong receipts: three failures in the minute (the failed-lookup budget
    # of this app), then each further one is refused at once.
    assert statuses == [404, 404, 404, 429, 429, 429]
    answer = reporter.post_json("/api/case", {"lookup_token": wrong_token(7)}).get_json()
    assert answer["error"] == "rate_limited"
    assert "Wait a minute" in answer["message"]


def test_failed_lookups_are_limited_for_everyone_but_never_stop_a_right_receipt(
    limited_app, intake_key
):
    reporter = Reporter(limited_app.test_client())
    sealed = seal_tip(intake_key.public_key)
    assert reporter.submit(sealed).status_code == 201
    for _ in range(3):  # successful lookups are not counted as failures
        assert reporter.post_json("/api/case", {"lookup_token": sealed.token}).status_code == 200
    guesses = [
        reporter.post_json("/api/case", {"lookup_token": wrong_token(n)}).status_code
        for n in range(5)
    ]
    assert guesses == [404, 404, 404, 429, 429]
    # The budget of failures is spent, and the right receipt still opens its case.
    assert reporter.post_json("/api/case", {"lookup_token": sealed.token}).status_code == 200
    # One case may be opened only so often: the sixth request for it in the minute.
    assert reporter.post_json("/api/case", {"lookup_token": sealed.token}).status_code == 200
    assert reporter.post_json("/api/case", {"lookup_token": sealed.token}).status_code == 429


def test_challenges_are_never_refused(limited_app):
    reporter = Reporter(limited_app.test_client())
    statuses = {reporter.post_json("/api/challenge", {}).status_code for _ in range(100)}
    assert statuses == {200}


def test_submissions_share_one_limit_and_get_a_page(limited_app):
    client = limited_app.test_client()
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))
    # Refused forms are not counted: they cost an honest reporter nothing.
    for _ in range(5):
        assert client.post("/tip", data={"csrf_token": token}).status_code == 400
    statuses = [
        client.post("/tip", data={"csrf_token": token, "what_happened": "x"}).status_code
        for _ in range(2)
    ]
    assert statuses == [303, 303]  # each to its receipt page (Post/Redirect/Get)
    refused = client.post("/disclosure", data={"csrf_token": token})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Reading the form is not a submission.
    assert client.get("/tip").status_code == 200


def test_reports_with_a_proof_of_work_are_never_refused_as_too_many(limited_app, intake_key):
    reporter = Reporter(limited_app.test_client())
    base = limited_app.extensions["vigil"].settings.pow_difficulty
    difficulties = []
    for _ in range(6):
        difficulties.append(reporter.post_json("/api/challenge", {}).get_json()["difficulty"])
        assert reporter.submit(seal_tip(intake_key.public_key)).status_code == 201
    # Two a minute at the base price; then a bit dearer for each doubling.
    assert difficulties == [base, base, base + 1, base + 1, base + 2, base + 2]


def test_a_key_prefix_is_a_short_plain_name():
    assert Settings.from_env({"VIGIL_RATELIMIT_KEY_PREFIX": "vigil-2:"}).ratelimit_key_prefix == (
        "vigil-2:"
    )
    for bad in ("with space", "a/b", "x" * 65):
        with pytest.raises(SettingsError, match="VIGIL_RATELIMIT_KEY_PREFIX"):
            Settings.from_env({"VIGIL_RATELIMIT_KEY_PREFIX": bad})


def test_each_case_pages_forms_count_against_their_own_case(limited_app):
    """The case page's forms carry no receipt (the browser holds it): still one budget per case."""
    from tests.public.test_followup import file_nojs, open_case

    def reporter() -> tuple[FlaskClient, str]:
        client = limited_app.test_client()
        receipt = file_nojs(client, "/tip", {"what_happened": "x"})
        page = open_case(client, receipt)
        return client, csrf_token_from(page.get_data(as_text=True))

    first, first_token = reporter()
    second, second_token = reporter()

    def empty_message(client: FlaskClient, token: str) -> int:
        return client.post("/followup/messages", data={"csrf_token": token}).status_code

    # Refused messages (nothing written) still spend the case's budget of 5 a minute ...
    assert [empty_message(first, first_token) for _ in range(6)] == [400] * 4 + [429] * 2
    # ... and only that case's: the other reporter's forms are answered.
    assert empty_message(second, second_token) == 400
