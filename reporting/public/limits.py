"""The public site's rate limits, and why each is keyed on what it is keyed on.

No limit is keyed on the client's address: Vigil never records who a reporter
is, and an address held even for a minute in a shared limiter store (Redis)
is such a record. What is left to key on is what the request itself carries
and Vigil does not store:

- Submissions, opening uploads, challenges: one bucket for everybody
  (`rate_limit_bucket`). A flood can then slow honest reporters too, which is
  why a script must also pay the proof of work for each report and why the
  limits are settings: the operator trades availability against abuse.
- Upload parts: per upload id (keyed through an HMAC too, since the id is a
  capability for the upload). The id is random, lives at most a day, and
  opening uploads is itself limited, so a sender gets no more buckets than
  the opening limit hands out; a reporter uploading a large file is never
  slowed by someone else's upload.
- Follow-up: per case, keyed on an HMAC of the lookup token under a key
  derived from the app's secret. Not the token (a credential, which must not
  sit in Redis), and not the stored lookup hash (a reader of both Redis and
  the database could then tell which case was just opened). This stops a
  holder of one receipt from hammering their case; it cannot stop guessing,
  since each guess is another token. Guessing is what the failed-lookup
  limit is for: one bucket for everybody, counted only when a lookup fails,
  so reporters with a right receipt are not counted in it; with 120-bit
  receipts and the fixed delay on every failure it keeps guessing hopeless.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import TypeVar

from flask import Response, request

from crypto import CryptoError, Receipt, b64decode
from reporting.context import derived_secret, vigil
from reporting.extensions import limiter, rate_limit_bucket

View = TypeVar("View", bound=Callable[..., object])


def _chain(*decorators: Callable[[View], View]) -> Callable[[View], View]:
    def apply(view: View) -> View:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return apply


def _request_lookup_token() -> bytes | None:
    """The lookup token a follow-up request carries, in JSON or as a receipt in a form."""
    try:
        data = request.get_json(silent=True)
        if isinstance(data, dict) and isinstance(data.get("lookup_token"), str):
            return b64decode(data["lookup_token"])
        receipt = request.form.get("receipt")
        return Receipt.parse(receipt).lookup_token() if receipt else None
    except CryptoError:
        return None


def _keyed(kind: str, value: bytes) -> str:
    """A bucket name for a secret value that does not reveal the value to the store."""
    digest = hmac.new(derived_secret(f"rate-limit-{kind}"), value, hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:32]}"


def case_bucket() -> str:
    token = _request_lookup_token()
    if token is None:
        # Malformed requests are refused without a lookup; they share a bucket.
        return "case:none"
    return _keyed("case", token)


def upload_bucket() -> str:
    # The upload id is a capability for the upload: keyed like a lookup token.
    upload_id = str((request.view_args or {}).get("upload_id", ""))
    return _keyed("upload", upload_id.encode())


def _failed(response: Response) -> bool:
    return response.status_code == 404


submissions = limiter.shared_limit(
    lambda: vigil().settings.limit_submissions,
    scope="submissions",
    key_func=rate_limit_bucket,
    methods=["POST"],
)
challenges = limiter.limit(lambda: vigil().settings.limit_challenges, key_func=rate_limit_bucket)
upload_opening = limiter.limit(lambda: vigil().settings.limit_uploads, key_func=rate_limit_bucket)
upload_parts = limiter.limit(lambda: vigil().settings.limit_uploads, key_func=upload_bucket)
followup = _chain(
    limiter.shared_limit(
        lambda: vigil().settings.limit_followup,
        scope="followup",
        key_func=case_bucket,
        methods=["POST"],
    ),
    limiter.shared_limit(
        lambda: vigil().settings.limit_failed_lookups,
        scope="failed-lookups",
        key_func=rate_limit_bucket,
        methods=["POST"],
        deduct_when=_failed,
    ),
)
