"""Role discount authority set by the administrator; a user's last login

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLES = ("advisor", "supervisor", "team_leader", "technician", "qc", "cashier", "manager", "admin")


def upgrade() -> None:
    op.create_table(
        "role_authority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum(*ROLES, name="role", native_enum=False, length=24), nullable=False),
        sa.Column("discount_authority", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_role_authority_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_authority")),
        sa.UniqueConstraint("store_id", "role", name="uq_role_authority_store_role"),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
    op.drop_table("role_authority")
