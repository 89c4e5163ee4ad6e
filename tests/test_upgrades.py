"""A database written by each earlier schema revision upgrades to the head without losing a row.

The rows come from tests/fixtures/upgrade_<rev>/ (plain INSERTs for the tables and columns of
that revision; regenerate with ``python tests/fixtures/upgrade_fixtures.py`` when a migration is
added). The revisions are read from the shipped migrations, so a new one is covered at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from frontdesk import migrate
from frontdesk.backup import revision_order
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import Base
from frontdesk.services import audit_chain
from frontdesk.services.context import Services
from frontdesk.services.desk import order_view
from tests.conftest import BACKENDS, PG_URL
from tests.fixtures.upgrade_fixtures import _plain

FIXTURES = Path(__file__).parent / "fixtures"
REVISIONS = revision_order()
EARLIER = REVISIONS[:-1]
PG_NAME = "frontdesk_test_upgrades"


def test_every_earlier_revision_has_a_fixture():
    assert len(REVISIONS) >= 2
    for revision in EARLIER:
        folder = FIXTURES / f"upgrade_{revision}"
        assert (folder / "data.sql").is_file(), f"no {folder}: run python tests/fixtures/upgrade_fixtures.py"
        assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["revision"] == revision


@pytest.fixture(scope="module")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A database of this module's own (never the shared frontdesk_test), one per xdist worker."""
    if not PG_URL:
        pytest.skip("FRONTDESK_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    from sqlalchemy.engine import make_url

    name = PG_NAME if worker_id in ("", "master") else f"{PG_NAME}_{worker_id}"
    url = make_url(Database(PG_URL).url)
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield url.set(database=name).render_as_string(hide_password=False)


def _empty_database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    if backend == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'old.db'}")
    db = Database(request.getfixturevalue("postgres_url"))
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return db


def _load(db: Database, sql: str, present: set[str]) -> None:
    raw = db.engine.raw_connection()
    try:
        if db.is_sqlite:
            raw.driver_connection.executescript(f"BEGIN;\n{sql}\nCOMMIT;")
            assert raw.driver_connection.execute("PRAGMA foreign_key_check").fetchall() == []
        else:
            with raw.cursor() as cur:
                cur.execute(sql)
                # Explicit ids leave the sequences behind; the app's next INSERT needs them moved on.
                for table in Base.metadata.sorted_tables:
                    if table.name in present and "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
                        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"coalesce(max(id), 0) + 1, false) FROM \"{table.name}\"")
            raw.commit()
    finally:
        raw.close()


@pytest.mark.parametrize("revision", EARLIER)
@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_keeps_every_row(backend: str, revision: str, tmp_path: Path, request: pytest.FixtureRequest):
    folder = FIXTURES / f"upgrade_{revision}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    db = _empty_database(backend, tmp_path, request)
    try:
        migrate.upgrade(db, revision)
        assert migrate.current_revision(db) == revision
        _load(db, (folder / "data.sql").read_text(encoding="utf-8"), set(manifest["tables"]))
        assert manifest["tables"]["repair_order"]["count"] > 0

        migrate.upgrade(db)
        assert migrate.current_revision(db) == REVISIONS[-1]
        verdict = audit_chain.verify(db)  # the events recorded before 0006 are sealed into each store's chain
        assert verdict.intact and verdict.events == manifest["tables"]["audit_event"]["count"], verdict.summary()
        tables = {t.name: t for t in Base.metadata.sorted_tables}
        with db.engine.connect() as conn:
            for name, expected in manifest["tables"].items():
                table = tables[name]
                columns = [table.columns[c] for c in expected["columns"]]
                keys = [table.columns[c] for c in expected["keys"]]
                rows = [[_plain(v) for v in row] for row in conn.execute(select(*columns).order_by(*keys))]
                assert len(rows) == expected["count"], name
                assert rows == expected["rows"], name
            if db.is_sqlite:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []

        # The upgraded book opens with the app's services, every order readable.
        services = Services(db=db, settings=replace(Settings(), language="en"))
        order_keys = manifest["tables"]["repair_order"]
        number_at = order_keys["columns"].index("number")
        for row in order_keys["rows"]:
            assert order_view(services, row[0]).number == row[number_at]
    finally:
        db.dispose()
