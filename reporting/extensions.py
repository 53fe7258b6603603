"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf import CSRFProtect


def rate_limit_bucket() -> str:
    """The rate-limit key: deliberately not the client's address.

    Vigil never records who a reporter is, and an IP address held even briefly
    in a shared limiter store (Redis) is such a record. Limits are therefore
    shared per endpoint (Flask-Limiter adds the endpoint to the key); views that
    need a finer key pass their own key function.
    """
    return "all-clients"


babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=rate_limit_bucket, default_limits=[], headers_enabled=False)
