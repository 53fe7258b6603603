"""Indexes for the console's case lists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Listing a user's cases (reporting/casework/lists.py) joins the user's wraps to
their queues' reports, then filters and sorts on plaintext metadata. With
100,000 cases, reading each readable report's wide row (its ciphertexts sit
in the same row) dominated the time; these indexes let the list be found,
counted and sorted from indexes alone:

- wraps (user_id, report_id) replaces wraps (user_id): the same lookups,
  and the report ids without visiting the table;
- reports: every column the list filters or sorts on, queue first.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_LIST_COLUMNS = [
    "queue_id",
    "priority",
    "received_hour",
    "status",
    "intake_type",
    "ack_due",
    "feedback_due",
    "narrative_due",
    "acknowledged_hour",
    "closed_hour",
]


def upgrade() -> None:
    op.create_index("ix_reports_case_list", "reports", CASE_LIST_COLUMNS)
    op.create_index(op.f("ix_wraps_user_id_report_id"), "wraps", ["user_id", "report_id"])
    op.drop_index(op.f("ix_wraps_user_id"), table_name="wraps")


def downgrade() -> None:
    op.create_index(op.f("ix_wraps_user_id"), "wraps", ["user_id"])
    op.drop_index(op.f("ix_wraps_user_id_report_id"), table_name="wraps")
    op.drop_index("ix_reports_case_list", table_name="reports")
