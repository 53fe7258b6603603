"""Browser fixtures shared by the public-site and console tests.

The browser tests exercise the crypto and the pages in a real browser, not the
database: one backend is enough. The app behind `live_server` still runs on a
real, migrated database (SQLite in the test's tmp_path); only the PostgreSQL
repetition of every test is dropped.

`public_browser` opens pages of the real app (`live_server`) in fresh Chromium
contexts, with JavaScript on or off, and records for each page:

- every request that left the browser (method, URL and body bytes), so a test
  can prove that no plaintext did;
- console errors, uncaught exceptions and CSP violations, which fail the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.browser import _CSP_RECORDER, PageProblems, _is_problem


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vigil.sqlite3'}"


@dataclass
class SentRequest:
    method: str
    url: str
    body: bytes


@dataclass
class PublicPage:
    page: Any
    base_url: str
    problems: PageProblems
    requests: list[SentRequest] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None, f"cannot load {path}"
        assert response.ok, f"cannot load {path}: {response.status}"
        return response

    def csp_violations(self) -> list[str]:
        # With JavaScript off the recorder never ran (and nothing could violate script-src).
        return list(self.page.evaluate("() => window.__vigilCspViolations || []"))

    def assert_clean(self) -> None:
        problems = [f"CSP violation: {v}" for v in self.csp_violations()] + self.problems.all()
        assert not problems, "problems in the page:\n" + "\n".join(problems)


def _api_refusal(message: Any) -> bool:
    """Chromium logs every 4xx answer; those of the JSON API are the script's to handle.

    (A wrong receipt is a 404 by design.) A 4xx for a page, script or
    stylesheet, and any 5xx, still fails the test.
    """
    url = (message.location or {}).get("url", "")
    return (
        "/api/" in url
        and "Failed to load resource" in message.text
        and "status of 4" in message.text
    )


class PublicBrowser:
    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.pages: list[PublicPage] = []

    def new_page(
        self, *, javascript: bool = True, viewport: dict[str, int] | None = None
    ) -> PublicPage:
        context = self.browser.new_context(
            java_script_enabled=javascript,
            viewport=viewport or {"width": 1280, "height": 900},
            accept_downloads=True,
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(120_000)
        problems = PageProblems()
        public = PublicPage(page, self.base_url, problems)
        page.on(
            "console",
            lambda m: (
                problems.console_errors.append(f"{m.type}: {m.text}")
                if _is_problem(m) and not _api_refusal(m)
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.page_errors.append(str(e)))

        def record(request: Any) -> None:
            body = request.post_data_buffer
            public.requests.append(SentRequest(request.method, request.url, body or b""))

        # Every request of the context, the proof-of-work worker's included.
        context.on("request", record)
        page.add_init_script(_CSP_RECORDER)
        self.pages.append(public)
        return public

    def close(self) -> None:
        try:
            for page in self.pages:
                page.assert_clean()
        finally:
            for context in self.contexts:
                context.close()


@pytest.fixture
def public_browser(chromium_browser: Any, vigil_base_url: str) -> Iterator[PublicBrowser]:
    browser = PublicBrowser(chromium_browser, vigil_base_url)
    yield browser
    browser.close()
