"""A caller booked before the car is on file (plate and VIN may wait), and the agreed pickup time

A first-time caller is booked with what they say on the phone: the vehicle is saved
without a VIN (and without a plate, when the car has none yet), so ``vehicle.plate`` and
``vehicle.vin`` may be NULL until check-in completes the record (both stay unique: NULLs
never clash). ``repair_order.pickup_at`` holds the time agreed with the customer once
the car is ready (约定交车时间).

On SQLite a NOT NULL cannot be dropped by ALTER TABLE, and the usual table copy
(``batch_alter_table``) cannot be used on ``vehicle`` inside the upgrade's transaction: the
orders, appointments and readings point at it, and dropping the old copy counts each of
those references as a foreign-key violation that no rename takes back. Removing a NOT NULL
changes nothing on disk, so the table's CREATE statement is edited in place, the way
SQLite's documentation gives for exactly this change ("Making Other Kinds Of Table Schema
Changes": writable_schema, then a new schema_version). The search triggers and indexes stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_NOT_NULL = re.compile(r"(\b(plate|vin)\s+VARCHAR\(\d+\))(\s+NOT NULL)", re.I)
_NULLABLE = re.compile(r"(\b(plate|vin)\s+VARCHAR\(\d+\))(?!\s+NOT NULL)", re.I)


def _sqlite_vehicle_columns(nullable: bool) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'vehicle'").scalar()
    changed, n = (_NOT_NULL.subn(r"\1", sql) if nullable else _NULLABLE.subn(r"\1 NOT NULL", sql))
    if n != 2:
        raise RuntimeError(f"vehicle's plate and vin not found as expected in: {sql}")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'vehicle'", (changed,))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _vehicle_columns(nullable: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_vehicle_columns(nullable)
        return
    op.alter_column("vehicle", "plate", existing_type=sa.String(length=12), nullable=nullable)
    op.alter_column("vehicle", "vin", existing_type=sa.String(length=17), nullable=nullable)


def upgrade() -> None:
    _vehicle_columns(nullable=True)
    with op.batch_alter_table("repair_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    incomplete = bind.execute(sa.text("SELECT count(*) FROM vehicle WHERE vin IS NULL OR plate IS NULL")).scalar()
    if incomplete:  # a customer's booking is not thrown away by a downgrade
        raise RuntimeError(f"{incomplete} booked vehicles have no VIN or plate yet: complete them first")
    op.execute("ALTER TABLE repair_order DROP COLUMN pickup_at")  # SQLite 3.35+: in place, no table copy
    _vehicle_columns(nullable=False)
