"""Sign-in hardening: lockout after repeated failures, replay refusal, second factor, rate limit."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select, update
from werkzeug.test import TestResponse

from reporting.accounts.sign_in import (
    LOCKOUT_PERIOD,
    LOCKOUT_THRESHOLD,
    SignInFailed,
    lockout_period,
    sign_in,
)
from reporting.core import clock
from reporting.core.models import AuditEntry, ConsoleSession, User
from tests.console.conftest import ConsoleInstance
from tests.fixtures.app import csrf_token_from

REFUSED = "The user name, password or code is not correct."


def post_sign_in(client: FlaskClient, username: str, password: str, code: str) -> TestResponse:
    page = client.get("/console/sign-in")
    return client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "username": username,
            "password": password,
            "code": code,
        },
    )


def right_code(console: ConsoleInstance, username: str) -> str:
    """A current code, with the user's last used step cleared (as in a new 30-second window)."""
    enrolment = console.users[username]
    with console.session_factory() as session:
        session.execute(
            update(User).where(User.id == enrolment.user_id).values(totp_last_counter=None)
        )
        session.commit()
    return pyotp.TOTP(enrolment.totp_secret).at(clock.now())


def fail(console: ConsoleInstance, client: FlaskClient, username: str, times: int) -> None:
    for _ in range(times):
        response = post_sign_in(client, username, "not-the-password", right_code(console, username))
        assert response.status_code == 401
        assert REFUSED in response.get_data(as_text=True)


def user_row(console: ConsoleInstance, username: str) -> User:
    with console.session_factory() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


def audit_actions(console: ConsoleInstance) -> list[str]:
    with console.session_factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def audit_details(console: ConsoleInstance, action: str) -> list[dict[str, object]]:
    with console.session_factory() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
        return [dict(entry.details) for entry in entries]


def move_lock_into_the_past(console: ConsoleInstance, username: str) -> None:
    with console.session_factory() as session:
        session.execute(
            update(User)
            .where(User.username == username)
            .values(locked_until=clock.now() - timedelta(seconds=1))
        )
        session.commit()


def test_repeated_failures_lock_the_account_with_the_same_message(
    console: ConsoleInstance,
) -> None:
    console.add_user("erin")
    client = console.app.test_client()
    fail(console, client, "erin", LOCKOUT_THRESHOLD - 1)
    assert user_row(console, "erin").locked_until is None
    assert "sign_in.locked" not in audit_actions(console)

    fail(console, client, "erin", 1)
    user = user_row(console, "erin")
    assert user.failed_sign_ins == LOCKOUT_THRESHOLD
    assert user.locked_until is not None
    remaining = user.locked_until - clock.now()
    assert LOCKOUT_PERIOD - timedelta(minutes=1) < remaining <= LOCKOUT_PERIOD
    assert audit_details(console, "sign_in.locked") == [
        {"failures": LOCKOUT_THRESHOLD, "minutes": 15}
    ]


def test_a_locked_account_is_refused_even_with_the_right_credentials(
    console: ConsoleInstance,
) -> None:
    enrolment = console.add_user("erin")
    client = console.app.test_client()
    fail(console, client, "erin", LOCKOUT_THRESHOLD)

    right = post_sign_in(client, "erin", enrolment.password, right_code(console, "erin"))
    wrong = post_sign_in(client, "erin", "not-the-password", right_code(console, "erin"))
    # Nothing in the answer tells the right password from a wrong one.
    assert right.status_code == wrong.status_code == 401
    assert REFUSED in right.get_data(as_text=True)
    assert REFUSED in wrong.get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    assert audit_details(console, "sign_in.refused")[-2:] == [
        {"reason": "account locked"},
        {"reason": "account locked"},
    ]
    with console.session_factory() as session:
        assert session.scalars(select(ConsoleSession)).all() == []
    # Guessing during the lockout neither counts nor lengthens it.
    assert user_row(console, "erin").failed_sign_ins == LOCKOUT_THRESHOLD
    assert len(audit_details(console, "sign_in.locked")) == 1


