"""The public site's rate limits, and why each is keyed on what it is keyed on.

docs/limits.md has the whole design; in short, no limit is keyed on the
client's address (an address held even for a minute in a shared limiter
store is a record of who reported), and no limit an anonymous flood can fill
may refuse an honest reporter:

- Reports with a proof of work are never refused for being too many: past
  `VIGIL_LIMIT_SUBMISSIONS` accepted in a window, the proof of work a new
  challenge asks for gets one bit dearer per doubling (`proof_of_work_price`).
  A flood pays for itself and makes every later report of the flood dearer;
  an honest reporter pays the price of the moment and gets through.
- Reports without one (the forms without JavaScript, or every report while
  the proof of work is off) share one budget, counted only when a report is
  accepted, so refused junk costs the honest nothing. Accepted junk can still
  use it up: the pages then say so, and a browser with JavaScript gets
  through on the proof of work.
- Upload parts: per upload id (keyed through an HMAC, the id is a capability
  for the upload). Opening uploads is not limited: what pending uploads may
  hold is bounded by bytes instead, oldest first (reporting/intake/uploads.py).
- Follow-up: per case, keyed on an HMAC of the lookup token (not the token, a
  credential, and not the stored lookup hash, which would let a reader of
  both Redis and the database tell which case was opened). This stops a
  holder of one receipt from hammering their case and no one else can touch
  it. Guessing is hopeless against a receipt's 120 random bits at any
  rate; the failed-lookup budget, only ever consulted after a lookup failed
  (reporting/intake/followup.py), keeps a flood of failures cheap for the server
  and cannot refuse a right token (docs/limits.md).
"""

from __future__ import annotations

from flask import Response, request

from crypto import CryptoError, Receipt, b64decode
from reporting.core.settings import MAX_POW_DIFFICULTY
from reporting.public import held
from reporting.web.budgets import Budget, Tally
from reporting.web.context import vigil
from reporting.web.extensions import instance_key, limiter, rate_limit_bucket, secret_bucket

# The most bits a flood of reports adds to the proof of work: 2^6 times the
# work at most, so an honest reporter's phone still finishes within a minute
# or so at the default difficulty.
POW_SURGE_BITS = 6
# A proof solved this many bits below the current price still passes: a
# reporter who fetched a challenge before a flood began is not sent back to
# solve another unless the price has since risen past it. A stock of cheap
# challenges gathered before a flood buys at most 4 budgets' worth of reports.
POW_STALE_BITS = 2
API_REPORTS = "public.api_reports"


def _request_lookup_token() -> bytes | None:
    """The lookup token a follow-up request carries: in JSON, as a receipt typed in a
    form, or as the receipt the browser holds (the case page's forms, reporting/public/held.py)."""
    try:
        data = request.get_json(silent=True)
        if isinstance(data, dict) and isinstance(data.get("lookup_token"), str):
            return b64decode(data["lookup_token"])
        receipt = request.form.get("receipt")
        if receipt:
            return Receipt.parse(receipt).lookup_token()
        kept = held.held()
        return kept.lookup_token() if kept else None
    except CryptoError:
        return None


def case_bucket() -> str:
    token = _request_lookup_token()
    if token is None:
        # Malformed requests are refused without a lookup; they share a bucket.
        return instance_key("case:none")
    return secret_bucket("case", token)


def upload_bucket() -> str:
    # The upload id is a capability for the upload: keyed like a lookup token.
    upload_id = str((request.view_args or {}).get("upload_id", ""))
    return secret_bucket("upload", upload_id.encode())


def _accepted(response: Response) -> bool:
    # 201 from the API; 303 from a form, which redirects to its receipt once it took the report.
    return response.status_code in {201, 303}


def _paid_with_proof_of_work() -> bool:
    return request.endpoint == API_REPORTS and vigil().settings.pow_difficulty > 0


submissions = limiter.shared_limit(
    lambda: vigil().settings.limit_submissions,
    scope="submissions",
    key_func=rate_limit_bucket,
    methods=["POST"],
    # Only accepted reports count: a refused one costs the honest nothing.
    deduct_when=_accepted,
    exempt_when=_paid_with_proof_of_work,
)
upload_parts = limiter.limit(lambda: vigil().settings.limit_uploads, key_func=upload_bucket)
followup = limiter.shared_limit(
    lambda: vigil().settings.limit_followup,
    scope="followup",
    key_func=case_bucket,
    methods=["POST"],
)


def failed_lookups() -> Budget:
    """Failed case lookups, all together: spent only by a lookup that found no case."""
    return Budget(
        limiter.limiter, vigil().settings.limit_failed_lookups, instance_key("failed-lookups")
    )


def _paid_reports() -> Tally:
    return Tally(
        limiter.limiter,
        vigil().settings.limit_submissions,
        instance_key("paid-reports"),
        max_doublings=POW_SURGE_BITS,
    )


def proof_of_work_price() -> int:
    """The difficulty a new challenge asks: the setting, plus a bit per doubling of the budget."""
    base = vigil().settings.pow_difficulty
    if base == 0:
        return 0
    return min(MAX_POW_DIFFICULTY, base + _paid_reports().doublings())


def required_proof_of_work() -> int:
    """The least difficulty a report's proof may have now."""
    base = vigil().settings.pow_difficulty
    if base == 0:
        return 0
    return max(base, proof_of_work_price() - POW_STALE_BITS)


def paid_report_accepted() -> None:
    if vigil().settings.pow_difficulty > 0:
        _paid_reports().add()
