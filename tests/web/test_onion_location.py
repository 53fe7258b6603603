"""Tor Browser is told of the public site's onion service, and only where it helps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask

from reporting.app import create_app
from reporting.core.settings import Settings, SettingsError

ONION = "http://" + "a2" * 28 + ".onion"


@pytest.fixture
def onion_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(replace(settings, onion_location=ONION))
    yield app
    app.extensions["vigil"].engine.dispose()


def test_public_pages_name_their_onion_address(onion_app: Flask) -> None:
    client = onion_app.test_client()
    assert client.get("/").headers["Onion-Location"] == ONION + "/"
    assert client.get("/privacy?lang=fa").headers["Onion-Location"] == ONION + "/privacy?lang=fa"


def test_the_console_and_the_onion_itself_are_not_pointed_at(onion_app: Flask) -> None:
    client = onion_app.test_client()
    assert "Onion-Location" not in client.get("/console/sign-in").headers
    on_onion = client.get("/", base_url=ONION)
    assert on_onion.status_code == 200
    assert "Onion-Location" not in on_onion.headers


def test_without_the_setting_nothing_is_said(client) -> None:  # type: ignore[no-untyped-def]
    assert "Onion-Location" not in client.get("/").headers


@pytest.mark.parametrize(
    "value",
    [
        "http://example.org",
        "http://abc.onion",
        ONION + ".example.org",
        "ftp://" + "a" * 56 + ".onion",
    ],
)
def test_only_a_v3_onion_origin_is_taken(value: str) -> None:
    with pytest.raises(SettingsError, match="VIGIL_ONION_LOCATION"):
        Settings.from_env({"VIGIL_ONION_LOCATION": value})
    assert Settings.from_env({"VIGIL_ONION_LOCATION": ONION + "/"}).onion_location == ONION