def test_the_account_opens_again_once_the_lock_has_passed(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.app.test_client()
    fail(console, client, "erin", LOCKOUT_THRESHOLD)
    move_lock_into_the_past(console, "erin")

    response = post_sign_in(client, "erin", enrolment.password, right_code(console, "erin"))
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    user = user_row(console, "erin")
    assert user.failed_sign_ins == 0
    assert user.locked_until is None


def test_a_failure_after_a_lockout_locks_again_for_longer(console: ConsoleInstance) -> None:
    console.add_user("erin")
    client = console.app.test_client()
    fail(console, client, "erin", LOCKOUT_THRESHOLD)
    move_lock_into_the_past(console, "erin")

    fail(console, client, "erin", 1)
    user = user_row(console, "erin")
    assert user.locked_until is not None
    assert user.locked_until - clock.now() > LOCKOUT_PERIOD
    assert [entry["minutes"] for entry in audit_details(console, "sign_in.locked")] == [15, 30]
    assert lockout_period(LOCKOUT_THRESHOLD + 40) == timedelta(days=1)


def test_a_successful_sign_in_resets_the_count(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.app.test_client()
    fail(console, client, "erin", LOCKOUT_THRESHOLD - 1)
    assert user_row(console, "erin").failed_sign_ins == LOCKOUT_THRESHOLD - 1

    response = post_sign_in(client, "erin", enrolment.password, right_code(console, "erin"))
    assert response.status_code == 302
    assert user_row(console, "erin").failed_sign_ins == 0

    # Consecutive failures count again from zero: as many as before do not lock.
    fail(console, console.app.test_client(), "erin", LOCKOUT_THRESHOLD - 1)
    assert user_row(console, "erin").locked_until is None


def test_a_used_code_is_refused(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.app.test_client()
    code = right_code(console, "erin")
    assert post_sign_in(client, "erin", enrolment.password, code).status_code == 302

    replay = post_sign_in(console.app.test_client(), "erin", enrolment.password, code)
    assert replay.status_code == 401
    assert REFUSED in replay.get_data(as_text=True)
    assert user_row(console, "erin").failed_sign_ins == 1


def test_parallel_failures_are_all_counted(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    attempts = LOCKOUT_THRESHOLD + 1
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt() -> None:
        with console.session_factory() as session:
            barrier.wait()
            try:
                sign_in(
                    session,
                    username="erin",
                    password="not-the-password",
                    code=pyotp.TOTP(enrolment.totp_secret).at(clock.now()),
                    cost=console.settings.password_cost,
                )
                outcomes.append("signed in")
            except SignInFailed:
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["refused"] * attempts
    user = user_row(console, "erin")
    # No increment lost to a race: the threshold was reached and the lock set.
    assert user.failed_sign_ins >= LOCKOUT_THRESHOLD
    assert user.locked_until is not None
    assert len(audit_details(console, "sign_in.locked")) >= 1


def test_a_session_without_a_second_factor_is_refused(console: ConsoleInstance) -> None:
    console.add_user("erin")
    client = console.client_for("erin")
    assert client.get("/console/").status_code == 200
    with console.session_factory() as session:
        session.execute(update(ConsoleSession).values(second_factor_at=None))
        session.commit()

    response = client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/sign-in")
    with console.session_factory() as session:
        assert session.scalars(select(ConsoleSession)).all() == []


def test_too_many_sign_in_attempts_get_a_clear_429_page(console: ConsoleInstance) -> None:
    client = console.app.test_client()
    # An unknown name: the rate limit, not the lockout, is what answers here.
    for _ in range(10):
        assert post_sign_in(client, "nobody", "guess", "123456").status_code == 401
    response = post_sign_in(client, "nobody", "guess", "123456")
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Too many attempts" in text
    assert "Wait a minute, then try again." in text


@pytest.mark.parametrize("field", ["username", "password", "code"])
def test_a_file_in_place_of_a_sign_in_field_is_refused_with_a_message(
    console: ConsoleInstance, field: str
) -> None:
    enrolment = console.add_user("erin")
    client = console.app.test_client()
    data: dict[str, object] = {
        "csrf_token": csrf_token_from(client.get("/console/sign-in").get_data(as_text=True)),
        "username": "erin",
        "password": enrolment.password,
        "code": pyotp.TOTP(enrolment.totp_secret).at(clock.now()),
    }
    data[field] = (io.BytesIO(b"erin"), "name.txt")
    response = client.post("/console/sign-in", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "A file was sent where the form expects text." in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302  # not signed in


def test_a_json_body_in_place_of_the_sign_in_form_is_refused(console: ConsoleInstance) -> None:
    console.add_user("erin")
    client = console.app.test_client()
    token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
    for body in ({"username": {"name": "erin"}, "password": "x", "code": "123456"}, [1, 2]):
        response = client.post("/console/sign-in", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400, body
        assert "User name" in response.get_data(as_text=True)


def test_a_failed_sign_in_does_the_same_database_work_whether_or_not_one_factor_was_right(
    console: ConsoleInstance,
) -> None:
    """Only a failure with one factor right counts, but every failure runs the same statements.

    Otherwise the time taken would tell a guesser that the password was right.
    """
    enrolment = console.add_user("erin")

    def statements(password: str) -> list[str]:
        seen: list[str] = []

        def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
            seen.append(statement)

        event.listen(console.engine, "before_cursor_execute", record)
        try:
            with console.session_factory() as session, pytest.raises(SignInFailed):
                sign_in(
                    session,
                    username="erin",
                    password=password,
                    code="000000",
                    cost=console.settings.password_cost,
                )
        finally:
            event.remove(console.engine, "before_cursor_execute", record)
        return seen

    assert statements(enrolment.password) == statements("not-the-password")
    with console.session_factory() as session:
        # The first attempt counted (the password was right), the second did not.
        assert session.get_one(User, enrolment.user_id).failed_sign_ins == 1
