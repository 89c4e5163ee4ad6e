"""抹零: the small change a cashier lets go of the customer's share

``repair_order.rounding`` holds the amount rounded off the customer's payable (to the jiao
or the yuan, as the store's ``round_off`` setting allows); the bill's discount is the
advisor's discount plus it, and ``customer_amount`` is what is left. Existing orders had
none: the column is added NOT NULL with a server default of 0, so no row needs writing and
SQLite adds it with a plain ALTER TABLE (no table copy of an order table others point at).
The delivery checklist's per-car items need no schema: they are read from the walkaround
and the order's terms.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("repair_order", sa.Column("rounding", sa.Numeric(precision=12, scale=2), nullable=False,
                                            server_default="0"))


def downgrade() -> None:
    op.drop_column("repair_order", "rounding")  # SQLite 3.35+ drops a plain column in place
