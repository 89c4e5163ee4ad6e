"""The shipped migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from frontdesk import migrate
from frontdesk.db import Database
from frontdesk.model import Base


def test_upgrade_from_empty_sqlite_matches_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.is_up_to_date(db)
    _assert_no_diff(db)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    migrate.upgrade(db)  # a second upgrade is a no-op
    db.dispose()


def test_migrated_database_matches_models(database: Database):
    """The shared fixture databases (SQLite and PostgreSQL) were built by the migrations."""
    assert migrate.is_up_to_date(database)
    _assert_no_diff(database)


def test_search_indexes_exist(database: Database):
    insp = inspect(database.engine)
    indexed = {
        (table, tuple(ix["column_names"]))
        for table in ("vehicle", "customer", "repair_order")
        for ix in insp.get_indexes(table)
    }
    uniques = {
        (table, tuple(u["column_names"]))
        for table in ("vehicle", "repair_order")
        for u in insp.get_unique_constraints(table)
    }
    have = indexed | uniques
    for wanted in (("customer", ("name",)), ("customer", ("phone",)), ("repair_order", ("status",))):
        assert wanted in have, wanted
    for wanted in (("vehicle", ("plate",)), ("vehicle", ("vin",)), ("repair_order", ("number",))):
        assert wanted in have or (wanted[0], wanted[1]) in uniques, wanted


def _assert_no_diff(db: Database) -> None:
    with db.engine.connect() as conn:
        from frontdesk.migrations.env_filters import include_object

        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], diff
        conn.execute(text("SELECT 1"))
