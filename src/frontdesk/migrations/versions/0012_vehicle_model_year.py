"""The vehicle's model year, decoded from the VIN's 10th character at check-in

``vehicle.model_year`` is nullable: the cars already on file have none until their VIN is
decoded again or the advisor types it, and a car booked by phone has no VIN yet. A plain
nullable column: SQLite adds it with ALTER TABLE, no table copy, no row written.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("vehicle", sa.Column("model_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("vehicle", "model_year")  # SQLite 3.35+ drops a plain column in place
