"""Runtime settings, read from environment variables.

Defaults are the embedded mode: everything lives in one instance folder (SQLite
database, blob store, intake key file, generated secret key). Nothing insecure
is defaulted: the Flask secret key is generated on first run and persisted
with owner-only permissions instead of being a constant in the code.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crypto import PasswordCost

PASSWORD_COSTS: Mapping[str, PasswordCost] = {
    "moderate": PasswordCost.MODERATE,
    "interactive": PasswordCost.INTERACTIVE,
    # Only for test suites: a cheap cost keeps thousands of sign-ins fast.
    "minimal": PasswordCost.MIN,
}


COMPONENTS = frozenset({"public", "console"})


class SettingsError(Exception):
    """A setting has a value Vigil cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    blob_dir: Path
    intake_key_file: Path
    ratelimit_storage_uri: str
    password_cost: PasswordCost
    secure_cookies: bool
    secret_key: str | None = None
    # Which sites this process serves. A public-only process (the one facing
    # the internet) then carries no console code or sign-in at all.
    components: frozenset[str] = COMPONENTS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("VIGIL_INSTANCE", "instance")).resolve()
        cost_name = env.get("VIGIL_PASSWORD_COST", "moderate")
        if cost_name not in PASSWORD_COSTS:
            raise SettingsError(
                f"VIGIL_PASSWORD_COST must be one of {', '.join(PASSWORD_COSTS)}, not {cost_name!r}"
            )
        return cls(
            instance_path=instance,
            database_url=env.get("VIGIL_DATABASE_URL", f"sqlite:///{instance / 'vigil.sqlite3'}"),
            blob_dir=Path(env.get("VIGIL_BLOB_DIR", instance / "blobs")).resolve(),
            intake_key_file=Path(
                env.get("VIGIL_INTAKE_KEY_FILE", instance / "intake.key")
            ).resolve(),
            ratelimit_storage_uri=env.get("VIGIL_RATELIMIT_STORAGE_URI", "memory://"),
            password_cost=PASSWORD_COSTS[cost_name],
            secure_cookies=_flag(env, "VIGIL_SECURE_COOKIES", default=True),
            secret_key=env.get("VIGIL_SECRET_KEY") or None,
            components=_components(env.get("VIGIL_COMPONENTS", "public,console")),
        )

    def resolved_secret_key(self) -> str:
        """The configured secret key, or the one persisted in the instance folder."""
        if self.secret_key:
            return self.secret_key
        path = self.instance_path / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: two workers starting at once must not each write their own key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def _components(value: str) -> frozenset[str]:
    components = frozenset(part.strip() for part in value.split(",") if part.strip())
    if not components or not components <= COMPONENTS:
        raise SettingsError(
            f"VIGIL_COMPONENTS must list one or both of public, console, not {value!r}"
        )
    return components
