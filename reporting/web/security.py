"""Response headers for every page, kept as data so they can be read and tested.

The policy is the strictest that still lets the site work: scripts, styles and
images only from our own origin, no framing, no plugins, no base-URI tricks.
Reporters may be on Tor Browser at its safer levels, so nothing here relies on
inline code, eval or WebAssembly.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response

CONTENT_SECURITY_POLICY: Mapping[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'",),
    # fetch() of the envelope and chunk uploads go back to our own origin only.
    "connect-src": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'none'",),
}


def render_csp(policy: Mapping[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": render_csp(CONTENT_SECURITY_POLICY),
    # Report pages must never sit in a shared or browser cache.
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def apply_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
