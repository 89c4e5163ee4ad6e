"""Appointment capacity (预约限量) and the reminder call the day before

``appointment.work_hours`` and ``appointment.trade``: the workshop hours a booked visit will
take and the trade doing them (机修 mechanical, 钣喷 body, 电工 electrical), typed at booking
or estimated from the requested work; NULL on bookings made before, which the capacity
counts at the default estimate. ``override_by_id``: the supervisor or manager who let the
booking in over a full band. ``reminder_outcome`` / ``reminder_at`` / ``reminder_by_id`` /
``reminder_tries``: the last reminder call made the day before and how many were made.

Every column is nullable or has a server default, so SQLite adds each with a plain ALTER
TABLE (no copy of a table that orders and recommendations point at); the two user
references are written as SQLite's column REFERENCES clause there (SQLite cannot add a
constraint to a table) and as named constraints on PostgreSQL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_USER_COLUMNS = ("override_by_id", "reminder_by_id")


def upgrade() -> None:
    op.add_column("appointment", sa.Column("work_hours", sa.Numeric(precision=6, scale=2), nullable=True))
    op.add_column("appointment", sa.Column("trade", sa.String(length=20), nullable=True))
    op.add_column("appointment", sa.Column("reminder_outcome", sa.String(length=24), nullable=True))
    op.add_column("appointment", sa.Column("reminder_at", sa.DateTime(), nullable=True))
    op.add_column("appointment", sa.Column("reminder_tries", sa.Integer(), nullable=False, server_default="0"))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in _USER_COLUMNS:
        if sqlite:
            op.execute(f"ALTER TABLE appointment ADD COLUMN {column} INTEGER REFERENCES app_user (id)")
        else:
            op.add_column("appointment", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f"fk_appointment_{column}_app_user"), "appointment", "app_user", [column], ["id"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in _USER_COLUMNS:
        if not sqlite:
            op.drop_constraint(op.f(f"fk_appointment_{column}_app_user"), "appointment", type_="foreignkey")
    if sqlite:  # a column with a REFERENCES clause cannot be dropped in place: the table is copied
        with op.batch_alter_table("appointment") as batch_op:
            for column in (*_USER_COLUMNS, "reminder_tries", "reminder_at", "reminder_outcome", "trade", "work_hours"):
                batch_op.drop_column(column)
        return
    for column in (*_USER_COLUMNS, "reminder_tries", "reminder_at", "reminder_outcome", "trade", "work_hours"):
        op.drop_column("appointment", column)
