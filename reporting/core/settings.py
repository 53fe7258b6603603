"""Runtime settings, read from environment variables.

Defaults are the embedded mode: everything lives in one instance folder (SQLite
database, blob store, intake key file, generated secret key). Nothing insecure
is defaulted: the Flask secret key is generated on first run and persisted
with owner-only permissions instead of being a constant in the code.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

from crypto import PasswordCost, SigningKey, attachment_stream_limit
from reporting.core.files import private_directory

PASSWORD_COSTS: Mapping[str, PasswordCost] = {
    "moderate": PasswordCost.MODERATE,
    "interactive": PasswordCost.INTERACTIVE,
    # Only for test suites: a cheap cost keeps thousands of sign-ins fast.
    "minimal": PasswordCost.MIN,
}


COMPONENTS = frozenset({"public", "console"})

MIB = 1024 * 1024
# The proof of work a browser must do per anonymous submission
# (reporting/intake/pow.py): 2^10 tries of 5,000 PBKDF2 rounds, about a second
# of native code in a browser with or without its JIT (Tor Browser "Safer"):
# nothing for one reporter, a real cost for a script sending thousands.
DEFAULT_POW_DIFFICULTY = 10
MAX_POW_DIFFICULTY = 24
DEFAULT_POW_ITERATIONS = 5000
MAX_POW_ITERATIONS = 1_000_000
DEFAULT_MAX_ATTACHMENT_BYTES = 200 * MIB
DEFAULT_MAX_ATTACHMENTS = 10
DEFAULT_RETENTION_DAYS = 365
MAX_RETENTION_DAYS = 36500
DEFAULT_LOOKUP_DELAY = 0.5
# What pending uploads (received, not yet attached to a report) may hold on
# disk together; beyond it the oldest go first (reporting/intake/uploads.py).
DEFAULT_PENDING_UPLOAD_BYTES = 10 * 1024 * MIB
# Characters a rate-limit key prefix may use: they go into Redis key names.
RATELIMIT_KEY_PREFIX = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
# The smallest count a public transparency export shows as a number.
DEFAULT_TRANSPARENCY_MIN_COUNT = 5
# Flask-Limiter limit strings; docs/limits.md says what each counts and why.
DEFAULT_LIMITS = {
    "limit_submissions": "20 per minute;300 per hour",
    "limit_uploads": "600 per minute",
    "limit_followup": "30 per minute",
    "limit_failed_lookups": "60 per minute",
}


class SettingsError(Exception):
    """A setting has a value Vigil cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    blob_dir: Path
    intake_key_file: Path
    # The key the public site signs disclosures' filing confirmations with
    # (reporting/intake/confirmations.py); generated on first use if missing.
    filing_key_file: Path
    ratelimit_storage_uri: str
    password_cost: PasswordCost
    secure_cookies: bool
    secret_key: str | None = None
    # Which sites this process serves. A public-only process (the one facing
    # the internet) then carries no console code or sign-in at all.
    components: frozenset[str] = COMPONENTS
    # Proof-of-work bits for submissions made with JavaScript; 0 turns it off.
    pow_difficulty: int = DEFAULT_POW_DIFFICULTY
    pow_iterations: int = DEFAULT_POW_ITERATIONS
    # Per attachment, in plaintext bytes, and attachments per submission.
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    max_attachments: int = DEFAULT_MAX_ATTACHMENTS
    # Seconds every failed case lookup waits before it answers (docs/submission.md).
    lookup_delay: float = DEFAULT_LOOKUP_DELAY
    limit_submissions: str = DEFAULT_LIMITS["limit_submissions"]
    limit_uploads: str = DEFAULT_LIMITS["limit_uploads"]
    limit_followup: str = DEFAULT_LIMITS["limit_followup"]
    limit_failed_lookups: str = DEFAULT_LIMITS["limit_failed_lookups"]
    # The most bytes pending uploads hold together; the oldest go first beyond it.
    pending_upload_bytes: int = DEFAULT_PENDING_UPLOAD_BYTES
    # Put before every rate-limit key, so that instances sharing one Redis keep apart.
    ratelimit_key_prefix: str = ""
    # Closed cases are purged this many days after closing (`vigil retention
    # purge`, or the console's Retention page); 0 keeps them for ever.
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Transparency exports show every count below this as "<k" (reporting/metrics/transparency.py).
    transparency_min_count: int = DEFAULT_TRANSPARENCY_MIN_COUNT
    # The public site's onion service ("http://<56 letters>.onion"): public pages
    # reached another way say so in an Onion-Location header (docs/onion.md).
    onion_location: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("VIGIL_INSTANCE", "instance")).resolve()
        cost_name = env.get("VIGIL_PASSWORD_COST", "moderate")
        if cost_name not in PASSWORD_COSTS:
            raise SettingsError(
                f"VIGIL_PASSWORD_COST must be one of {', '.join(PASSWORD_COSTS)}, not {cost_name!r}"
            )
        max_attachment_bytes = _integer(
            env, "VIGIL_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES, 0, 2**40
        )
        max_attachments = _integer(env, "VIGIL_MAX_ATTACHMENTS", DEFAULT_MAX_ATTACHMENTS, 0, 100)
        return cls(
            instance_path=instance,
            database_url=env.get("VIGIL_DATABASE_URL", f"sqlite:///{instance / 'vigil.sqlite3'}"),
            blob_dir=Path(env.get("VIGIL_BLOB_DIR", instance / "blobs")).resolve(),
            intake_key_file=Path(
                env.get("VIGIL_INTAKE_KEY_FILE", instance / "intake.key")
            ).resolve(),
            filing_key_file=Path(
                env.get("VIGIL_FILING_KEY_FILE", instance / "filing.key")
            ).resolve(),
            ratelimit_storage_uri=env.get("VIGIL_RATELIMIT_STORAGE_URI", "memory://"),
            ratelimit_key_prefix=_key_prefix(env.get("VIGIL_RATELIMIT_KEY_PREFIX", "")),
            password_cost=PASSWORD_COSTS[cost_name],
            secure_cookies=_flag(env, "VIGIL_SECURE_COOKIES", default=True),
            secret_key=env.get("VIGIL_SECRET_KEY") or None,
            components=_components(env.get("VIGIL_COMPONENTS", "public,console")),
            pow_difficulty=_integer(
                env, "VIGIL_POW_DIFFICULTY", DEFAULT_POW_DIFFICULTY, 0, MAX_POW_DIFFICULTY
            ),
            pow_iterations=_integer(
                env, "VIGIL_POW_ITERATIONS", DEFAULT_POW_ITERATIONS, 1, MAX_POW_ITERATIONS
            ),
            max_attachment_bytes=max_attachment_bytes,
            max_attachments=max_attachments,
            pending_upload_bytes=_pending_upload_bytes(env, max_attachment_bytes, max_attachments),
            lookup_delay=_seconds(env, "VIGIL_LOOKUP_DELAY", DEFAULT_LOOKUP_DELAY),
            retention_days=_integer(
                env, "VIGIL_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 0, MAX_RETENTION_DAYS
            ),
            transparency_min_count=_integer(
                env, "VIGIL_TRANSPARENCY_K", DEFAULT_TRANSPARENCY_MIN_COUNT, 2, 1000
            ),
            onion_location=_onion_location(env.get("VIGIL_ONION_LOCATION")),
            **{
                name: _limit(env, f"VIGIL_{name.upper()}", default)
                for name, default in DEFAULT_LIMITS.items()
            },
        )

    def resolved_secret_key(self) -> str:
        """The configured secret key, or the one persisted in the instance folder."""
        if self.secret_key:
            return self.secret_key
        return _persisted_secret(
            self.instance_path / "secret_key", lambda: secrets.token_urlsafe(48)
        )

    def resolved_filing_key(self) -> SigningKey:
        """The filing confirmations' signing key, made and persisted on first use."""
        text = _persisted_secret(self.filing_key_file, lambda: SigningKey.generate().to_file_text())
        return SigningKey.from_file_text(text)


