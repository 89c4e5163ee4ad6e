"""Substring search: FTS5 trigram tables on SQLite, pg_trgm indexes on PostgreSQL.

The desk finds a car by any part of its plate, the tail of its VIN or phone, a name or an
order number, as the advisor types. A ``LIKE '%…%'`` scan over 60 000 vehicles costs
~14 ms; a trigram index lookup ~0.2 ms. These objects are not in the models (SQLAlchemy
has no words for them), so ``migrations/env.py`` leaves them out of comparisons.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE vehicle_search USING fts5(plate, vin, tokenize='trigram')",
    "CREATE VIRTUAL TABLE customer_search USING fts5(name, phone, tokenize='trigram')",
    "CREATE VIRTUAL TABLE order_search USING fts5(number, tokenize='trigram')",
    "INSERT INTO vehicle_search(rowid, plate, vin) SELECT id, plate, vin FROM vehicle",
    "INSERT INTO customer_search(rowid, name, phone) SELECT id, name, phone FROM customer",
    "INSERT INTO order_search(rowid, number) SELECT id, number FROM repair_order",
    """CREATE TRIGGER vehicle_search_ai AFTER INSERT ON vehicle BEGIN
        INSERT INTO vehicle_search(rowid, plate, vin) VALUES (new.id, new.plate, new.vin); END""",
    """CREATE TRIGGER vehicle_search_au AFTER UPDATE OF plate, vin ON vehicle BEGIN
        DELETE FROM vehicle_search WHERE rowid = old.id;
        INSERT INTO vehicle_search(rowid, plate, vin) VALUES (new.id, new.plate, new.vin); END""",
    """CREATE TRIGGER vehicle_search_ad AFTER DELETE ON vehicle BEGIN
        DELETE FROM vehicle_search WHERE rowid = old.id; END""",
    """CREATE TRIGGER customer_search_ai AFTER INSERT ON customer BEGIN
        INSERT INTO customer_search(rowid, name, phone) VALUES (new.id, new.name, new.phone); END""",
    """CREATE TRIGGER customer_search_au AFTER UPDATE OF name, phone ON customer BEGIN
        DELETE FROM customer_search WHERE rowid = old.id;
        INSERT INTO customer_search(rowid, name, phone) VALUES (new.id, new.name, new.phone); END""",
    """CREATE TRIGGER customer_search_ad AFTER DELETE ON customer BEGIN
        DELETE FROM customer_search WHERE rowid = old.id; END""",
    """CREATE TRIGGER order_search_ai AFTER INSERT ON repair_order BEGIN
        INSERT INTO order_search(rowid, number) VALUES (new.id, new.number); END""",
    """CREATE TRIGGER order_search_ad AFTER DELETE ON repair_order BEGIN
        DELETE FROM order_search WHERE rowid = old.id; END""",
]

POSTGRES_INDEXES = [
    ("ix_vehicle_plate_trgm", "vehicle", "plate"),
    ("ix_vehicle_vin_trgm", "vehicle", "vin"),
    ("ix_customer_name_trgm", "customer", "name"),
    ("ix_customer_phone_trgm", "customer", "phone"),
    ("ix_repair_order_number_trgm", "repair_order", "number"),
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in POSTGRES_INDEXES:
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("vehicle_search_ai", "vehicle_search_au", "vehicle_search_ad", "customer_search_ai",
                        "customer_search_au", "customer_search_ad", "order_search_ai", "order_search_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for table in ("vehicle_search", "customer_search", "order_search"):
            op.execute(f"DROP TABLE IF EXISTS {table}")
    elif dialect == "postgresql":
        for name, _, _ in POSTGRES_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
