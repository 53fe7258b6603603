"""The user's own account: password change, forced change, other sessions, admin resets."""

from __future__ import annotations

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from crypto import PublicKey, unlock_private_key, unwrap_report_key
from reporting.accounts.enrolment import create_user
from reporting.accounts.resets import reset_password, reset_second_factor
from reporting.accounts.sign_in import SignInFailed, sign_in
from reporting.console import PASSWORD_CHANGE_ENDPOINTS
from reporting.core import clock
from reporting.core.models import AuditEntry, ConsoleSession, HolderKind, Role, User, Wrap
from tests.console.conftest import ConsoleInstance, export_control_tip
from tests.console.route_paths import console_routes
from tests.fixtures.app import csrf_token_from

NEW_PASSWORD = "correct horse battery staple"


def change(
    client: FlaskClient,
    current: str,
    new: str = NEW_PASSWORD,
    confirmation: str | None = None,
) -> TestResponse:
    page = client.get("/console/account")
    assert page.status_code == 200
    return client.post(
        "/console/account/password",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "current_password": current,
            "new_password": new,
            "confirmation": new if confirmation is None else confirmation,
        },
    )


def user_row(console: ConsoleInstance, username: str) -> User:
    with console.session_factory() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


def try_sign_in(console: ConsoleInstance, username: str, password: str) -> bool:
    enrolment = console.users[username]
    with console.session_factory() as session:
        session.execute(
            update(User).where(User.username == username).values(totp_last_counter=None)
        )
        session.commit()
        try:
            sign_in(
                session,
                username=username,
                password=password,
                code=pyotp.TOTP(enrolment.totp_secret).at(clock.now()),
                cost=console.settings.password_cost,
            )
        except SignInFailed:
            return False
    return True


def audit_details(console: ConsoleInstance, action: str) -> list[dict[str, object]]:
    with console.session_factory() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
        return [dict(entry.details) for entry in entries]


def test_the_account_page_shows_who_you_are(console: ConsoleInstance) -> None:
    console.add_user("erin", queues=("export-control", "sanctions"), display_name="Erin Export")
    client = console.client_for("erin")
    console.client_for("erin")  # a second session elsewhere
    page = client.get("/console/account")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    user = user_row(console, "erin")
    assert "Erin Export" in text
    assert "investigator" in text
    assert PublicKey(user.public_key).fingerprint in text
    assert "Export control" in text
    assert "Sanctions" in text
    assert "You are signed in 2 times" in text
    assert 'href="/console/account"' in text  # in the navigation


def test_changing_the_password_keeps_the_key_and_ends_other_sessions(
    console: ConsoleInstance,
) -> None:
    enrolment = console.add_user("erin", queues=("export-control",))
    filed = console.file_report(export_control_tip())
    console.triage()
    other = console.client_for("erin")
    client = console.client_for("erin")
    before = user_row(console, "erin")

    response = change(client, enrolment.password)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/account?done=password&ended=1")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Your password has been changed." in page.get_data(as_text=True)
    assert "1 other session ended." in page.get_data(as_text=True)

    # This session carries on; the one signed in before the change is over.
    assert client.get("/console/").status_code == 200
    ended = other.get("/console/")
    assert ended.status_code == 302
    assert ended.headers["Location"].endswith("/console/sign-in")

    after = user_row(console, "erin")
    assert after.public_key == before.public_key
    assert after.session_generation == before.session_generation + 1
    assert not try_sign_in(console, "erin", enrolment.password)
    assert try_sign_in(console, "erin", NEW_PASSWORD)

    # The same private key, now under the new password, opens the case's wrap.
    private_key = unlock_private_key(after.locked_private_key, NEW_PASSWORD)
    with console.session_factory() as session:
        wrap = session.scalar(
            select(Wrap)
            .where(Wrap.report_id == filed.report_id)
            .where(Wrap.user_id == enrolment.user_id)
        )
        assert wrap is not None
        assert unwrap_report_key(wrap.wrapped_key, private_key) == filed.key
    assert audit_details(console, "account.password_change") == [{"sessions_ended": 1}]


def bad_change_is_refused(
    console: ConsoleInstance, response: TestResponse, field: str, message: str
) -> None:
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html


