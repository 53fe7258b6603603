"""Triage retries back off: reports.triage_attempts, triage_retry_at, triage_error.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

A report the worker cannot triage (an intake wrap that does not open, nobody
who may receive it) was claimed again every claim timeout for ever, with an
audit entry each time. The worker now counts the failed attempts, waits
twice as long after each (up to a cap) before the next, and audits a failure
only when its kind changes (reporting/pipeline/worker.py). Existing reports
start with no failed attempt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("triage_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("triage_retry_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("triage_error", sa.String(length=100), nullable=True))
        batch.create_check_constraint(
            op.f("ck_reports_retry_only_while_claimed"),
            "triage_retry_at IS NULL OR triage_state = 'claimed'",
        )


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint(op.f("ck_reports_retry_only_while_claimed"), type_="check")
        batch.drop_column("triage_error")
        batch.drop_column("triage_retry_at")
        batch.drop_column("triage_attempts")
