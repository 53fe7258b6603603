"""Console sign-in: password plus TOTP, deny by default, sessions that end."""

import re
import threading
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import delete, event, select

from crypto import PublicKey
from reporting.accounts.enrolment import create_user
from reporting.accounts.sign_in import SignInFailed, sign_in
from reporting.core import clock
from reporting.core.models import AuditEntry, ConsoleSession, Queue, QueueMembership, Role, User
from tests.console.route_paths import console_routes
from tests.fixtures.app import csrf_token_from


@pytest.fixture
def investigator(app):
    factory = app.extensions["vigil"].session_factory
    with factory() as session:
        queue = Queue(slug="export-control", name="Export control")
        session.add(queue)
        enrolment = create_user(
            session,
            username="erin",
            display_name="Erin Export",
            role=Role.INVESTIGATOR,
            cost=app.extensions["vigil"].settings.password_cost,
        )
        session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queue.id))
        session.commit()
    return enrolment


def post_sign_in(client, username, password, code, *, with_csrf=True):
    page = client.get("/console/sign-in")
    data = {"username": username, "password": password, "code": code}
    if with_csrf:
        data["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
    return client.post("/console/sign-in", data=data)


def test_every_console_page_but_sign_in_needs_a_session(app, client):
    for rule, method, path in console_routes(app):
        if rule.endpoint == "console.sign_in":
            continue
        if method == "GET":
            response = client.get(path)
        else:
            # A fresh token each time: each redirect to sign-in clears the cookie session.
            token = csrf_token_from(client.get("/console/sign-in").get_data(as_text=True))
            response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].endswith("/console/sign-in"), rule.rule


def test_sign_in_with_password_and_code_opens_the_console(app, client, investigator):
    code = pyotp.TOTP(investigator.totp_secret).at(clock.now())
    response = post_sign_in(client, "erin", investigator.password, code)
    assert response.status_code == 302
    home = client.get("/console/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert "Erin Export" in text
    assert "Export control" in text
    with app.extensions["vigil"].session_factory() as session:
        assert len(session.scalar(select(ConsoleSession)).session_key) == 76
        actions = session.scalars(select(AuditEntry.action)).all()
        public_key = session.scalar(select(User.public_key).where(User.username == "erin"))
    assert "sign_in" in actions
    assert PublicKey(public_key).fingerprint in text


@pytest.mark.parametrize("wrong", ["password", "code", "user"])
def test_wrong_credentials_are_refused_with_one_message(client, investigator, wrong):
    username = "nobody" if wrong == "user" else "erin"
    password = "not-the-password" if wrong == "password" else investigator.password
    code = "000000" if wrong == "code" else pyotp.TOTP(investigator.totp_secret).at(clock.now())
    if wrong == "code" and code == pyotp.TOTP(investigator.totp_secret).at(clock.now()):
        code = "111111"
    response = post_sign_in(client, username, password, code)
    assert response.status_code == 401
    assert "The user name, password or code is not correct." in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_a_used_code_cannot_be_replayed(client, investigator):
    code = pyotp.TOTP(investigator.totp_secret).at(clock.now())
    assert post_sign_in(client, "erin", investigator.password, code).status_code == 302
    token = csrf_token_from(client.get("/console/").get_data(as_text=True))
    client.post("/console/sign-out", data={"csrf_token": token})
    assert client.get("/console/").status_code == 302
    assert post_sign_in(client, "erin", investigator.password, code).status_code == 401


def test_sign_in_without_csrf_token_is_refused(client, investigator):
    code = pyotp.TOTP(investigator.totp_secret).at(clock.now())
    response = post_sign_in(client, "erin", investigator.password, code, with_csrf=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_sign_out_ends_the_session_row(app, client, investigator):
    code = pyotp.TOTP(investigator.totp_secret).at(clock.now())
    post_sign_in(client, "erin", investigator.password, code)
    token = csrf_token_from(client.get("/console/").get_data(as_text=True))
    assert client.post("/console/sign-out", data={"csrf_token": token}).status_code == 302
    with app.extensions["vigil"].session_factory() as session:
        assert session.scalars(select(ConsoleSession)).all() == []


def test_sign_in_over_https_is_accepted(app, investigator):
    # Browsers send no Referer (the site's policy is no-referrer); HTTPS form
    # posts must still pass the CSRF check.
    client = app.test_client()
    page = client.get("/console/sign-in", base_url="https://vigil.example")
    response = client.post(
        "/console/sign-in",
        base_url="https://vigil.example",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "username": "erin",
            "password": investigator.password,
            "code": pyotp.TOTP(investigator.totp_secret).at(clock.now()),
        },
    )
    assert response.status_code == 302


def test_a_malformed_code_is_explained_next_to_the_field(client, investigator):
    response = post_sign_in(client, "erin", investigator.password, "١٢٣٤٥٦")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="code-error"' in html
    assert "Enter the six digits." in html
    assert 'aria-describedby="code-hint code-error"' in html


def test_refused_sign_ins_do_not_record_the_typed_name(app, client, investigator):
    post_sign_in(client, "my-password-typed-in-the-wrong-box", "x", "123456")
    with app.extensions["vigil"].session_factory() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign_in.refused")
        ).all()
    assert len(entries) == 1
    assert "wrong-box" not in str(entries[0].details)