def test_a_wrong_current_password_changes_nothing(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.client_for("erin")
    before = user_row(console, "erin")
    response = change(client, "not-my-password")
    bad_change_is_refused(
        console, response, "current_password", "The current password is not correct."
    )
    after = user_row(console, "erin")
    assert after.password_hash == before.password_hash
    assert after.locked_private_key == before.locked_private_key
    assert after.session_generation == before.session_generation
    assert try_sign_in(console, "erin", enrolment.password)
    assert audit_details(console, "account.password_change_refused") == [
        {"field": "current_password"}
    ]


def test_new_passwords_that_do_not_match_are_refused(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.client_for("erin")
    before = user_row(console, "erin")
    response = change(client, enrolment.password, confirmation=NEW_PASSWORD + "!")
    bad_change_is_refused(console, response, "confirmation", "The two new passwords do not match.")
    assert user_row(console, "erin").password_hash == before.password_hash


def test_a_short_new_password_is_refused(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.client_for("erin")
    before = user_row(console, "erin")
    response = change(client, enrolment.password, new="short-pass")
    bad_change_is_refused(
        console, response, "new_password", "Choose a password of at least 12 characters."
    )
    assert user_row(console, "erin").password_hash == before.password_hash


def test_the_current_password_cannot_be_kept(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin")
    client = console.client_for("erin")
    before = user_row(console, "erin")
    response = change(client, enrolment.password, new=enrolment.password)
    bad_change_is_refused(
        console,
        response,
        "new_password",
        "The new password must be different from the current one.",
    )
    assert user_row(console, "erin").locked_private_key == before.locked_private_key


def test_a_password_chosen_by_someone_else_must_be_changed_first(
    console: ConsoleInstance,
) -> None:
    enrolment = console.add_user("erin", role=Role.ADMIN)
    with console.session_factory() as session:
        session.execute(
            update(User).where(User.username == "erin").values(password_change_required=True)
        )
        session.commit()
    client = console.app.test_client()
    console.sign_in(client, "erin")

    for rule, method, path in console_routes(console.app):
        if rule.endpoint in PASSWORD_CHANGE_ENDPOINTS | {"console.sign_in"}:
            continue
        if method == "GET":
            response = client.get(path)
        else:
            token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
            response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/console/account"), path
    page = client.get("/console/account")
    assert page.status_code == 200
    assert "Choose your own password" in page.get_data(as_text=True)

    assert change(client, enrolment.password).status_code == 302
    assert not user_row(console, "erin").password_change_required
    assert client.get("/console/").status_code == 200


def test_sign_in_with_a_password_to_change_lands_on_the_account_page(
    console: ConsoleInstance,
) -> None:
    with console.session_factory() as session:
        enrolment = create_user(
            session,
            username="ann",
            display_name="Ann Admin-Made",
            role=Role.INVESTIGATOR,
            cost=console.settings.password_cost,
            chosen_by_admin=True,
        )
        session.commit()
    console.users["ann"] = enrolment
    assert user_row(console, "ann").password_change_required
    client = console.app.test_client()
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "username": "ann",
            "password": enrolment.password,
            "code": pyotp.TOTP(enrolment.totp_secret).at(clock.now()),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/account")
    # Signing out stays possible.
    token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
    assert client.post("/console/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/account").status_code == 302


def test_sign_out_everywhere_else_keeps_this_session(console: ConsoleInstance) -> None:
    console.add_user("erin")
    others = [console.client_for("erin") for _ in range(2)]
    client = console.client_for("erin")
    token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
    response = client.post("/console/account/sign-out-others", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Your other sessions have been signed out." in page.get_data(as_text=True)
    assert "2 other sessions ended." in page.get_data(as_text=True)
    assert "You are signed in 1 time," in page.get_data(as_text=True)
    for other in others:
        assert other.get("/console/").status_code == 302
    with console.session_factory() as session:
        assert len(session.scalars(select(ConsoleSession)).all()) == 1
    assert audit_details(console, "account.sign_out_others") == [{"sessions_ended": 2}]


def test_password_change_attempts_are_rate_limited(console: ConsoleInstance) -> None:
    console.add_user("erin")
    client = console.client_for("erin")
    for _ in range(5):
        assert change(client, "a-wrong-guess").status_code == 400
    response = change(client, "another-wrong-guess")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_an_admin_reset_gives_a_new_key_and_a_password_to_change(
    console: ConsoleInstance,
) -> None:
    admin = console.add_user("ada", role=Role.ADMIN)
    enrolment = console.add_user("erin", queues=("export-control",))
    console.file_report(export_control_tip())
    console.triage()
    client = console.client_for("erin")
    before = user_row(console, "erin")

    with console.session_factory() as session:
        reset = reset_password(
            session,
            enrolment.user_id,
            actor_user_id=admin.user_id,
            cost=console.settings.password_cost,
        )
        session.commit()
    assert reset.wraps_deleted == 1
    assert reset.password not in repr(reset)

    after = user_row(console, "erin")
    assert after.public_key != before.public_key
    assert reset.fingerprint == PublicKey(after.public_key).fingerprint
    assert after.password_change_required
    assert client.get("/console/").status_code == 302  # the old session is over
    with console.session_factory() as session:
        assert (
            session.scalars(
                select(Wrap).where(Wrap.holder_kind == HolderKind.USER, Wrap.user_id == after.id)
            ).all()
            == []
        )
    assert not try_sign_in(console, "erin", enrolment.password)
    assert try_sign_in(console, "erin", reset.password)
    assert unlock_private_key(after.locked_private_key, reset.password).public_key == PublicKey(
        after.public_key
    )
    [details] = audit_details(console, "user.password_reset")
    assert details["wraps_deleted"] == 1
    assert details["sessions_ended"] == 1


def test_an_admin_reset_of_the_second_factor(console: ConsoleInstance) -> None:
    admin = console.add_user("ada", role=Role.ADMIN)
    enrolment = console.add_user("erin")
    client = console.client_for("erin")
    with console.session_factory() as session:
        secret = reset_second_factor(session, enrolment.user_id, actor_user_id=admin.user_id)
        session.commit()
    assert secret != enrolment.totp_secret
    assert client.get("/console/").status_code == 302
    assert not try_sign_in(console, "erin", enrolment.password)  # the old authenticator
    assert user_row(console, "erin").totp_last_counter is None
    console.users["erin"] = type(enrolment)(
        user_id=enrolment.user_id,
        username="erin",
        role=enrolment.role,
        password=enrolment.password,
        totp_secret=secret,
    )
    assert try_sign_in(console, "erin", enrolment.password)
    assert audit_details(console, "user.second_factor_reset") == [{"sessions_ended": 1}]
