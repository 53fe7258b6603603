"""No one can lock the admin out by signing in wrongly at full speed.

The attacker knows the admin's user name and nothing else, and hammers the
sign-in form with it (and with other names) as fast as the app answers: the
per-name and all-names rate limits bite, and no failure counts towards the
lockout. Meanwhile the admin signs in with the right password and code, ten
times, and must get in every time. On the memory and the Redis storage.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest
import redis
from sqlalchemy import select

from reporting.accounts.sign_in import LOCKOUT_THRESHOLD
from reporting.core import clock
from reporting.core.clock import PinnedClock
from reporting.core.models import Role, User
from reporting.core.settings import Settings
from reporting.web.extensions import limiter
from tests.console.conftest import ConsoleInstance
from tests.fixtures.app import csrf_token_from
from tests.fixtures.limiter import delete_keys, limiter_storages
from tests.flood import AttackRecord, flood, honest_attempts, report

# A TOTP code lives for a 30-second step: each sign-in of the admin takes the next one.
TOTP_STEP = timedelta(seconds=30)


@pytest.fixture(params=limiter_storages())
def settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    prefix = f"test-{uuid.uuid4().hex}:"
    yield replace(settings, ratelimit_storage_uri=request.param, ratelimit_key_prefix=prefix)
    delete_keys(request.param, prefix)


def wrong_sign_ins(
    console: ConsoleInstance, names: list[str]
) -> Callable[[int], Callable[[], int]]:
    def attacker(number: int) -> Callable[[], int]:
        client = console.app.test_client()
        token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
        tries = iter(range(10**9))

        def attempt() -> int:
            name = names[next(tries) % len(names)] if number % 3 else f"guess-{uuid.uuid4().hex}"
            response = client.post(
                "/console/sign-in",
                data={
                    "csrf_token": token,
                    "username": name,
                    "password": secrets.token_urlsafe(12),
                    "code": f"{secrets.randbelow(10**6):06d}",
                },
            )
            return response.status_code

        return attempt

    return attacker


def limits_bite(attack: AttackRecord) -> bool:
    return attack.statuses[429] > 0


def test_the_admin_signs_in_while_a_flood_of_wrong_sign_ins_runs(
    console: ConsoleInstance, pinned_clock: PinnedClock
) -> None:
    admin = console.add_user("admin", role=Role.ADMIN)
    console.add_user("erin")

    def sign_in(_attempt: int) -> bool:
        pinned_clock.advance(TOTP_STEP)
        client = console.app.test_client()
        token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
        response = client.post(
            "/console/sign-in",
            data={
                "csrf_token": token,
                "username": "admin",
                "password": admin.password,
                "code": pyotp.TOTP(admin.totp_secret).at(clock.now()),
            },
        )
        return response.status_code == 302 and client.get("/console/").status_code == 200

    # From the moment the limits bite (without the lockout, the attacker's only hope).
    with flood(wrong_sign_ins(console, ["admin", "erin"]), ready=limits_bite) as attack:
        honest = honest_attempts(sign_in)
    report("sign-in", honest, attack)

    assert attack.errors == []
    assert honest.succeeded == honest.attempts == 10
    # The limits did bite: the flood was refused, the admin was not.
    assert attack.statuses[429] > attack.statuses[401] > 0
    with console.session_factory() as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        assert user is not None
        assert user.locked_until is None
        assert user.failed_sign_ins < LOCKOUT_THRESHOLD


def post_sign_in(console: ConsoleInstance, username: str, password: str, code: str) -> int:
    client = console.app.test_client()
    token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
    data = {"csrf_token": token, "username": username, "password": password, "code": code}
    return client.post("/console/sign-in", data=data).status_code


def failures(console: ConsoleInstance, username: str) -> int:
    with console.session_factory() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user.failed_sign_ins


def test_only_a_failure_with_one_factor_right_counts_towards_the_lockout(
    console: ConsoleInstance, pinned_clock: PinnedClock
) -> None:
    erin = console.add_user("erin")
    for _ in range(LOCKOUT_THRESHOLD + 2):
        assert post_sign_in(console, "erin", "not-the-password", "000000") == 401
    assert failures(console, "erin") == 0

    right_code = pyotp.TOTP(erin.totp_secret).at(clock.now())
    wrong_code = f"{(int(right_code) + 1) % 10**6:06d}"
    assert post_sign_in(console, "erin", erin.password, wrong_code) == 401
    assert failures(console, "erin") == 1
    assert post_sign_in(console, "erin", "not-the-password", right_code) == 401
    assert failures(console, "erin") == 2


def stored_keys(settings: Settings) -> list[str]:
    if settings.ratelimit_storage_uri.startswith("redis"):
        client = redis.Redis.from_url(settings.ratelimit_storage_uri)
        try:
            pattern = f"*{settings.ratelimit_key_prefix}*"
            return [key.decode() for key in client.scan_iter(match=pattern)]
        finally:
            client.close()
    return list(limiter.storage.storage.keys())


def test_typed_user_names_are_not_stored_in_the_limiter(
    console: ConsoleInstance, settings: Settings
) -> None:
    console.add_user("erin")
    for name in ("erin", "Typed-Name", "correct horse battery staple"):
        assert post_sign_in(console, name, "guess", "123456") == 401
    keys = stored_keys(settings)
    assert any("sign-in" in key for key in keys)
    for typed in ("erin", "typed-name", "correct horse"):
        assert not [key for key in keys if typed in key.lower()]
