"""The one error of the administrator's services."""

from __future__ import annotations


class AdministrationError(Exception):
    """An administrative change refused; the message says why, in plain words."""
