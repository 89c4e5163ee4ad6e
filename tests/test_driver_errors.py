"""Driver errors are told apart by their codes, never their text (issue 15, item 11).

The text of an error holds the SQL that failed, so "locked" shows up in every statement
that touches ``locked_until``: a read-only store was reported as "busy, try again".
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from frontdesk import db as db_module
from frontdesk import dbapi
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model.enums import Role
from frontdesk.services import auth
from frontdesk.services.context import Services
from frontdesk.services.driver_errors import Problem, StoreError, classify, user_error
from frontdesk.services.errors import ConflictError
from frontdesk.services.setup import ensure_store, system_actor

from .conftest import PASSWORD


def _read_only_twin(database: Database) -> Database:
    """The same store opened read-only: SQLite's ``mode=ro`` URI; PostgreSQL's read-only transactions."""
    if database.is_sqlite:
        path = database.url.split(":///", 1)[1]
        return Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    joiner = "&" if "?" in database.url else "?"
    return Database(f"{database.url}{joiner}options=-c%20default_transaction_read_only%3Don")


def test_a_read_only_store_is_read_only_not_busy(services, settings, clock):
    admin = system_actor(ensure_store(services))
    auth.add_user(services, admin, "clerk", "Clerk", Role.CASHIER, PASSWORD)
    read_only = Services(db=_read_only_twin(services.db), settings=settings, clock=clock)
    try:
        with pytest.raises(StoreError, match="read-only") as caught:
            auth.set_password(read_only, admin, "clerk", "another-pass")
        assert "busy" not in str(caught.value) and "saving" not in str(caught.value)
        # The plain driver path (sign-in's bookkeeping) says the same.
        with pytest.raises(StoreError, match="read-only"):
            with read_only.db.plain_transaction(write=True) as cur:
                cur.run("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE username = :u", {"u": "clerk"})
    finally:
        read_only.db.dispose()


def test_the_plain_connection_maps_a_refused_write_by_its_code(tmp_path, sqlite_template):
    path = tmp_path / "store.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}")
    assert db.plain is not None
    Services(db=db, settings=Settings())  # the services hand the db layer their mapping
    try:
        with db.plain_transaction() as cur:
            cur.run("PRAGMA query_only = ON")  # SQLITE_READONLY on any write, whatever the SQL says
        with pytest.raises(StoreError, match="read-only"):
            with db.plain_transaction(write=True) as cur:
                cur.run("UPDATE app_user SET locked_until = NULL")
    finally:
        db.dispose()


@pytest.fixture
def quick_timeout(monkeypatch):
    """Half a second instead of 15 for a held lock to give up (the notice comes after 0.3 s)."""
    monkeypatch.setattr(dbapi, "SQLITE_BUSY_TIMEOUT_MS", 600)
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 600)


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_held_write_lock_is_busy(services, quick_timeout):
    admin = system_actor(ensure_store(services))
    db = Database(services.db.url)
    busy = Services(db=db, settings=services.settings, clock=services.clock)
    holder = _hold_write_lock(Path(db.url.split(":///", 1)[1]))
    try:
        with pytest.raises(ConflictError, match="Another terminal is saving"):
            auth.add_user(busy, admin, "late", "Late", Role.QC, PASSWORD)
        with pytest.raises(ConflictError, match="Another terminal is saving"):
            with db.plain_transaction(write=True) as cur:
                cur.run("UPDATE app_user SET locked_until = NULL")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_write_says_it_waits_for_another_terminal_then_succeeds(services):
    """Item 10: the write waits for the lock as before, but says so after a moment."""
    admin = system_actor(ensure_store(services))
    db = Database(services.db.url)
    told: list[float] = []
    db.on_wait = lambda: told.append(time.monotonic())
    waiting = Services(db=db, settings=services.settings, clock=services.clock)
    holder = _hold_write_lock(Path(db.url.split(":///", 1)[1]))
    releaser = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    started = time.monotonic()
    releaser.start()
    try:
        info = auth.add_user(waiting, admin, "patient", "Patient", Role.QC, PASSWORD)
    finally:
        releaser.join()
        holder.close()
        db.dispose()
    assert info.username == "patient"
    assert len(told) == 1 and told[0] - started < 0.9  # said while the other terminal still held the lock
    assert time.monotonic() - started >= 1.0


def test_codes_decide_not_words():
    import psycopg.errors

    def pg(state: str) -> BaseException:
        return psycopg.errors.lookup(state)("could not obtain lock on row in relation \"app_user\"")

    assert classify(pg("40001")) is Problem.BUSY
    assert classify(pg("40P01")) is Problem.BUSY
    assert classify(pg("55P03")) is Problem.BUSY
    assert classify(pg("25006")) is Problem.READ_ONLY  # the text says "lock"; the code says read-only
    assert classify(pg("53100")) is Problem.FULL
    assert classify(pg("08006")) is Problem.UNREACHABLE
    assert classify(pg("42501")) is Problem.NOT_ALLOWED
    assert classify(pg("23505")) is None  # a unique violation is the caller's business
    assert classify(psycopg.OperationalError("connection failed: FATAL: password authentication failed")) \
        is Problem.UNREACHABLE
    assert classify(ValueError("database is locked")) is None  # no driver, no code: not ours to map
    assert isinstance(user_error(pg("55P03")), ConflictError)


def test_the_words_of_the_sql_do_not_count():
    from sqlalchemy.exc import OperationalError

    def wrapped(message: str, code: int) -> OperationalError:
        driver = sqlite3.OperationalError(message)
        driver.sqlite_errorcode = code  # type: ignore[attr-defined]
        return OperationalError("UPDATE app_user SET failed_logins = ?, locked_until = ? WHERE id = ?", (0, None, 1),
                                driver)

    read_only = wrapped("attempt to write a readonly database", 8)
    assert "locked" in str(read_only)
    assert classify(read_only) is Problem.READ_ONLY
    assert isinstance(user_error(read_only), StoreError)
    assert classify(wrapped("database is locked", 5)) is Problem.BUSY
    assert classify(wrapped("database table is locked", 6 | (1 << 8))) is Problem.BUSY  # SQLITE_LOCKED_SHAREDCACHE
    assert classify(wrapped("database or disk is full", 13)) is Problem.FULL


def test_sqlite_codes(tmp_path):
    (tmp_path / "notes.db").write_text("not a database at all, just notes about locked cars\n")
    errors: dict[str, BaseException] = {}
    try:
        sqlite3.connect(tmp_path / "notes.db").execute("SELECT * FROM sqlite_master")
    except sqlite3.DatabaseError as exc:
        errors["notadb"] = exc
    try:
        sqlite3.connect(tmp_path / "missing" / "x.db")
    except sqlite3.OperationalError as exc:
        errors["cantopen"] = exc
    assert classify(errors["notadb"]) is Problem.NOT_A_STORE
    assert classify(errors["cantopen"]) is Problem.CANT_OPEN
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    assert "is not a frontdesk store" in str(user_error(errors["notadb"], url))
    assert str(tmp_path / "notes.db") in str(user_error(errors["notadb"], url))


def test_a_password_never_shows_in_a_connection_error():
    import psycopg

    exc = psycopg.OperationalError('connection failed: connection to server at "127.0.0.1", port 5432 failed: '
                                   'FATAL:  password authentication failed for user "clerk"')
    shown = str(user_error(exc, "postgresql+psycopg://clerk:s3cret@db.store.lan/frontdesk"))
    assert "s3cret" not in shown
    assert "postgresql://clerk:***@db.store.lan/frontdesk" in shown
    assert 'password authentication failed for user "clerk"' in shown and "\n" not in shown


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_the_console_says_a_save_is_waiting_for_another_terminal(services, actors):
    """Item 10 at the console: a notice while the save waits, then the save goes through."""
    import asyncio

    from frontdesk.app import make_app

    admin = system_actor(ensure_store(services))
    app = make_app(services, actor=actors[Role.MANAGER], show_clock=False)
    async with app.run_test(size=(120, 40)) as pilot:
        holder = _hold_write_lock(Path(services.db.url.split(":///", 1)[1]))
        releaser = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
        releaser.start()
        try:  # as a screen's worker does: the service call in a thread
            info = await asyncio.to_thread(auth.add_user, app.services, admin, "patient", "Patient", Role.QC, PASSWORD)
        finally:
            releaser.join()
            holder.close()
        await pilot.pause()
        assert info.username == "patient"
        assert "Another terminal is saving; waiting for it…" in [str(n.message) for n in app._notifications]
