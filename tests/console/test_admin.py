"""The administrator's pages: users, queues, routing rules, screening lists, retention."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from reporting.admin.retention import purge_closed_cases
from reporting.cli.main import main as vigil_cli
from reporting.core import clock
from reporting.core.blobstore import PENDING_DELETIONS_FILE, FilesystemBlobStore
from reporting.core.models import (
    Attachment,
    AuditEntry,
    Author,
    Message,
    MessageKind,
    Queue,
    QueueMembership,
    Report,
    ReportStatus,
    Role,
    RoutingRule,
    ScreeningList,
    User,
    Wrap,
    current_hour,
)
from tests.console.conftest import ConsoleInstance, FiledCase, export_control_tip
from tests.fixtures.app import csrf_token_from
from tests.triage.conftest import REAL_LISTS

DPL_FILE = REAL_LISTS / "bis_dpl.txt"  # the real BIS Denied Persons List


def _post(client: FlaskClient, page_url: str, action_url: str, data: dict[str, object]):
    page = client.get(page_url)
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(action_url, data={"csrf_token": token, **data})


@pytest.fixture
def admin(console: ConsoleInstance) -> FlaskClient:
    console.add_user("ada", role=Role.ADMIN)
    return console.client_for("ada")


def _user_id(console: ConsoleInstance, username: str) -> int:
    with console.session_factory() as session:
        return session.scalars(select(User.id).where(User.username == username)).one()


def _queue_id(console: ConsoleInstance, slug: str) -> int:
    with console.session_factory() as session:
        return session.scalars(select(Queue.id).where(Queue.slug == slug)).one()


# ---------------------------------------------------------------- access


def _admin_urls(console: ConsoleInstance) -> list[tuple[str, str]]:
    """(method, url) of every admin endpoint, ids filled with 1."""
    urls = []
    for rule in console.app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.admin_"):
            continue
        url = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)
        urls += [
            (method, url) for method in sorted(rule.methods or ()) if method in {"GET", "POST"}
        ]
    return urls


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.SUPERVISOR, Role.AUDITOR])
def test_every_admin_page_is_refused_to_other_roles(console: ConsoleInstance, role: Role) -> None:
    console.add_user(
        "someone", role=role, queues=("export-control",) if role != Role.AUDITOR else ()
    )
    client = console.client_for("someone")
    token = csrf_token_from(client.get("/console/").get_data(as_text=True))
    urls = _admin_urls(console)
    for name in ("users", "queues", "rules", "lists", "retention"):
        assert ("GET", f"/console/admin/{name}") in urls
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, url)


def test_an_admin_sees_the_admin_navigation_and_pages(console: ConsoleInstance, admin) -> None:
    home = admin.get("/console/").get_data(as_text=True)
    for label in ("Users", "Queues", "Routing rules", "Screening lists", "Retention"):
        assert label in home
    for name in ("users", "queues", "rules", "lists", "retention"):
        assert admin.get(f"/console/admin/{name}").status_code == 200


# ---------------------------------------------------------------- users


def _sheet_values(page: str) -> tuple[str, str]:
    password = re.search(r'class="one-time-password">([^<]+)<', page)
    secret = re.search(r'class="totp-secret">([^<]+)<', page)
    assert password
    assert secret
    return html.unescape(password.group(1)), html.unescape(secret.group(1))


def test_an_admin_enrols_an_investigator_who_then_signs_in(console: ConsoleInstance, admin) -> None:
    response = _post(
        admin,
        "/console/admin/users",
        "/console/admin/users",
        {
            "username": "ivan",
            "display_name": "Ivan Petrov",
            "role": "investigator",
            "queues": ["export-control", "sanctions"],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    # The QR code is inline SVG markup from our own origin, with no style attribute
    # (the CSP has no 'unsafe-inline' for styles) and no data: URI.
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.DOTALL)
    assert svg
    assert 'class="totp-qr"' in svg.group(0)
    assert "style=" not in svg.group(0)
    assert "data:" not in page
    password, secret = _sheet_values(page)
    assert len(password) >= 20
    assert secret in page

    with console.session_factory() as session:
        user = session.scalars(select(User).where(User.username == "ivan")).one()
        assert user.role == Role.INVESTIGATOR
        assert user.totp_secret == secret
        slugs = set(
            session.scalars(
                select(Queue.slug)
                .join(QueueMembership, QueueMembership.queue_id == Queue.id)
                .where(QueueMembership.user_id == user.id)
            )
        )
        assert slugs == {"export-control", "sanctions"}
        actions = set(session.scalars(select(AuditEntry.action)))
        assert "admin.user_enrol" in actions

    # The sheet is not stored: the user page shows neither value again.
    detail = admin.get(f"/console/admin/users/{_user_id(console, 'ivan')}").get_data(as_text=True)
    assert password not in detail
    assert secret not in detail

    client = console.app.test_client()
    sign_in = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(sign_in.get_data(as_text=True)),
            "username": "ivan",
            "password": password,
            "code": pyotp.TOTP(secret).at(clock.now()),
        },
    )
    assert response.status_code == 302
    # An administrator saw the password: the user must choose their own first.
    assert response.headers["Location"].endswith("/console/account")


def test_enrolment_refuses_a_taken_name_with_a_message(console: ConsoleInstance, admin) -> None:
    console.add_user("ivan")
    response = _post(
        admin,
        "/console/admin/users",
        "/console/admin/users",
        {"username": "ivan", "display_name": "Another Ivan", "role": "investigator"},
    )
    assert response.status_code == 400
    assert "is taken" in response.get_data(as_text=True)
    with console.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2


def test_an_auditor_cannot_be_put_in_a_queue(console: ConsoleInstance, admin) -> None:
    response = _post(
        admin,
        "/console/admin/users",
        "/console/admin/users",
        {"username": "aud", "display_name": "Aud", "role": "auditor", "queues": ["sanctions"]},
    )
    assert response.status_code == 400
    assert "auditor cannot belong to a queue" in response.get_data(as_text=True)


def test_deactivation_ends_the_users_session(console: ConsoleInstance, admin) -> None:
    console.add_user("erin", queues=("export-control",))
    erin = console.client_for("erin")
    assert erin.get("/console/").status_code == 200
    user_id = _user_id(console, "erin")
    url = f"/console/admin/users/{user_id}"
    response = _post(admin, url, f"{url}/deactivate", {})
    assert response.status_code == 302
    assert "deactivated" in admin.get(url).get_data(as_text=True)
    after = erin.get("/console/")
    assert after.status_code == 302
    assert after.headers["Location"].endswith("/console/sign-in")
    # And she cannot sign in again until reactivated.
    with pytest.raises(AssertionError):
        console.client_for("erin")
    assert _post(admin, url, f"{url}/reactivate", {}).status_code == 302
    assert console.client_for("erin").get("/console/").status_code == 200


def test_an_admin_lifts_a_sign_in_lockout(console: ConsoleInstance, admin) -> None:
    console.add_user("erin", queues=("export-control",))
    user_id = _user_id(console, "erin")
    with console.session_factory() as session:
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(failed_sign_ins=5, locked_until=clock.now() + timedelta(minutes=15))
        )
        session.commit()
    with pytest.raises(AssertionError):
        console.client_for("erin")
    url = f"/console/admin/users/{user_id}"
    assert "locked after repeated failures" in admin.get(url).get_data(as_text=True)
    assert _post(admin, url, f"{url}/unlock", {}).status_code == 302
    assert "locked after repeated failures" not in admin.get(url).get_data(as_text=True)
    assert console.client_for("erin").get("/console/").status_code == 200
    with console.session_factory() as session:
        assert "user.unlock" in session.scalars(select(AuditEntry.action)).all()


def test_the_last_admin_cannot_deactivate_themself(console: ConsoleInstance, admin) -> None:
    url = f"/console/admin/users/{_user_id(console, 'ada')}"
    response = _post(admin, url, f"{url}/deactivate", {})
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.get_data(as_text=True)


def test_changing_a_role(console: ConsoleInstance, admin) -> None:
    console.add_user("sam")
    url = f"/console/admin/users/{_user_id(console, 'sam')}"
    assert _post(admin, url, f"{url}/role", {"role": "supervisor"}).status_code == 302
    with console.session_factory() as session:
        assert session.scalars(select(User.role).where(User.username == "sam")).one() == (
            Role.SUPERVISOR
        )


def test_a_second_factor_reset_shows_a_new_qr_code_once(console: ConsoleInstance, admin) -> None:
    old = console.add_user("erin")
    erin = console.client_for("erin")
    url = f"/console/admin/users/{old.user_id}"
    response = _post(admin, url, f"{url}/reset-second-factor", {})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page
    assert 'class="totp-qr"' in page
    assert 'class="one-time-password"' not in page
    secret = html.unescape(re.search(r'class="totp-secret">([^<]+)<', page).group(1))
    assert secret != old.totp_secret
    assert erin.get("/console/").status_code == 302  # signed out
    client = console.app.test_client()
    sign_in = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token_from(sign_in.get_data(as_text=True)),
            "username": "erin",
            "password": old.password,
            "code": pyotp.TOTP(secret).at(clock.now()),
        },
    )
    assert response.status_code == 302


def test_the_users_page_shows_the_intake_key_fingerprint(console: ConsoleInstance, admin) -> None:
    fingerprint = console.intake_key.public_key.fingerprint
    assert fingerprint in admin.get("/console/admin/users").get_data(as_text=True)
    assert fingerprint in admin.get("/console/admin/lists").get_data(as_text=True)


# ---------------------------------------------------------------- queues


def test_queue_create_rename_and_memberships(console: ConsoleInstance, admin) -> None:
    console.add_user("erin")
    response = _post(
        admin,
        "/console/admin/queues",
        "/console/admin/queues",
        {"slug": "maritime", "name": "Maritime", "description": "Vessels and transshipment"},
    )
    assert response.status_code == 302
    queue_id = _queue_id(console, "maritime")
    url = f"/console/admin/queues/{queue_id}"
    page = admin.get(url).get_data(as_text=True)
    text = " ".join(page.split())
    assert "does not give them access to the cases already in this queue" in text
    assert "an investigator of the case can grant them access" in text

    erin_id = _user_id(console, "erin")
    assert _post(admin, url, f"{url}/members", {"user_id": erin_id}).status_code == 302
    with console.session_factory() as session:
        assert session.get(QueueMembership, (erin_id, queue_id)) is not None
    again = _post(admin, url, f"{url}/members", {"user_id": erin_id})
    assert again.status_code == 400

    renamed = _post(admin, url, f"{url}/rename", {"name": "Maritime and ports", "description": ""})
    assert renamed.status_code == 302
    assert "Maritime and ports" in admin.get("/console/admin/queues").get_data(as_text=True)

    assert _post(admin, url, f"{url}/members/{erin_id}/remove", {}).status_code == 302
    with console.session_factory() as session:
        assert session.get(QueueMembership, (erin_id, queue_id)) is None
        actions = list(session.scalars(select(AuditEntry.action)))
    for action in ("admin.queue_create", "admin.membership_add", "admin.queue_rename"):
        assert action in actions
    assert "admin.membership_remove" in actions


def test_a_duplicate_queue_is_refused(console: ConsoleInstance, admin) -> None:
    response = _post(
        admin,
        "/console/admin/queues",
        "/console/admin/queues",
        {"slug": "sanctions", "name": "Sanctions again"},
    )
    assert response.status_code == 400
    assert "already a queue" in response.get_data(as_text=True)


# ---------------------------------------------------------------- routing rules


def _report_queue(console: ConsoleInstance, filed: FiledCase) -> str | None:
    with console.session_factory() as session:
        report = session.get_one(Report, filed.report_id)
        return report.queue.slug if report.queue else None


def test_a_rule_added_on_the_page_routes_the_next_report(console: ConsoleInstance, admin) -> None:
    console.add_user("erin", queues=("export-control",))
    console.add_user("fiona", queues=("financial-intelligence",))
    first = console.file_report(export_control_tip())
    console.triage()
    assert _report_queue(console, first) == "export-control"

    response = _post(
        admin,
        "/console/admin/rules",
        "/console/admin/rules",
        {
            "name": "Export control to financial intelligence",
            "queue": "financial-intelligence",
            "categories": ["export_control"],
            "enabled": "y",
        },
    )
    assert response.status_code == 302
    with console.session_factory() as session:
        rule = session.scalars(
            select(RoutingRule).where(RoutingRule.name.startswith("Export control to"))
        ).one()
        rule_id = rule.id
        count = session.scalar(select(func.count()).select_from(RoutingRule))
    # Added last; move it to the top so it is tried first.
    for _ in range(count - 1):
        assert (
            _post(
                admin, "/console/admin/rules", f"/console/admin/rules/{rule_id}/up", {}
            ).status_code
            == 302
        )
    rules_page = admin.get("/console/admin/rules").get_data(as_text=True)
    assert rules_page.index("Export control to financial intelligence") < rules_page.index(
        "Sanctions: listed parties"
    )

    second = console.file_report(export_control_tip())
    console.triage()
    assert _report_queue(console, second) == "financial-intelligence"

    # Disabled, it no longer applies.
    assert (
        _post(
            admin, "/console/admin/rules", f"/console/admin/rules/{rule_id}/disable", {}
        ).status_code
        == 302
    )
    third = console.file_report(export_control_tip())
    console.triage()
    assert _report_queue(console, third) == "export-control"


def test_editing_and_deleting_a_rule(console: ConsoleInstance, admin) -> None:
    with console.session_factory() as session:
        rule = session.scalars(select(RoutingRule).order_by(RoutingRule.position)).first()
        rule_id, before = rule.id, session.scalar(select(func.count()).select_from(RoutingRule))
    url = f"/console/admin/rules/{rule_id}"
    edit_page = admin.get(url).get_data(as_text=True)
    assert "Sanctions: listed parties" in edit_page
    response = _post(
        admin,
        url,
        url,
        {
            "name": "Sanctions, Iran only",
            "queue": "sanctions",
            "categories": ["sanctions"],
            "countries": "ir",
            "enabled": "y",
        },
    )
    assert response.status_code == 302
    with console.session_factory() as session:
        rule = session.get_one(RoutingRule, rule_id)
        assert rule.name == "Sanctions, Iran only"
        assert rule.conditions == {"categories": ["sanctions"], "countries": ["IR"]}
    bad = _post(admin, url, url, {"name": "x", "queue": "sanctions", "countries": "Iran"})
    assert bad.status_code == 400
    assert _post(admin, "/console/admin/rules", f"{url}/delete", {}).status_code == 302
    with console.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RoutingRule)) == before - 1


# ---------------------------------------------------------------- screening lists


def test_a_list_import_through_the_page_shows_a_new_version(
    console: ConsoleInstance, admin, tmp_path: Path
) -> None:
    lines = DPL_FILE.read_text(encoding="utf-8").splitlines(keepends=True)[:6]
    upload = tmp_path / "dpl-slice.txt"
    upload.write_text("".join(lines), encoding="utf-8")
    page = admin.get("/console/admin/lists")
    assert "No list imported yet" in page.get_data(as_text=True)
    with upload.open("rb") as handle:
        response = admin.post(
            "/console/admin/lists",
            data={
                "csrf_token": csrf_token_from(page.get_data(as_text=True)),
                "file": (handle, "dpl.txt"),
            },
            content_type="multipart/form-data",
        )
    assert response.status_code == 302
    with console.session_factory() as session:
        listed = session.scalars(select(ScreeningList)).one()
        assert listed.source == "bis_dpl"
        assert listed.entry_count == 5
        assert "admin.list_import" in set(session.scalars(select(AuditEntry.action)))
    table = admin.get("/console/admin/lists").get_data(as_text=True)
    assert "Imported bis_dpl" in table
    assert listed.version_label in table
    assert listed.source_sha256[:12] in table
    # The upload's temporary copy is gone.
    assert not list(console.settings.instance_path.glob(".list-upload-*"))


def test_a_file_that_is_not_a_list_is_refused(console: ConsoleInstance, admin, tmp_path) -> None:
    page = admin.get("/console/admin/lists").get_data(as_text=True)
    upload = tmp_path / "notes.txt"
    upload.write_text("just some text\n")
    with upload.open("rb") as handle:
        response = admin.post(
            "/console/admin/lists",
            data={"csrf_token": csrf_token_from(page), "file": (handle, "notes.txt")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 400
    assert "not a list file Vigil reads" in response.get_data(as_text=True)
    assert not list(console.settings.instance_path.glob(".list-upload-*"))


# ---------------------------------------------------------------- retention


def _close(console: ConsoleInstance, filed: FiledCase, *, days_ago: int) -> None:
    with console.session_factory() as session:
        session.execute(
            update(Report)
            .where(Report.id == filed.report_id)
            .values(
                status=ReportStatus.CLOSED, closed_hour=current_hour() - timedelta(days=days_ago)
            )
        )
        session.commit()


def _add_attachment_and_note(console: ConsoleInstance, filed: FiledCase, author_id: int) -> Path:
    store = console.app.extensions["vigil"].blob_store
    key = store.new_key()
    with store.open_writer(key) as handle:
        handle.write(b"\x01" * 64)  # the store only ever holds ciphertext; any bytes do here
    with console.session_factory() as session:
        session.add(
            Attachment(
                report_id=filed.report_id,
                blob_key=key,
                ciphertext_size=64,
                author_side=Author.REPORTER,
            )
        )
        session.add(
            Message(
                report_id=filed.report_id,
                author_kind=Author.INVESTIGATOR,
                author_user_id=author_id,
                kind=MessageKind.NOTE,
                ciphertext=b"\x02" * 48,
            )
        )
        session.commit()
    return store._path(key)


def _retention_cases(console: ConsoleInstance):
    erin = console.add_user("erin", queues=("export-control",))
    old_closed = console.file_report(export_control_tip())
    new_closed = console.file_report(export_control_tip())
    old_open = console.file_report(export_control_tip())
    console.triage()
    blob = _add_attachment_and_note(console, old_closed, erin.user_id)
    kept_blob = _add_attachment_and_note(console, new_closed, erin.user_id)
    _close(console, old_closed, days_ago=400)
    _close(console, new_closed, days_ago=10)
    with console.session_factory() as session:
        session.execute(
            update(Report)
            .where(Report.id == old_open.report_id)
            .values(received_hour=current_hour() - timedelta(days=800))
        )
        session.commit()
    return old_closed, new_closed, old_open, blob, kept_blob


def _assert_purged(console, old_closed, new_closed, old_open, blob, kept_blob) -> None:
    with console.session_factory() as session:
        assert session.get(Report, old_closed.report_id) is None
        for model in (Wrap, Message, Attachment):
            assert not session.scalars(
                select(model).where(model.report_id == old_closed.report_id)
            ).all()
        assert session.get(Report, new_closed.report_id) is not None
        assert session.get(Report, old_open.report_id) is not None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report.purge")).one()
        assert entry.target == f"report:{old_closed.report_id}"
        assert entry.details["reference"] == old_closed.reference
        assert entry.details["attachments"] == 1
        assert entry.details["messages"] == 1
        assert entry.details["wraps"] >= 1
    assert not blob.exists()
    assert kept_blob.exists()


def test_retention_purges_only_closed_cases_older_than_the_period(
    console: ConsoleInstance, admin
) -> None:
    cases = _retention_cases(console)
    old_closed, new_closed, old_open, *_ = cases
    page = admin.get("/console/admin/retention").get_data(as_text=True)
    assert "365 days" in page
    assert old_closed.reference in page
    assert new_closed.reference not in page
    assert old_open.reference not in page
    response = _post(admin, "/console/admin/retention", "/console/admin/retention/purge", {})
    assert response.status_code == 302
    assert "Purged 1 closed cases" in admin.get("/console/admin/retention").get_data(as_text=True)
    _assert_purged(console, *cases)
    blob_root = console.settings.blob_dir
    assert (blob_root / PENDING_DELETIONS_FILE).read_text() == ""


class FailingBlobStore(FilesystemBlobStore):
    """A blob store whose deletions fail, as on a full or read-only disk."""

    def delete(self, key: str) -> None:
        raise OSError("read-only file system")


def test_a_blob_that_cannot_be_deleted_is_retried_next_run(console: ConsoleInstance) -> None:
    cases = _retention_cases(console)
    old_closed, blob = cases[0], cases[3]
    with console.session_factory() as session:
        summary = purge_closed_cases(
            session,
            FailingBlobStore(console.settings.blob_dir),
            older_than=timedelta(days=365),
            now=clock.now(),
            actor_user_id=None,
        )
    # The case is gone (no row points at the blob), the blob waits for the next run.
    assert summary.purged == [old_closed.reference]
    assert summary.blobs_pending == [blob.name]
    assert blob.exists()
    assert (console.settings.blob_dir / PENDING_DELETIONS_FILE).read_text().split() == [blob.name]
    with console.session_factory() as session:
        assert session.get(Report, old_closed.report_id) is None
        again = purge_closed_cases(
            session,
            FilesystemBlobStore(console.settings.blob_dir),
            older_than=timedelta(days=365),
            now=clock.now(),
            actor_user_id=None,
        )
    assert again.purged == []
    assert again.blobs_deleted == 1
    assert not blob.exists()
    assert (console.settings.blob_dir / PENDING_DELETIONS_FILE).read_text() == ""


def test_the_retention_cli_purges_and_its_dry_run_changes_nothing(
    console: ConsoleInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _retention_cases(console)
    old_closed = cases[0]
    env = {
        "VIGIL_INSTANCE": str(console.settings.instance_path),
        "VIGIL_DATABASE_URL": console.settings.database_url,
        "VIGIL_BLOB_DIR": str(console.settings.blob_dir),
        "VIGIL_RETENTION_DAYS": "365",
    }
    runner = CliRunner()
    dry = runner.invoke(vigil_cli, ["retention", "purge", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "1 closed case older than 365 days would be purged" in dry.output
    assert old_closed.reference in dry.output
    with console.session_factory() as session:
        assert session.get(Report, old_closed.report_id) is not None
        assert not session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.purge")
        ).all()
    assert cases[3].exists()

    result = runner.invoke(vigil_cli, ["retention", "purge"], env=env)
    assert result.exit_code == 0, result.output
    assert "purged 1 closed case" in result.output
    _assert_purged(console, *cases)

    off = runner.invoke(vigil_cli, ["retention", "purge"], env={**env, "VIGIL_RETENTION_DAYS": "0"})
    assert off.exit_code == 0
    assert "retention is off" in off.output


def test_the_retention_period_comes_from_the_environment() -> None:
    from reporting.core.settings import Settings, SettingsError

    assert Settings.from_env({}).retention_days == 365
    assert Settings.from_env({"VIGIL_RETENTION_DAYS": "0"}).retention_days == 0
    with pytest.raises(SettingsError, match="VIGIL_RETENTION_DAYS"):
        Settings.from_env({"VIGIL_RETENTION_DAYS": "a year"})
