"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

import hashlib
import hmac

from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf import CSRFProtect

from reporting.web.context import derived_secret, vigil


def instance_key(name: str) -> str:
    """A rate-limit key in this instance's namespace (`VIGIL_RATELIMIT_KEY_PREFIX`).

    Instances, or test runs, that share one Redis keep their counts apart.
    """
    return vigil().settings.ratelimit_key_prefix + name


def rate_limit_bucket() -> str:
    """The rate-limit key: deliberately not the client's address.

    Vigil never records who a reporter is, and an IP address held even briefly
    in a shared limiter store (Redis) is such a record. Limits are therefore
    shared per endpoint (Flask-Limiter adds the endpoint to the key); views that
    need a finer key pass their own key function.
    """
    return instance_key("all-clients")


def secret_bucket(kind: str, value: bytes) -> str:
    """A key for a secret or personal value that does not reveal the value to the store.

    An HMAC under a key derived from the app's secret: a reader of Redis
    learns neither a lookup token nor a typed user name, and cannot test a
    guess of either without the secret.
    """
    digest = hmac.new(derived_secret(f"rate-limit-{kind}"), value, hashlib.sha256)
    return instance_key(f"{kind}:{digest.hexdigest()[:32]}")


babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=rate_limit_bucket, default_limits=[], headers_enabled=False)
