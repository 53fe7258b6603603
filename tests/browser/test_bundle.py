"""The bundle as the real app serves it: loads under the strict CSP, exposes the API."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import BUNDLE, BUNDLE_URL_PATH, REQUIRED_CSP, parse_csp, unavailable

pytestmark = pytest.mark.browser

API = [
    "VigilCryptoError",
    "RecordKind",
    "b64encode",
    "b64decode",
    "generateReceipt",
    "parseReceipt",
    "reporterKeyPair",
    "lookupToken",
    "lookupHash",
    "fingerprint",
    "generateReportKey",
    "sealRecord",
    "openRecord",
    "wrapReportKey",
    "unwrapReportKey",
    "sealReport",
    "openReport",
    "encryptAttachment",
    "encryptAttachmentToBytes",
    "decryptAttachment",
    "openAttachmentInfo",
]


def test_bundle_is_served_as_a_script_from_our_origin(crypto_page):
    response = crypto_page.page.request.get(crypto_page.base_url + BUNDLE_URL_PATH)
    assert response.ok
    assert "javascript" in response.headers["content-type"]
    assert response.body() == BUNDLE.read_bytes()
    # The page the tests run in is the app's own, on the app's origin.
    assert crypto_page.page.evaluate("() => location.origin") == crypto_page.base_url


def test_api_is_complete(crypto_page):
    kinds = crypto_page.call("(V) => V.RecordKind")
    assert kinds == {"BODY": 1, "MESSAGE": 2, "NOTE": 3, "FINDINGS": 4}
    missing = crypto_page.call(
        "(V, names) => names.filter((n) => V[n] === undefined)",
        API,
    )
    assert missing == []
    assert crypto_page.call(
        "(V) => new V.VigilCryptoError('x') instanceof Error"
        " && new V.VigilCryptoError('x').name === 'VigilCryptoError'"
    )


def test_the_page_really_enforces_the_csp(crypto_page):
    """Proves a clean run means something: eval and inline script are refused here."""
    response = crypto_page.page.request.get(crypto_page.base_url + "/")
    csp = parse_csp(response.headers["content-security-policy"])
    assert all(csp[k] == v for k, v in REQUIRED_CSP.items())
    result = crypto_page.try_call("() => eval('1 + 1')")
    assert not result["ok"]
    assert result["name"] == "EvalError"
    result = crypto_page.try_call("() => new Function('return 1')()")
    assert not result["ok"]
    assert result["name"] == "EvalError"
    crypto_page.call(
        """() => new Promise((resolve) => {
          const s = document.createElement("script");
          s.textContent = "window.__inlineRan = true";
          document.addEventListener("securitypolicyviolation", () => resolve(), { once: true });
          document.head.appendChild(s);
        })"""
    )
    assert crypto_page.call("() => window.__inlineRan === undefined")
    violations = crypto_page.call("() => window.__vigilCspViolations.splice(0)")
    assert any("script-src" in v for v in violations), violations
    # Chromium also logs each refusal to the console; they were provoked on purpose.
    crypto_page.problems.console_errors.clear()


def test_no_webassembly_or_eval_in_the_bundle():
    if not BUNDLE.is_file():
        unavailable("no bundle (npm ci && npm run build)")
    text = BUNDLE.read_text()
    for word in ("WebAssembly", "eval(", "new Function", "Function("):
        assert word not in text, word
