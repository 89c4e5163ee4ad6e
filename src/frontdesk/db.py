"""Engine and sessions.

SQLite is the one-desk default: WAL so the board can read while a desk writes, foreign
keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so two terminals
queue for the write lock instead of failing half way with "database is locked". Read-only
work (board, search) uses :meth:`Database.reader`, which begins deferred.
PostgreSQL (psycopg 3) is the multi-terminal deployment; the same code serves both.

SQLAlchemy itself is imported when the first session is asked for, not when the database
is opened: the desk home reads through :attr:`Database.plain` (``frontdesk.dbapi``) and a
console that only signs in, looks at today's cars and searches never loads the ORM.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk.dbapi import SQLITE_BUSY_TIMEOUT_MS, Cursor, Dialect, PlainConnection

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "Database", "make_engine", "normalise_url"]


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and send them through psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _install_sqlite_hooks(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_hooks(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


class Database:
    """One engine (made on first use) and its session factories; cheap to pass around."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self._echo = echo
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self.is_sqlite = self.url.startswith("sqlite")
        self.plain: PlainConnection | None = PlainConnection(self.url) if PlainConnection.available(self.url) else None
        if self.plain is None:  # an in-memory or unusual URL: the plain reads share the engine's connection
            self.engine  # noqa: B018 - made now, so every reader sees the same database

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._engine_lock:  # the first ORM use may come from two workers at once: one engine
                if self._engine is None:
                    self._engine = make_engine(self.url, echo=self._echo)
        return self._engine

    @cached_property
    def _makers(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        from sqlalchemy.orm import sessionmaker

        writer = sessionmaker(self.engine, expire_on_commit=False)
        read_bind = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        return writer, sessionmaker(read_bind, expire_on_commit=False)

    def session(self) -> Session:
        """A session for a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        return self._makers[0]()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A short read-only session; never holds the SQLite write lock."""
        with self._makers[1]() as session:  # closing ends the transaction without expiring objects
            yield session

    @contextmanager
    def plain_transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """A transaction on the driver itself (``frontdesk.dbapi``) for the reads that must not load the ORM.

        An in-memory or otherwise unusual URL has no connection of its own: its transaction
        runs on a session's connection instead.
        """
        if self.plain is not None:
            with self.plain.transaction(write=write) as cursor:
                yield cursor
            return
        with (self.session() if write else self._makers[1]()) as session, (session.begin() if write else nullcontext()):
            yield Cursor(Dialect(self.is_sqlite), session.connection().connection.driver_connection)

    def dispose(self) -> None:
        if self.plain is not None:
            self.plain.close()
        if self._engine is not None:
            self._engine.dispose()
