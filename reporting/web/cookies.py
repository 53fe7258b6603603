"""Two session cookies: one for the public site, one for the console.

Both sites keep their CSRF secret in Flask's session. With one cookie for
both, the console's protection against session fixation (a new cookie at
sign-in, an empty one whenever a request is not signed in) also threw away
the public form's CSRF secret, so a reporter who glanced at the console in
the same browser lost the tip they were writing. Each site now has a cookie
of its own: the console's is named `vigil_console`, sent only to paths under
the console, and signed with a salt of its own, so neither site's cookie can
be passed off as the other's and clearing one leaves the other alone.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

CONSOLE_PREFIX = "/console"
CONSOLE_COOKIE = "vigil_console"
CONSOLE_SALT = "vigil-console-session"


def is_console_path(path: str) -> bool:
    """Whether `path` is the console's (its cookie, its error pages)."""
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def _in_console() -> bool:
    return is_console_path(request.path)


class SiteSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, one cookie per site (see the module docstring).

    Only the cookie's name, path and signing salt depend on the site; Flask
    reads and writes the cookie as usual (both happen within the request).
    """

    @property
    def salt(self) -> str:  # type: ignore[override]  # Flask reads self.salt per request
        return CONSOLE_SALT if _in_console() else SecureCookieSessionInterface.salt

    def get_cookie_name(self, app: Flask) -> str:
        return CONSOLE_COOKIE if _in_console() else super().get_cookie_name(app)

    def get_cookie_path(self, app: Flask) -> str:
        if _in_console():
            return (request.script_root or "").rstrip("/") + CONSOLE_PREFIX
        return super().get_cookie_path(app)
