"""Unread markers: reports.reporter_activity and case_reads, per user.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

A case is unread for a user until they open it, and again once the reporter
writes or files a later stage after that. Existing cases count as unread for
everyone until opened: nothing recorded who read them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("reporter_activity", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "case_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("seen_activity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_case_reads_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "report_id", name=op.f("pk_case_reads")),
    )


def downgrade() -> None:
    op.drop_table("case_reads")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("reporter_activity")
