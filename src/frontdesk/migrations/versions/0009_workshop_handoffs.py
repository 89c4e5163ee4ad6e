"""The workshop's handoffs (issue 18): when a job's pause reason was set, and why parts went unissued

``job.pause_reason_at``: when the job paused, or when the customer's answer it waited for
came in (the bench shows "customer approved 10:42"). ``job.unissued_parts_reason``: a job
finished with parts of it not issued says why (supplied by the customer, not needed).
Both are plain nullable columns (``ALTER TABLE ... ADD COLUMN``; no table copy on SQLite,
so the audit triggers of 0005 stay on their table).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("job", sa.Column("pause_reason_at", sa.DateTime(), nullable=True))
    op.add_column("job", sa.Column("unissued_parts_reason", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("unissued_parts_reason")
        batch_op.drop_column("pause_reason_at")
