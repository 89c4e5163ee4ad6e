"""The audit trail becomes a hash chain per store: each event seals the one before it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

``audit_event.prev_hash`` / ``audit_event.hash`` and ``store.audit_head`` (the hash of the
store's last event); services/audit_chain.py says what is hashed and why. The events already
recorded are sealed here, in id order per store, with the program's own recipe (imported, not
copied: a chain sealed one way and checked another would be broken from the start).

Sealing them means updating audit events, which the triggers of 0005 refuse: they are set
aside for that UPDATE only, in this same transaction, and are in force again before it
commits (SQLite: dropped and created again; PostgreSQL: disabled and enabled). Columns are
added with a plain ``ALTER TABLE ... ADD COLUMN``, never a table copy, so SQLite keeps the
triggers on the table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PAGE = 5000

# The triggers of 0005, as it creates them (SQLite drops a trigger rather than disabling it).
SQLITE_UPDATE_TRIGGER = ("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                         "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END")

EVENTS = sa.table(
    "audit_event",
    sa.column("id", sa.Integer), sa.column("store_id", sa.Integer), sa.column("at", sa.DateTime),
    sa.column("user_id", sa.Integer), sa.column("action", sa.String), sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer), sa.column("order_id", sa.Integer), sa.column("before", sa.JSON),
    sa.column("after", sa.JSON), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)
STORES = sa.table("store", sa.column("id", sa.Integer), sa.column("audit_head", sa.String))


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("hash", sa.String(length=64), nullable=True))
    op.add_column("store", sa.Column("audit_head", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if conn.execute(sa.select(EVENTS.c.id).limit(1)).first() is None:
        return  # a new database: nothing to seal
    op.execute("DROP TRIGGER audit_event_no_update" if sqlite
               else "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    _seal_recorded_events(conn)
    op.execute(SQLITE_UPDATE_TRIGGER if sqlite else "ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def _seal_recorded_events(conn: Any) -> None:
    """Every store's events in id order, a page at a time (a store may hold millions)."""
    from frontdesk.services.audit_chain import payload_text, seal_chain

    heads: dict[int | None, str | None] = {}
    columns = [EVENTS.c[k] for k in ("id", "store_id", "at", "user_id", "action", "entity", "entity_id",
                                     "order_id", "before", "after")]
    update = (EVENTS.update().where(EVENTS.c.id == sa.bindparam("event_id"))
              .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h")))
    last = 0
    while True:
        page = conn.execute(sa.select(*columns).where(EVENTS.c.id > last).order_by(EVENTS.c.id).limit(PAGE)).all()
        if not page:
            break
        sealed = []
        for event_id, store_id, at, user_id, action, entity, entity_id, order_id, before, after in page:
            ((prev, own),) = seal_chain(heads.get(store_id), store_id, [
                (at, user_id, action, entity, entity_id, order_id, payload_text(before), payload_text(after))])
            heads[store_id] = own
            sealed.append({"event_id": event_id, "p": prev, "h": own})
        conn.execute(update, sealed)
        last = page[-1][0]
    conn.execute(STORES.update().where(STORES.c.id == sa.bindparam("store")).values(audit_head=sa.bindparam("head")),
                 [{"store": store, "head": head} for store, head in heads.items() if store is not None])


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+), not a table copy: the triggers of 0005 stay.
    op.execute("ALTER TABLE store DROP COLUMN audit_head")
    op.execute("ALTER TABLE audit_event DROP COLUMN hash")
    op.execute("ALTER TABLE audit_event DROP COLUMN prev_hash")
