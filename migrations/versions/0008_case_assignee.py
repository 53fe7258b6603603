"""A case's assignee: reports.assignee_id, the one person working it now.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

The case lists filter on it ("assigned to me", "unassigned"), hence the
index. A user is never deleted (they are deactivated), but the foreign key
still lets go rather than block if one ever is. Existing cases start
unassigned.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reports_assignee_id_users"),
            "users",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_reports_assignee_id"), ["assignee_id"])


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_index(op.f("ix_reports_assignee_id"))
        batch.drop_constraint(op.f("fk_reports_assignee_id_users"), type_="foreignkey")
        batch.drop_column("assignee_id")
