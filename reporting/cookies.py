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

from dataclasses import dataclass

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

CONSOLE_PREFIX = "/console"
CONSOLE_COOKIE = "vigil_console"


@dataclass(frozen=True)
class CookieScope:
    name: str
    path: str
    salt: str


class ScopedSession(SecureCookieSession):
    """A cookie session that remembers which cookie it was read from."""

    def __init__(self, scope: CookieScope, initial: dict[str, object] | None = None) -> None:
        super().__init__(initial)
        self.scope = scope


class SiteSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, one cookie per site (see the module docstring)."""

    def _scope(self, app: Flask, request: Request) -> CookieScope:
        root = (request.script_root or "").rstrip("/")
        path = request.path
        if path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/"):
            return CookieScope(CONSOLE_COOKIE, root + CONSOLE_PREFIX, "vigil-console-session")
        return CookieScope(self.get_cookie_name(app), self.get_cookie_path(app), self.salt)

    def _serializer(self, app: Flask, scope: CookieScope) -> URLSafeTimedSerializer | None:
        secret = app.secret_key
        if not secret:
            return None
        # The current key last, older ones before it, as Flask's own interface does.
        keys = [
            key.decode() if isinstance(key, bytes) else key
            for key in (*(app.config["SECRET_KEY_FALLBACKS"] or ()), secret)
        ]
        return URLSafeTimedSerializer(
            keys,
            salt=scope.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: Flask, request: Request) -> ScopedSession | None:
        scope = self._scope(app, request)
        serializer = self._serializer(app, scope)
        if serializer is None:
            return None
        value = request.cookies.get(scope.name)
        if not value:
            return ScopedSession(scope)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            return ScopedSession(scope, serializer.loads(value, max_age=max_age))
        except BadSignature:
            return ScopedSession(scope)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ScopedSession):  # a session this interface did not open
            return
        scope = session.scope
        domain = self.get_cookie_domain(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                response.delete_cookie(
                    scope.name,
                    path=scope.path,
                    domain=domain,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                response.vary.add("Cookie")
            return
        serializer = self._serializer(app, scope)
        if serializer is None or not self.should_set_cookie(app, session):
            return
        response.set_cookie(
            scope.name,
            serializer.dumps(dict(session)),
            expires=self.get_expiration_time(app, session),
            path=scope.path,
            domain=domain,
            secure=secure,
            partitioned=partitioned,
            samesite=samesite,
            httponly=httponly,
        )
        response.vary.add("Cookie")
