"""A scratch PostgreSQL database beside the test database, created once and emptied on each use.

The shared test database is never touched: other suites wipe it between tests. The many-
terminals, backup and crash harnesses (tests and benchmarks alike) take their own sibling.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from frontdesk.db import Database


def fresh_postgres(base_url: str, suffix: str) -> str:
    """``<name><suffix>`` on the server of ``base_url``, with an empty ``public`` schema."""
    url = make_url(Database(base_url).url)
    name = f"{url.database}{suffix}"
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    db = Database(target)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        db.dispose()
    return target