def test_an_idle_session_ends(app, client, investigator):
    post_sign_in(
        client, "erin", investigator.password, pyotp.TOTP(investigator.totp_secret).at(clock.now())
    )
    assert client.get("/console/").status_code == 200
    with app.extensions["vigil"].session_factory() as session:
        console_session = session.scalar(select(ConsoleSession))
        console_session.last_seen_at -= timedelta(minutes=31)
        session.commit()
    assert client.get("/console/").status_code == 302
    with app.extensions["vigil"].session_factory() as session:
        assert session.scalars(select(ConsoleSession)).all() == []


def test_one_code_used_by_two_simultaneous_sign_ins_opens_one_session(app, investigator):
    factory = app.extensions["vigil"].session_factory
    cost = app.extensions["vigil"].settings.password_cost
    code = pyotp.TOTP(investigator.totp_secret).at(clock.now())
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        with factory() as session:
            barrier.wait()
            try:
                sign_in(
                    session, username="erin", password=investigator.password, code=code, cost=cost
                )
                outcomes.append("signed in")
            except SignInFailed:
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "signed in"]
    with factory() as session:
        assert len(session.scalars(select(ConsoleSession)).all()) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/console/"), ("GET", "/console/account"), ("POST", "/console/sign-out")],
)
def test_a_request_that_races_its_own_sign_out_is_no_server_error(
    app, client, investigator, method, path
):
    code = pyotp.TOTP(investigator.totp_secret).at(clock.now())
    post_sign_in(client, "erin", investigator.password, code)
    token = csrf_token_from(client.get("/console/account").get_data(as_text=True))
    engine = app.extensions["vigil"].engine
    signed_out_elsewhere = []

    # The sign-out in another tab lands while this request is under way: at
    # the moment it first reads the users table, after it found its session.
    def sign_out_elsewhere(_connection, _cursor, statement, *_args):
        if not signed_out_elsewhere and re.match(r"\s*SELECT\b.*\bFROM users\b", statement, re.S):
            signed_out_elsewhere.append(True)
            with engine.begin() as other:
                other.execute(delete(ConsoleSession))

    event.listen(engine, "before_cursor_execute", sign_out_elsewhere)
    try:
        response = client.open(path, method=method, data={"csrf_token": token})
    finally:
        event.remove(engine, "before_cursor_execute", sign_out_elsewhere)
    assert signed_out_elsewhere
    # It either finishes as it began or is sent to sign in; the next one is signed out.
    assert response.status_code in {200, 302}, response.status_code
    if response.status_code == 302:
        assert response.headers["Location"].endswith("/console/sign-in")
    follow = client.get("/console/")
    assert follow.status_code == 302
    assert follow.headers["Location"].endswith("/console/sign-in")
