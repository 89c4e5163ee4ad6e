"""Dispatch priority on jobs; part order requests for parts short in stock

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "priority", sa.Enum("normal", "urgent", "rush", name="jobpriority", native_enum=False, length=24),
            server_default="normal", nullable=False))

    op.create_table(
        "part_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("part_line_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("state", sa.Enum("requested", "ordered", "arrived", name="partorderstate", native_enum=False,
                                   length=24), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("supplier_ref", sa.String(length=60), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("ordered_at", sa.DateTime(), nullable=True),
        sa.Column("ordered_by_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("arrived_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["arrived_by_id"], ["app_user.id"], name=op.f("fk_part_order_arrived_by_id_app_user")),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_part_order_job_id_job")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"], name=op.f("fk_part_order_order_id_repair_order")),
        sa.ForeignKeyConstraint(["ordered_by_id"], ["app_user.id"], name=op.f("fk_part_order_ordered_by_id_app_user")),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name=op.f("fk_part_order_part_id_part")),
        sa.ForeignKeyConstraint(["part_line_id"], ["part_line.id"], name=op.f("fk_part_order_part_line_id_part_line")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["app_user.id"],
                                name=op.f("fk_part_order_requested_by_id_app_user")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_part_order_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_order")),
    )
    with op.batch_alter_table("part_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_order_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_order_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_order_part_line_id"), ["part_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_order_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_order_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("part_order", schema=None) as batch_op:
        for name in ("store_id", "state", "part_line_id", "order_id", "job_id"):
            batch_op.drop_index(batch_op.f(f"ix_part_order_{name}"))
    op.drop_table("part_order")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("priority")
