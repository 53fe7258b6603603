"""The public reporting site: everything a reporter sees.

This blueprint must never hold or load a private key: a full compromise of the
process serving it may not reveal any report already stored.
"""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def index() -> str:
    return render_template("public/index.html")


@blueprint.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")
