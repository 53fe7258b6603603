"""Signing in and opening console pages in the browser; the headers of docs/architecture.md."""

from __future__ import annotations

from typing import Any

import pyotp

from reporting.accounts.enrolment import Enrolment
from reporting.core import clock
from tests.browser.conftest import PublicPage
from tests.browser.public.helpers import fill_values

REQUIRED_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
REQUIRED_CSP = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
)


def sign_in(tab: PublicPage, user: Enrolment) -> None:
    tab.goto("/console/sign-in")
    fill_values(
        tab.page,
        {
            "username": user.username,
            "password": user.password,
            "code": pyotp.TOTP(user.totp_secret).at(clock.now()),
        },
    )
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_url("**/console/**")
    assert "/sign-in" not in tab.page.url


def check_headers(path: str, headers: dict[str, str]) -> None:
    for name, value in REQUIRED_HEADERS.items():
        assert headers.get(name) == value, f"{path}: {name} is {headers.get(name)!r}"
    csp = headers.get("content-security-policy", "")
    for directive in REQUIRED_CSP:
        assert directive in csp, f"{path}: CSP lacks {directive!r}"


def visit(tab: PublicPage, path: str) -> Any:
    """Open a console page that must open (2xx), checking the headers it came with."""
    response = tab.goto(path)
    check_headers(path, response.all_headers())
    return response


def status_of(tab: PublicPage, path: str) -> int:
    """The status of a request made with the page's cookies, without rendering it."""
    status: int = tab.page.request.get(tab.base_url + path).status
    return status
