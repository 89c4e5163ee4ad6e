"""The audit trail is append-only: the database refuses UPDATE and DELETE of audit events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

The ORM refuses it too (model/audit.py); the triggers stop whatever bypasses it (raw SQL,
another program, a console session). What stays possible, on purpose: dropping the table
(``frontdesk demo`` replaces a demo database by dropping everything, services/setup.py) and,
on PostgreSQL, TRUNCATE (row triggers do not fire on it; the test fixtures empty their
database that way). Neither is reachable through the application; a production database
role should not hold TRUNCATE or DROP on the table.

SQLite keeps a table's triggers only as long as the table: a later migration that rebuilds
``audit_event`` (``batch_alter_table`` with a copy) must create these triggers again.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MESSAGE = "audit_event is append-only"

SQLITE = tuple(
    f"CREATE TRIGGER audit_event_no_{op_.lower()} BEFORE {op_} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {op_} refused'); END"
    for op_ in ("UPDATE", "DELETE")
)

POSTGRES = (
    ("CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
     f"BEGIN RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP; END $$"),
    ("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
     "FOR EACH ROW EXECUTE PROCEDURE audit_event_append_only()"),
)


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
