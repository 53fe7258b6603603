"""The headers of docs/architecture.md on every kind of response, public and console."""

import re
from dataclasses import replace

import pytest

from reporting.app import create_app

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/privacy", 200),
        ("/static/css/vigil.css", 200),
        ("/no-such-page", 404),
        ("/console/sign-in", 200),
        ("/console/", 302),
    ],
)
def test_security_headers_on_every_response(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name


def test_public_pages_set_no_cookie_and_load_nothing_from_elsewhere(client):
    for path in ("/", "/privacy"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers
        html = response.get_data(as_text=True)
        assert "http://" not in html
        assert "https://" not in html
        # Any <script> without src is inline code, whatever its other attributes.
        assert not re.search(r"<script\b(?![^>]*\bsrc=)", html)
        assert not re.search(r"\son[a-z]+\s*=", html)  # inline event handlers
        assert "<style" not in html
        assert "style=" not in html


def test_error_page_does_not_echo_the_request(client):
    canary = "CANARY-7f3e-secret-text"
    response = client.get(f"/{canary}")
    assert response.status_code == 404
    assert canary not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("components", "served", "absent"),
    [
        (frozenset({"public"}), "/", "/console/sign-in"),
        (frozenset({"console"}), "/console/sign-in", "/privacy"),
    ],
)
def test_a_process_serves_only_its_components(settings, components, served, absent):
    app = create_app(replace(settings, components=components))
    client = app.test_client()
    assert client.get(served).status_code == 200
    missing = client.get(absent)
    assert missing.status_code == 404
    assert "Not Found" in missing.get_data(as_text=True)
    app.extensions["vigil"].engine.dispose()
