"""A report's categories and domains as jsonb, GIN-indexed, on PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

The console's category and domain filters (reporting/casework/lists.py) matched a
LIKE on the JSON text of every readable case: PostgreSQL's `json` type stores
text and cannot be indexed, so a filtered page and its count read the lists
of ~25,000 rows. As `jsonb` the lists can be GIN-indexed, and the filters use
containment (`categories @> '["finance"]'`), which the index serves.

A GIN index still reads the table row of every tagged case to check its
queue, ~10,000 pages for one category. A btree on (queue_id, priority, id)
that includes the two lists lets the count of a filtered list, and its page
in the default (priority) order, read that index alone.

PostgreSQL only: SQLite has one JSON type (text) and no index that would
serve a member test, so nothing changes there, and the models declare the
three indexes for PostgreSQL only (`ddl_if`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("categories", "domains")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.alter_column(
            "reports",
            column,
            type_=postgresql.JSONB(),
            existing_type=sa.JSON(),
            postgresql_using=f"{column}::jsonb",
        )
        op.create_index(f"ix_reports_{column}", "reports", [column], postgresql_using="gin")
    op.create_index(
        "ix_reports_queue_priority_tags",
        "reports",
        ["queue_id", "priority", "id"],
        postgresql_include=list(COLUMNS),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_reports_queue_priority_tags", table_name="reports")
    for column in COLUMNS:
        op.drop_index(f"ix_reports_{column}", table_name="reports")
        op.alter_column(
            "reports",
            column,
            type_=sa.JSON(),
            existing_type=postgresql.JSONB(),
            postgresql_using=f"{column}::json",
        )
