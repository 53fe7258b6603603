"""Enrolment: a new console user with a key pair, a password and a TOTP secret.

The user's X25519 private key is stored only locked under the password
(Argon2id). A password someone else chose (enrolment by an administrator, a
reset) sets `password_change_required`; the console then opens nothing but
the account page until the user has chosen their own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import pyotp
from sqlalchemy.orm import Session

from crypto import PasswordCost, PrivateKey, PublicKey, hash_password, lock_private_key
from reporting.accounts.password_policy import password_problem
from reporting.accounts.second_factor import totp_provisioning_uri
from reporting.audit.log import append_audit
from reporting.core.models import Role, User


@dataclass(frozen=True)
class Enrolment:
    """What a new user needs once, to set up their authenticator and sign in."""

    user_id: int
    username: str
    role: Role
    password: str = field(repr=False)
    totp_secret: str = field(repr=False)

    @property
    def totp_uri(self) -> str:
        return totp_provisioning_uri(self.username, self.totp_secret)


# No look-alike characters (0/o, 1/l/i) and no separator in the alphabet, so a
# password read off a screen is typed right the first time.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)


def generate_password() -> str:
    """A password for a new account, shown once: four groups of six, about 119 bits.

    It passes the password policy like any other: a random draw that happens
    to spell something guessable is drawn again.
    """
    while True:
        password = "-".join(
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(6)) for _ in range(4)
        )
        if password_problem(password) is None:
            return password


class WeakPassword(ValueError):
    """A password given to `create_user` that the password policy refuses."""


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    cost: PasswordCost,
    password: str | None = None,
    chosen_by_admin: bool = False,
) -> Enrolment:
    """Enrol a user with a new key pair and TOTP secret; the caller commits.

    `chosen_by_admin`: an administrator enrols the user and hands the password
    over, so the user must replace it at first sign-in. `vigil init` and the
    demo leave it False (the operator running them is the user).
    """
    if password is None:
        password = generate_password()
    else:
        problem = password_problem(password, user_inputs=[username, display_name])
        if problem is not None:
            raise WeakPassword(problem)
    private_key = PrivateKey.generate()
    totp_secret = pyotp.random_base32()
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password, cost),
        totp_secret=totp_secret,
        public_key=bytes(private_key.public_key),
        locked_private_key=lock_private_key(private_key, password, cost),
        password_change_required=chosen_by_admin,
    )
    session.add(user)
    session.flush()
    append_audit(
        session,
        actor_user_id=None,
        action="user.create",
        target=f"user:{user.id}",
        details={"username": username, "role": role.value},
    )
    return Enrolment(
        user_id=user.id, username=username, role=role, password=password, totp_secret=totp_secret
    )


def user_fingerprint(user: User) -> str:
    return PublicKey(user.public_key).fingerprint
