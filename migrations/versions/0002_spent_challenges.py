"""Spent proof-of-work challenges.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26

A challenge token is accepted once (reporting/intake/pow.py). Its digest is kept
until the hour after the token expires, in the database so that every web
worker, on every host, sees it. Only the hour is stored: the exact expiry
would tell when a reporter came.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spent_challenges",
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("expires_hour", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(digest) = 32", name=op.f("ck_spent_challenges_digest_length")),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_spent_challenges")),
    )
    op.create_index(op.f("ix_spent_challenges_expires_hour"), "spent_challenges", ["expires_hour"])


def downgrade() -> None:
    op.drop_table("spent_challenges")
