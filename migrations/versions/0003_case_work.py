"""Case work: acknowledgement and closure hours, triage overrides, forced password change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("acknowledged_hour", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_hour", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("triage_overridden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "password_change_required",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_change_required")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("triage_overridden")
        batch.drop_column("closed_hour")
        batch.drop_column("acknowledged_hour")
