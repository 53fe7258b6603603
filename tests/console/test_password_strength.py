"""Passwords are checked for strength, not only length, wherever one is set."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from reporting.accounts.enrolment import WeakPassword, create_user, generate_password
from reporting.accounts.password_policy import password_problem
from reporting.accounts.resets import reset_password
from reporting.admin.users import enrol_user
from reporting.core.models import Role, User
from tests.console.conftest import ConsoleInstance
from tests.console.test_account import (
    NEW_PASSWORD,
    audit_details,
    bad_change_is_refused,
    change,
    user_row,
)
from tests.console.test_admin import _post, _sheet_values
from tests.pinned_cli import vigil_command

WEAK = [
    ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
    ("password1234", "This is a very common password."),
    ("abcdefghijkl", 'Sequences like "abc" or "6543" are easy to guess.'),
]


@pytest.mark.parametrize(("weak", "advice"), WEAK)
def test_a_weak_new_password_is_refused_beside_the_field(
    console: ConsoleInstance, weak: str, advice: str
) -> None:
    enrolment = console.add_user("erin")
    client = console.client_for("erin")
    before = user_row(console, "erin")
    response = change(client, enrolment.password, new=weak)
    bad_change_is_refused(console, response, "new_password", "This password is too easy to guess.")
    html = response.get_data(as_text=True).replace("&#34;", '"').replace("&quot;", '"')
    error = re.search(r'<p class="field-error" id="new_password-error">(.*?)</p>', html, re.S)
    assert error
    assert advice in error.group(1)
    after = user_row(console, "erin")
    assert after.password_hash == before.password_hash
    assert after.locked_private_key == before.locked_private_key
    assert audit_details(console, "account.password_change_refused") == [{"field": "new_password"}]


def test_the_users_own_name_does_not_make_a_password(console: ConsoleInstance) -> None:
    enrolment = console.add_user("erin", display_name="Erin Export")
    client = console.client_for("erin")
    response = change(client, enrolment.password, new="erinexport2026")
    bad_change_is_refused(console, response, "new_password", "This password is too easy to guess.")


def test_the_forced_change_after_a_reset_is_checked_too(console: ConsoleInstance) -> None:
    admin = console.add_user("ada", role=Role.ADMIN)
    enrolment = console.add_user("erin")
    with console.session_factory() as session:
        reset = reset_password(
            session,
            enrolment.user_id,
            actor_user_id=admin.user_id,
            cost=console.settings.password_cost,
        )
        session.commit()
    assert password_problem(reset.password) is None
    console.users["erin"] = type(enrolment)(
        enrolment.user_id, "erin", enrolment.role, reset.password, enrolment.totp_secret
    )
    client = console.client_for("erin")
    assert client.get("/console/").headers["Location"].endswith("/console/account")
    weak = change(client, reset.password, new="password1234")
    bad_change_is_refused(console, weak, "new_password", "This is a very common password.")
    assert user_row(console, "erin").password_change_required
    assert change(client, reset.password, new=NEW_PASSWORD).status_code == 302
    assert not user_row(console, "erin").password_change_required


def test_the_enrolment_sheet_password_passes(console: ConsoleInstance) -> None:
    console.add_user("ada", role=Role.ADMIN)
    admin = console.client_for("ada")
    response = _post(
        admin,
        "/console/admin/users",
        "/console/admin/users",
        {"username": "ivan", "display_name": "Ivan Petrov", "role": "investigator"},
    )
    assert response.status_code == 200
    password, _secret = _sheet_values(response.get_data(as_text=True))
    assert password_problem(password, user_inputs=["ivan", "Ivan Petrov"]) is None
    with console.session_factory() as session:
        sheet = enrol_user(
            session,
            username="olga",
            display_name="Olga",
            role=Role.SUPERVISOR,
            queue_slugs=(),
            cost=console.settings.password_cost,
            actor_user_id=_admin_id(console),
        )
        session.commit()
    assert sheet.password is not None
    assert password_problem(sheet.password) is None


def _admin_id(console: ConsoleInstance) -> int:
    with console.session_factory() as session:
        return session.scalars(select(User.id).where(User.username == "ada")).one()


def test_generated_passwords_pass() -> None:
    for _ in range(200):
        assert password_problem(generate_password()) is None


def test_a_weak_password_given_to_create_user_is_refused(console: ConsoleInstance) -> None:
    with console.session_factory() as session, pytest.raises(WeakPassword, match="too easy"):
        create_user(
            session,
            username="weak",
            display_name="Weak",
            role=Role.INVESTIGATOR,
            cost=console.settings.password_cost,
            password="password1234",
        )


def test_init_refuses_a_weak_intake_passphrase_and_its_admin_password_passes(
    tmp_path: Path,
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE="password1234",
    )

    def init() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*vigil_command(), "init"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    refused = init()
    assert refused.returncode == 1
    assert "intake key passphrase" in refused.stderr
    assert "This is a very common password." in refused.stderr
    assert not (tmp_path / "instance" / "intake.key").exists()

    env["VIGIL_INTAKE_PASSPHRASE"] = "correct horse battery staple"
    done = init()
    assert done.returncode == 0, done.stderr
    password = re.search(r"password: (\S+)", done.stdout)
    assert password
    assert password_problem(password.group(1), user_inputs=["admin"]) is None
