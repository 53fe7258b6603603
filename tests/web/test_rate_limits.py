"""Rate limits hold on every configured storage, and say so clearly when they bite."""

import uuid

from reporting.app import create_app
from tests.fixtures.app import csrf_token_from
from tests.fixtures.limiter import limiter_settings

__all__ = ["limiter_settings"]  # the fixture, on memory and on Redis


def test_sign_in_attempts_are_limited_per_account(limiter_settings):
    app = create_app(limiter_settings)
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
