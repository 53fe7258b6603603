"""Rate limits hold on every configured storage, and say so clearly when they bite."""

import os
import uuid
from dataclasses import replace

import pytest

from reporting import create_app
from tests.fixtures.app import csrf_token_from


def limiter_storages():
    storages = [pytest.param("memory://", id="memory")]
    redis_url = os.environ.get("VIGIL_TEST_REDIS_URL")
    if redis_url:
        storages.append(pytest.param(redis_url, id="redis"))
    elif os.environ.get("CI") == "true":
        raise RuntimeError("CI=true needs VIGIL_TEST_REDIS_URL: the Redis tests may not be skipped")
    return storages


@pytest.mark.parametrize("storage_uri", limiter_storages())
def test_sign_in_attempts_are_limited_per_account(settings, storage_uri):
    app = create_app(replace(settings, ratelimit_storage_uri=storage_uri))
    client = app.test_client()
    username = f"user-{uuid.uuid4().hex}"
    statuses = []
    for _ in range(11):
        token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
        response = client.post(
            "/console/sign-in",
            data={"csrf_token": token, "username": username, "password": "x", "code": "123456"},
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429]
    assert "Too many attempts" in response.get_data(as_text=True)

    # Another account is not locked out by the first one's attempts.
    token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
    other = client.post(
        "/console/sign-in",
        data={
            "csrf_token": token,
            "username": f"other-{uuid.uuid4().hex}",
            "password": "x",
            "code": "123456",
        },
    )
    assert other.status_code == 401
    app.extensions["vigil"].engine.dispose()
