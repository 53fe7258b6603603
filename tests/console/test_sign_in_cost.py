"""Sign-in does the same Argon2id work for a known and an unknown user name, across cost changes.

Timing is not measured (too noisy for a test): every Argon2id run goes
through crypto._nacl, and the runs an attempt makes, with their cost, are
recorded and compared. Equal work is equal time.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pyotp
import pytest
from sqlalchemy import update

from crypto import PasswordCost, _nacl, locked_key_cost, password_hash_cost, unlock_private_key
from reporting.accounts.enrolment import create_user
from reporting.accounts.sign_in import SignInFailed, sign_in, typical_password_cost
from reporting.core import clock
from reporting.core.models import Role, User
from tests.console.conftest import ConsoleInstance

# Two cheap costs stand for "the cost users were enrolled at" and "the cost
# VIGIL_PASSWORD_COST names now".
ENROLLED = PasswordCost.MIN
CURRENT = PasswordCost(ops=2, mem=16 * 1024)

Run = tuple[str, int, int]  # which libsodium call, ops, mem (bytes)


@pytest.fixture
def argon2_runs(monkeypatch: pytest.MonkeyPatch) -> list[Run]:
    runs: list[Run] = []
    real_key, real_str, real_verify = _nacl.argon2id_key, _nacl.argon2id_str, _nacl.argon2id_verify

    def key(password: bytes, salt: bytes, ops: int, mem: int) -> bytes:
        runs.append(("key", ops, mem))
        return real_key(password, salt, ops, mem)

    def string(password: bytes, ops: int, mem: int) -> str:
        runs.append(("str", ops, mem))
        return real_str(password, ops, mem)

    def verify(password_hash: str, password: bytes) -> bool:
        cost = password_hash_cost(password_hash)
        runs.append(("verify", cost.ops, cost.mem))
        return real_verify(password_hash, password)

    monkeypatch.setattr(_nacl, "argon2id_key", key)
    monkeypatch.setattr(_nacl, "argon2id_str", string)
    monkeypatch.setattr(_nacl, "argon2id_verify", verify)
    return runs


def enrol(console: ConsoleInstance, username: str, cost: PasswordCost) -> None:
    with console.session_factory() as session:
        console.users[username] = create_user(
            session, username=username, display_name=username, role=Role.INVESTIGATOR, cost=cost
        )
        session.commit()


def attempt(
    console: ConsoleInstance, runs: list[Run], username: str, password: str, cost: PasswordCost
) -> list[Run]:
    """The Argon2id runs of one sign-in attempt (refused or not)."""
    runs.clear()
    enrolment = console.users.get(username)
    code = pyotp.TOTP(enrolment.totp_secret).at(clock.now()) if enrolment else "000000"
    with console.session_factory() as session:
        session.execute(update(User).values(totp_last_counter=None))
        session.commit()
        with contextlib.suppress(SignInFailed):
            sign_in(session, username=username, password=password, code=code, cost=cost)
    return list(runs)


def user_costs(console: ConsoleInstance, username: str) -> tuple[PasswordCost, PasswordCost]:
    with console.session_factory() as session:
        user = session.get_one(User, console.users[username].user_id)
        return password_hash_cost(user.password_hash), locked_key_cost(user.locked_private_key)


@pytest.mark.parametrize(("enrolled", "current"), [(ENROLLED, CURRENT), (CURRENT, ENROLLED)])
def test_an_unknown_name_costs_what_a_known_one_does_after_a_cost_change(
    console: ConsoleInstance, argon2_runs: list[Run], enrolled: PasswordCost, current: PasswordCost
) -> None:
    for name in ("erin", "sam", "fiona"):
        enrol(console, name, enrolled)
    known = attempt(console, argon2_runs, "erin", "a-wrong-password", current)
    unknown = attempt(console, argon2_runs, "nobody", "a-wrong-password", current)
    assert known == [("verify", enrolled.ops, enrolled.mem)]
    assert unknown == known


def test_signing_in_moves_an_account_to_the_current_cost(
    console: ConsoleInstance, argon2_runs: list[Run]
) -> None:
    for name in ("erin", "sam", "fiona"):
        enrol(console, name, ENROLLED)
    with console.session_factory() as session:
        public_key = session.get_one(User, console.users["erin"].user_id).public_key
    password = console.users["erin"].password

    assert attempt(console, argon2_runs, "erin", password, CURRENT) == [
        ("verify", ENROLLED.ops, ENROLLED.mem),  # the password
        ("key", ENROLLED.ops, ENROLLED.mem),  # the private key, unlocked for the session
        ("str", CURRENT.ops, CURRENT.mem),  # the new hash
        ("key", CURRENT.ops, CURRENT.mem),  # the key, locked again
    ]
    assert user_costs(console, "erin") == (CURRENT, CURRENT)
    # The same key under the same password: every wrap sealed to it still opens.
    with console.session_factory() as session:
        user = session.get_one(User, console.users["erin"].user_id)
        assert bytes(unlock_private_key(user.locked_private_key, password).public_key) == public_key

    # The next sign-in does no more than one check and one unlock, at the current cost.
    assert attempt(console, argon2_runs, "erin", password, CURRENT) == [
        ("verify", CURRENT.ops, CURRENT.mem),
        ("key", CURRENT.ops, CURRENT.mem),
    ]
    # Most accounts are still at the old cost, so the decoy stays there until they move.
    with console.session_factory() as session:
        assert typical_password_cost(session, CURRENT) == ENROLLED
    for name in ("sam", "fiona"):
        attempt(console, argon2_runs, name, console.users[name].password, CURRENT)
    assert attempt(console, argon2_runs, "nobody", "a-wrong-password", CURRENT) == [
        ("verify", CURRENT.ops, CURRENT.mem)
    ]


def test_the_typical_cost_of_an_empty_or_tied_instance_is_the_current_one(
    console: ConsoleInstance,
) -> None:
    with console.session_factory() as session:
        assert typical_password_cost(session, CURRENT) == CURRENT
    enrol(console, "erin", ENROLLED)
    enrol(console, "sam", CURRENT)
    with console.session_factory() as session:
        assert typical_password_cost(session, CURRENT) == CURRENT
        assert typical_password_cost(session, replace(CURRENT, ops=3)) == CURRENT
