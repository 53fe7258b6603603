"""The public pages without JavaScript: forms, errors next to fields, limits, headers."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from crypto import RecordKind, open_record
from reporting.app import create_app
from reporting.core.models import IntakeType, Report
from tests.fixtures.app import csrf_token_from
from tests.public.support import open_intake_wrap, receipt_from, storage_state
from tests.public.test_followup import file_nojs, open_case

FORM_PAGES = ("/tip", "/disclosure", "/followup")


@pytest.mark.parametrize("path", ["/", "/privacy", *FORM_PAGES])
def test_pages_are_plain_accessible_and_self_contained(client, intake_key, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>" not in html
    assert "style=" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert response.headers["Cache-Control"] == "no-store"
    # Every visible control has a label pointing at it.
    ids = set(
        re.findall(
            r'<(?:input|textarea|select)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html
        )
    )
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids <= labelled, ids - labelled
    if path in FORM_PAGES:
        # Only the form pages set a cookie: the CSRF token's session, for this visit only.
        cookie = response.headers.get("Set-Cookie", "")
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Expires" not in cookie


@pytest.mark.parametrize("path", ["/tip", "/disclosure"])
def test_report_forms_carry_what_the_script_needs_and_warn_first(client, intake_key, path):
    html = client.get(path).get_data(as_text=True)
    assert f'data-intake-key="{intake_key.public_key.to_base64()}"' in html
    assert 'data-max-attachments="10"' in html
    assert 'data-max-attachment-bytes="209715200"' in html
    assert 'id="nojs-notice"' in html
    assert "the server sees what you wrote" in html
    assert html.index('id="nojs-notice"') < html.index("<form")
    assert 'data-repeat="parties"' in html
    assert "data-repeat-row" in html


@pytest.mark.parametrize("path", ["/tip", "/disclosure"])
def test_without_an_intake_key_the_forms_say_so(client, path):
    response = client.get(path)
    assert response.status_code == 503
    assert "Not accepting reports yet" in response.get_data(as_text=True)


def test_errors_sit_next_to_their_field(app, client, intake_key):
    token = csrf_token_from(client.get("/disclosure").get_data(as_text=True))
    before = storage_state(app)
    response = client.post(
        "/disclosure",
        data={"csrf_token": token, "company": "Acme", "contact_email": "not-an-address"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert storage_state(app) == before
    for name in ("contact_name", "contact_email", "violation", "certified"):
        assert f'<p class="field-error" id="{name}-error">' in html
        field = re.search(rf'<(?:input|textarea)[^>]*\bid="{name}"[^>]*>', html).group(0)
        assert f"{name}-error" in field
        assert 'aria-invalid="true"' in field
    assert "Acme" in html  # what was typed is kept in the form
    assert "Give a valid e-mail address." in html


def test_a_disclosure_without_javascript(app, client, intake_key):
    token = csrf_token_from(client.get("/disclosure").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "company": "Acme Machine Tools",
        "contact_name": "C. Officer",
        "contact_email": "compliance@acme.example",
        "violation": "Shipped a 5-axis machine without a licence.",
        "items-0-eccn": "2B001",
        "items-4-description": "spindle",  # the script may add rows; numbering gaps are fine
        "licences": "DE-123\n\n  DE-456  \n",
        "certified": "y",
    }
    response = client.post("/disclosure", data=data, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "File the full narrative of your disclosure by" in response.get_data(as_text=True)
    with app.extensions["vigil"].session_factory() as session:
        report = session.scalars(select(Report)).one()
        assert report.intake_type is IntakeType.DISCLOSURE
        body = open_record(open_intake_wrap(report, intake_key), RecordKind.BODY, report.body)
    assert body["stage"] == "initial_notification"
    assert body["licences"] == ["DE-123", "DE-456"]
    assert body["certified"] is True
    assert [row["eccn"] for row in body["items"]] == ["2B001", ""]
    assert body["items"][1]["description"] == "spindle"
    assert body["parties"] == []
    assert body["contact_phone"] == ""


def test_missing_csrf_token_is_a_clear_page(app, client, intake_key):
    before = storage_state(app)
    response = client.post("/tip", data={"what_happened": "x"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert storage_state(app) == before


def test_oversize_fields_are_refused_cleanly(app, client, intake_key):
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))
    before = storage_state(app)
    too_long = client.post("/tip", data={"csrf_token": token, "what_happened": "x" * 20_001})
    assert too_long.status_code == 400
    assert "what_happened-error" in too_long.get_data(as_text=True)
    # Beyond what a text field may hold in memory: refused while parsing.
    huge = client.post(
        "/tip",
        data={
            "csrf_token": token,
            "what_happened": "x" * (300 * 1024),
            "attachments": [(io.BytesIO(b""), "")],
        },
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413
    assert "larger than this site accepts" in huge.get_data(as_text=True)
    # A body that is not multipart is held in memory whole, so it stays small.
    urlencoded = client.post(
        "/tip", data={"csrf_token": token, "what_happened": "x" * (9 * 1024 * 1024)}
    )
    assert urlencoded.status_code == 413
    assert storage_state(app) == before


def test_too_many_or_too_large_files(app, settings, intake_key):
    small = create_app(replace(settings, max_attachments=1, max_attachment_bytes=1000))
    try:
        client = small.test_client()
        token = csrf_token_from(client.get("/tip").get_data(as_text=True))
        before = storage_state(small)
        two = client.post(
            "/tip",
            data={
                "csrf_token": token,
                "what_happened": "x",
                "attachments": [(io.BytesIO(b"a"), "a.txt"), (io.BytesIO(b"b"), "b.txt")],
            },
            content_type="multipart/form-data",
        )
        assert two.status_code == 400
        assert "At most 1 files" in two.get_data(as_text=True)
        big = client.post(
            "/tip",
            data={
                "csrf_token": token,
                "what_happened": "x",
                "attachments": [(io.BytesIO(bytes(1001)), "big.bin")],
            },
            content_type="multipart/form-data",
        )
        assert big.status_code == 413
        assert storage_state(small) == before
    finally:
        small.extensions["vigil"].engine.dispose()


def test_an_empty_file_field_is_no_attachment(app, client, intake_key):
    token = csrf_token_from(client.get("/tip").get_data(as_text=True))
    response = client.post(
        "/tip",
        data={"csrf_token": token, "what_happened": "x", "attachments": [(io.BytesIO(b""), "")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    receipt_from(response.get_data(as_text=True))
    assert storage_state(app).rows["attachments"] == 0


FILE_IN_PLACE_OF_TEXT = "A file was sent where the form expects text."
FIELD_NAME = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/tip", ["what_happened", "route", "goods-0-description", "parties-2-role"]),
        ("/disclosure", ["company", "contact_email", "parties-0-name"]),
        ("/followup", ["receipt"]),
        ("/followup/messages", ["text"]),
        ("/followup/parts", ["narrative", "stage", "certified"]),
    ],
)
def test_a_file_in_place_of_text_is_refused_on_every_public_form(
    app, client, intake_key, path, names
):
    if path in FORM_PAGES:
        page = client.get(path).get_data(as_text=True)
    else:  # a form of the case page: the browser holds the case's receipt
        page = open_case(client, file_nojs(client, "/tip", {"what_happened": "x"}))
        page = page.get_data(as_text=True)
    token = csrf_token_from(page)
    every_field = set(FIELD_NAME.findall(page)) - {"csrf_token", "attachments"}
    before = storage_state(app)
    for sent_as_files in [{name} for name in names] + [every_field | set(names)]:
        data = {name: (io.BytesIO(b"x"), "x.txt") for name in sent_as_files}
        response = client.post(
            path, data={**data, "csrf_token": token}, content_type="multipart/form-data"
        )
        assert response.status_code == 400, sent_as_files
        assert FILE_IN_PLACE_OF_TEXT in response.get_data(as_text=True), sent_as_files
    assert storage_state(app) == before


@pytest.mark.parametrize(
    ("path", "message"), [("/tip", "Tell us what happened."), ("/followup", "Enter your receipt.")]
)
def test_a_json_body_in_place_of_a_form_is_refused(app, client, intake_key, path, message):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    before = storage_state(app)
    for body in ({"what_happened": ["x"], "receipt": {"a": 1}}, [1, 2], "x"):
        response = client.post(path, json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400, body
        assert message in response.get_data(as_text=True), body
    assert storage_state(app) == before
