"""A case's next deadline, stored: reports.next_due and its index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The console's deadline sort and filters (reporting/casework/lists.py) computed the
earliest pending deadline of every readable case (a CASE over three due
dates, the acknowledgement and closure hours and an outer join to the
narrative part) and sorted ~50,000 computed rows. `next_due` stores it
(NULL when no deadline is pending), kept by
reporting.cases.deadlines.refresh_next_due; (queue_id, next_due, id) serves the
sort and the filters within the user's queues.

The backfill applies the same rules in one UPDATE, on both backends:

- a closed case has none;
- acknowledgement is pending while `acknowledged_hour` is NULL, feedback
  while the case is open, the narrative while no narrative part exists;
- the earliest of the pending ones: LEAST on PostgreSQL, scalar min() on
  SQLite. Both return NULL when an argument is NULL, so each argument is a
  COALESCE of the three candidates in a different order: each is non-NULL
  whenever one candidate is, and the smallest of them is the smallest
  candidate. SQLite stores these times as fixed-width text, so min() of the
  text is the earliest time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACK = "CASE WHEN acknowledged_hour IS NULL THEN ack_due END"
FEEDBACK = "feedback_due"
NARRATIVE = (
    "CASE WHEN NOT EXISTS (SELECT 1 FROM report_parts"
    " WHERE report_parts.report_id = reports.id AND report_parts.kind = 'narrative')"
    " THEN narrative_due END"
)


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("next_due", sa.DateTime(timezone=True), nullable=True))
    least = "min" if op.get_bind().dialect.name == "sqlite" else "LEAST"
    # Built from this module's constants only: no input reaches the text.
    op.execute(
        f"UPDATE reports SET next_due = {least}("  # noqa: S608
        f"COALESCE({ACK}, {FEEDBACK}, {NARRATIVE}),"
        f" COALESCE({FEEDBACK}, {NARRATIVE}, {ACK}),"
        f" COALESCE({NARRATIVE}, {ACK}, {FEEDBACK}))"
        " WHERE closed_hour IS NULL"
    )
    op.create_index(
        op.f("ix_reports_queue_id_next_due_id"), "reports", ["queue_id", "next_due", "id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reports_queue_id_next_due_id"), table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("next_due")
