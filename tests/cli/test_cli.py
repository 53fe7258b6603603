"""The `vigil` command as an operator runs it: a real process, real files, a real database."""

import os
import re
import socket
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import create_engine, text

from reporting.app import create_app
from reporting.core import clock
from reporting.core.settings import Settings
from tests.fixtures.app import csrf_token_from
from tests.pinned_cli import vigil_command

PASSPHRASE = "correct horse battery staple"


def run_vigil(*args, env, stdin=subprocess.DEVNULL, timeout=120):
    return subprocess.run(
        [*vigil_command(), *args],
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def vigil_env(tmp_path, database_url):
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env.update(
        VIGIL_INSTANCE=str(tmp_path / "instance"),
        VIGIL_DATABASE_URL=database_url,
        VIGIL_PASSWORD_COST="minimal",
        VIGIL_INTAKE_PASSPHRASE=PASSPHRASE,
    )
    return env


@pytest.fixture
def initialised(vigil_env):
    result = run_vigil("init", env=vigil_env)
    assert result.returncode == 0, result.stderr
    return result


def test_init_creates_database_key_file_and_admin(initialised, vigil_env, database_url):
    out = initialised.stdout
    key_file = Path(vigil_env["VIGIL_INSTANCE"]) / "intake.key"
    assert key_file.read_text().splitlines()[0] == "vigil intake private key v1"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    fingerprint = re.search(r"Intake key fingerprint: ([0-9A-F ]+)", out).group(1).strip()
    assert re.fullmatch(r"([0-9A-F]{4} ){9}[0-9A-F]{4}", fingerprint)
    assert "otpauth://totp/Vigil:admin?secret=" in out
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT fingerprint FROM intake_keys")).scalar_one()
            == fingerprint
        )
        assert connection.execute(text("SELECT role FROM users")).scalar_one() == "admin"
        assert connection.execute(text("SELECT count(*) FROM queues")).scalar_one() == 4
    engine.dispose()


def test_init_refuses_an_existing_database(initialised, vigil_env):
    key_file = Path(vigil_env["VIGIL_INSTANCE"]) / "intake.key"
    before = key_file.read_bytes()
    again = run_vigil("init", env=vigil_env)
    assert again.returncode == 1
    assert "already holds a Vigil instance" in again.stderr
    assert "Traceback" not in again.stderr
    assert key_file.read_bytes() == before


def test_a_failed_init_can_be_run_again(vigil_env):
    key_file = Path(vigil_env["VIGIL_INSTANCE"]) / "intake.key"
    key_file.parent.mkdir(parents=True)
    key_file.write_text("someone else's key\n")
    refused = run_vigil("init", env=vigil_env)
    assert refused.returncode == 1
    assert "refusing to overwrite an intake key" in refused.stderr
    assert key_file.read_text() == "someone else's key\n"
    key_file.unlink()
    again = run_vigil("init", env=vigil_env)
    assert again.returncode == 0, again.stderr


def test_init_without_passphrase_is_refused(vigil_env):
    del vigil_env["VIGIL_INTAKE_PASSPHRASE"]
    result = run_vigil("init", env=vigil_env)
    assert result.returncode == 1
    assert "missing intake key passphrase" in result.stderr
    assert not (Path(vigil_env["VIGIL_INSTANCE"]) / "intake.key").exists()


def test_init_with_unreachable_database_is_refused(vigil_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    vigil_env["VIGIL_DATABASE_URL"] = f"postgresql://vigil@127.0.0.1:{closed_port}/vigil"
    result = run_vigil("init", env=vigil_env)
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_intake_check_tells_a_wrong_passphrase(initialised, vigil_env):
    good = run_vigil("intake", "check", env=vigil_env)
    assert good.returncode == 0, good.stderr
    assert "intake key unlocked" in good.stdout
    vigil_env["VIGIL_INTAKE_PASSPHRASE"] = "wrong passphrase"
    bad = run_vigil("intake", "check", env=vigil_env)
    assert bad.returncode == 1
    assert "wrong passphrase" in bad.stderr


def test_commands_on_an_empty_database_say_to_run_init(vigil_env):
    result = run_vigil("audit", "verify", env=vigil_env)
    assert result.returncode == 1
    assert "run `vigil init`" in result.stderr


def test_audit_verify_names_an_edited_row(initialised, vigil_env, database_url):
    ok = run_vigil("audit", "verify", env=vigil_env)
    assert ok.returncode == 0, ok.stderr
    assert "audit log intact" in ok.stdout
    engine = create_engine(database_url)
    with engine.begin() as connection:
        # The append-only triggers stop honest mistakes; someone in control of
        # the database removes them first, and the hash chain must still tell.
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
        seq = connection.execute(text("SELECT min(seq) FROM audit_log")).scalar_one()
        connection.execute(
            text("UPDATE audit_log SET action = 'user.delete' WHERE seq = :seq"), {"seq": seq}
        )
    engine.dispose()
    broken = run_vigil("audit", "verify", env=vigil_env)
    assert broken.returncode == 1
    assert f"entry {seq} was changed" in broken.stderr
    assert "audit log damaged" in broken.stderr


def test_demo_prints_logins_that_sign_in(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
    env["VIGIL_INSTANCE"] = str(tmp_path / "demo")
    result = run_vigil("demo", "--no-serve", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "http://127.0.0.1:5000/console" in out
    logins = dict(re.findall(r"^  (\w+)\s+\w+\s+password: (\S+)$", out, re.MULTILINE))
    assert set(logins) == {"admin", "supervisor", "export", "sanctions", "finance", "auditor"}
    secrets = re.findall(r"TOTP secret: ([A-Z2-7]+)", out)
    export_secret = secrets[list(logins).index("export")]

    settings = Settings.from_env(
        {"VIGIL_INSTANCE": env["VIGIL_INSTANCE"], "VIGIL_SECURE_COOKIES": "false"}
    )
    client = create_app(settings).test_client()
    page = client.get("/console/sign-in").get_data(as_text=True)
    response = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(page),
            "username": "export",
            "password": logins["export"],
            "code": pyotp.TOTP(export_secret).at(clock.now()),
        },
    )
    assert response.status_code == 302
    assert "Erin Export" in client.get("/console/").get_data(as_text=True)

    # Running the demo again recreates it: the old logins stop working.
    again = run_vigil("demo", "--no-serve", env=env)
    assert again.returncode == 0, again.stderr
    assert logins["export"] not in again.stdout


def test_serve_answers_on_localhost_without_access_log(initialised, vigil_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*vigil_command(), "serve", "--port", str(port), "--workers", "1"],
        env=vigil_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    body = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Report illicit procurement" in body
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")
        # A malformed request makes gunicorn complain; it must not name the client.
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
            raw.recv(1024)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "invalid request refused" in err
    assert "GET /" not in out + err
    assert "127.0.0.1" not in out + err