def _persisted_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in ``path``, written there first from ``make()`` if the file is missing."""
    if path.exists():
        return path.read_text().strip()
    private_directory(path.parent)
    # Written whole to a private temporary file, then linked into place:
    # a worker starting at the same moment sees either no key or the whole
    # key, and if two race, both end up using the one that was linked first.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text().strip()


# A v3 onion address: 56 base32 letters (RFC 4648, lower case) and ".onion".
_ONION = re.compile(r"https?://[a-z2-7]{56}\.onion")


def _onion_location(value: str | None) -> str | None:
    if not value:
        return None
    origin = value.strip().rstrip("/")
    if not _ONION.fullmatch(origin):
        raise SettingsError(
            "VIGIL_ONION_LOCATION must be the public site's v3 onion origin, such as "
            f"http://<56 letters a-z, 2-7>.onion, not {value!r}"
        )
    return origin


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = env.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return number


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 10:
        raise SettingsError(f"{name} must be a number of seconds from 0 to 10, not {value!r}")
    return seconds


def _limit(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default)
    try:
        parse_many(value)
    except ValueError:
        raise SettingsError(
            f"{name} must be a rate limit such as '20 per minute;300 per hour', not {value!r}"
        ) from None
    return value


def _pending_upload_bytes(
    env: Mapping[str, str], max_attachment_bytes: int, max_attachments: int
) -> int:
    # Less than one report's files at their largest, and a reporter sending
    # that report would evict their own first files with their last ones.
    one_report = max(1, max_attachments) * attachment_stream_limit(max_attachment_bytes)
    name = "VIGIL_PENDING_UPLOAD_BYTES"
    value = _integer(env, name, max(DEFAULT_PENDING_UPLOAD_BYTES, one_report), 0, 2**50)
    if value < one_report:
        raise SettingsError(
            f"{name} must hold at least one report's attachments at their largest"
            f" (VIGIL_MAX_ATTACHMENTS x VIGIL_MAX_ATTACHMENT_BYTES encrypted: {one_report}),"
            f" not {value}"
        )
    return value


def _key_prefix(value: str) -> str:
    if not RATELIMIT_KEY_PREFIX.fullmatch(value):
        raise SettingsError(
            "VIGIL_RATELIMIT_KEY_PREFIX must be at most 64 letters, digits or _ . : -,"
            f" not {value!r}"
        )
    return value


def _components(value: str) -> frozenset[str]:
    components = frozenset(part.strip() for part in value.split(",") if part.strip())
    if not components or not components <= COMPONENTS:
        raise SettingsError(
            f"VIGIL_COMPONENTS must list one or both of public, console, not {value!r}"
        )
    return components
