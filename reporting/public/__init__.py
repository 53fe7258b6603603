"""The public reporting site: everything a reporter sees.

This blueprint must never hold or load a private key: a full compromise of the
process serving it may not reveal any report already stored. The pages are in
`pages` (HTML forms that work without JavaScript), the JSON API the pages'
script uses in `api` (docs/submission.md); both are thin: the work is in the
services (reporting.intake.submissions, .followup, .uploads, .pow, .nojs).
"""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("public", __name__)

# The views register themselves on the blueprint.
from reporting.public import api, pages  # noqa: E402, F401
