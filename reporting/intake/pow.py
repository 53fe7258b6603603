"""Proof of work for anonymous submissions made with JavaScript (docs/submission.md).

Vigil cannot limit a sender it refuses to identify, so each submission made
by a script costs its sender some CPU instead: the browser must find a
decimal nonce such that PBKDF2-HMAC-SHA-256(password = challenge, salt =
nonce, `iterations`) starts with `difficulty` zero bits, about
2^difficulty x iterations HMAC rounds.

Why PBKDF2 and not a plain hash: the browser computes it with WebCrypto, in
native code, at the same speed whether its JavaScript JIT is on or off (Tor
Browser's "Safer" level turns it off, and a hash written in JavaScript then
runs about a hundred times slower). An attacker's native code has no such
edge over an honest reporter, so the same cost to the attacker costs the
reporter seconds instead of minutes. Checking a proof is one PBKDF2 run
(`iterations` rounds), done only for an authentic, unspent challenge.

The challenge is self-verifying (an HMAC under a key derived from the app's
secret, with the difficulty, the iterations and an expiry inside), so
issuing one stores nothing; using one stores its digest until it has
expired, in the database, so that it is accepted once across every worker
and host.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reporting.core import clock
from reporting.core.errors import ProofOfWorkFailed
from reporting.core.models import SpentChallenge, round_to_hour

CHALLENGE_LIFETIME = timedelta(minutes=30)
PURGE_INTERVAL_SECONDS = 300.0
_VERSION = "v2"
_MAX_NONCE_DIGITS = 20


@dataclass(frozen=True)
class Challenge:
    token: str
    difficulty: int
    iterations: int


def _mac(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode("ascii"), hashlib.sha256).hexdigest()


def issue_challenge(key: bytes, difficulty: int, iterations: int, now: datetime) -> Challenge:
    expires = int((now + CHALLENGE_LIFETIME).timestamp())
    payload = f"{_VERSION}.{difficulty}.{iterations}.{expires}.{secrets.token_hex(16)}"
    return Challenge(
        token=f"{payload}.{_mac(key, payload)}", difficulty=difficulty, iterations=iterations
    )


def proof_digest(token: str, nonce: str, iterations: int) -> bytes:
    """What the nonce is judged by: PBKDF2-HMAC-SHA-256(token, nonce, iterations), 32 bytes."""
    return hashlib.pbkdf2_hmac("sha256", token.encode("ascii"), nonce.encode("ascii"), iterations)


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def spend_proof(
    session: Session,
    key: bytes,
    proof: object,
    *,
    required: int,
    iterations: int,
    now: datetime,
) -> None:
    """Check a `{"challenge", "nonce"}` proof and mark the challenge spent in `session`.

    The spent mark is committed with the submission it paid for, so a
    submission that fails for another reason does not use up its proof, and
    two submissions racing with one proof cannot both commit (primary key).
    """
    if required == 0:
        return
    if not isinstance(proof, dict) or proof.keys() != {"challenge", "nonce"}:
        raise ProofOfWorkFailed()
    token, nonce = proof["challenge"], proof["nonce"]
    if not isinstance(token, str) or not isinstance(nonce, str):
        raise ProofOfWorkFailed()
    # Every challenge we issue is ASCII; anything else is not one of ours, and
    # the MAC and hashes below take only ASCII text.
    if not token.isascii():
        raise ProofOfWorkFailed()
    parts = token.split(".")
    if len(parts) != 6 or parts[0] != _VERSION:
        raise ProofOfWorkFailed()
    payload, mac = token.rsplit(".", 1)
    if not hmac.compare_digest(_mac(key, payload), mac):
        raise ProofOfWorkFailed()
    # Authentic from here on: the numbers are ours.
    difficulty, rounds = int(parts[1]), int(parts[2])
    expires = datetime.fromtimestamp(int(parts[3]), UTC)
    # A challenge issued before the price was raised is not enough now.
    if difficulty < required or rounds < iterations or expires <= now:
        raise ProofOfWorkFailed()
    if not (0 < len(nonce) <= _MAX_NONCE_DIGITS and nonce.isascii() and nonce.isdigit()):
        raise ProofOfWorkFailed()
    # Spent or not before the PBKDF2 run: a replayed proof costs a lookup, not the work.
    digest = hashlib.sha256(token.encode("ascii")).digest()
    if session.scalar(select(SpentChallenge.digest).where(SpentChallenge.digest == digest)):
        raise ProofOfWorkFailed()
    if leading_zero_bits(proof_digest(token, nonce, rounds)) < difficulty:
        raise ProofOfWorkFailed()
    # Kept until the hour after expiry: the exact expiry would date the visit.
    session.add(
        SpentChallenge(digest=digest, expires_hour=round_to_hour(expires) + timedelta(hours=1))
    )


def purge_spent_challenges(session: Session, now: datetime) -> None:
    """Forget challenges that have expired anyway (their tokens are refused by time)."""
    session.execute(delete(SpentChallenge).where(SpentChallenge.expires_hour < now))


class NowAndThen:
    """True at most once every `interval` seconds (per process), for chores.

    Expired challenges are kept an hour at least, so forgetting them every few
    minutes is soon enough; a DELETE with every report cost about as much as
    the rest of storing the report.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = threading.Lock()

    def due(self) -> bool:
        moment = clock.monotonic()
        with self._lock:
            if moment < self._next:
                return False
            self._next = moment + self.interval
            return True


SPENT_CHALLENGE_PURGE = NowAndThen(PURGE_INTERVAL_SECONDS)
