"""Response headers for every page, kept as data so they can be read and tested.

The policy is the strictest that still lets the site work: scripts, styles and
images only from our own origin, no framing, no plugins, no base-URI tricks.
Reporters may be on Tor Browser at its safer levels, so nothing here relies on
inline code, eval or WebAssembly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Response, request

from reporting.web.cookies import CONSOLE_PREFIX

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


def onion_location_header(onion_origin: str) -> Callable[[Response], Response]:
    """Tor Browser offers a public page's onion address when the page names it.

    Only on public pages reached by another name: the console is never
    advertised, and a page already on the onion service needs no pointer.
    """

    def add(response: Response) -> Response:
        host = request.host.split(":", 1)[0]
        if not request.path.startswith(CONSOLE_PREFIX) and not host.endswith(".onion"):
            response.headers["Onion-Location"] = onion_origin + request.full_path.rstrip("?")
        return response

    return add
