"""Reception (issue 20): the arrival register and queue; the receptionist role

One new table, ``arrival``: each car registered at the door, kept after it is taken or has
left (the reception figures are read from it). The receptionist role needs no schema change:
roles are stored as text in a VARCHAR(24) without a CHECK constraint (model/base.py
``enum_column``), and "receptionist" (12 characters) fits the column as it is on SQLite and
PostgreSQL alike, so no table is copied.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PURPOSES = ("appointment", "walk_in", "pick_up", "enquiry", "accident")
TIMELINESS = ("early", "on_time", "late")
STATUSES = ("waiting", "taken", "left")


def upgrade() -> None:
    op.create_table(
        "arrival",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("plate", sa.String(length=12), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.Column("purpose", sa.Enum(*PURPOSES, name="arrivalpurpose", native_enum=False, length=24), nullable=False),
        sa.Column("roof_number", sa.String(length=12), nullable=False),
        sa.Column("key_tag", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("timeliness", sa.Enum(*TIMELINESS, name="timeliness", native_enum=False, length=24), nullable=True),
        sa.Column("timeliness_minutes", sa.Integer(), nullable=True),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("rotation_advisor_id", sa.Integer(), nullable=True),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="arrivalstatus", native_enum=False, length=24), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_arrival_store_id_store")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicle.id"], name=op.f("fk_arrival_vehicle_id_vehicle")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_arrival_customer_id_customer")),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointment.id"], name=op.f("fk_arrival_appointment_id_appointment")),
        sa.ForeignKeyConstraint(["advisor_id"], ["app_user.id"], name=op.f("fk_arrival_advisor_id_app_user")),
        sa.ForeignKeyConstraint(["rotation_advisor_id"], ["app_user.id"],
                                name=op.f("fk_arrival_rotation_advisor_id_app_user")),
        sa.ForeignKeyConstraint(["registered_by_id"], ["app_user.id"], name=op.f("fk_arrival_registered_by_id_app_user")),
        sa.ForeignKeyConstraint(["taken_by_id"], ["app_user.id"], name=op.f("fk_arrival_taken_by_id_app_user")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"], name=op.f("fk_arrival_order_id_repair_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrival")),
    )
    op.create_index("ix_arrival_store_arrived_at", "arrival", ["store_id", "arrived_at"])
    op.create_index("ix_arrival_store_status", "arrival", ["store_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_arrival_store_status", table_name="arrival")
    op.drop_index("ix_arrival_store_arrived_at", table_name="arrival")
    op.drop_table("arrival")
