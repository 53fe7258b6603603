"""The administrator's pages: users, queues, routing rules, screening lists, retention.

Administrators only, and none of these pages shows or can reach report
content (reporting/admin/__init__.py says why). One module per area, each
registering its views on the console blueprint when imported; the views are
thin: the work is in reporting.admin, and an `AdministrationError` comes back
to the page as a message with status 400 (`pages.refused`).
"""

from __future__ import annotations

from reporting.console.admin import lists, queues, retention, rules, users

__all__ = ["lists", "queues", "retention", "rules", "users"]
