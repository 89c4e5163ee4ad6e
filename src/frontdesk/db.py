"""Engine and sessions.

SQLite is the one-desk default: WAL so the board can read while a desk writes, foreign
keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so two terminals
queue for the write lock instead of failing half way with "database is locked". Read-only
work (board, search) uses :meth:`Database.reader`, which begins deferred.
PostgreSQL (psycopg 3) is the multi-terminal deployment; the same code serves both.

SQLAlchemy itself is imported when the first session is asked for, not when the database
is opened: the desk home reads through :attr:`Database.plain` (``frontdesk.dbapi``) and a
console that only signs in, looks at today's cars and searches never loads the ORM.

A SQLite store runs ``synchronous=FULL`` by default: in WAL mode ``NORMAL`` may lose the
last commits (a payment just taken) to a power cut; the ``sqlite_synchronous`` setting
trades that back for speed. The file is created 0600 in a 0700 folder
(:func:`frontdesk.dbapi.create_sqlite_file`). When a write has to wait for another
terminal's write lock, :attr:`Database.on_wait` is called once (the command line prints a
line, the console shows a notice) and the write goes on waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk.dbapi import (
    SQLITE_BUSY_TIMEOUT_MS,
    Cursor,
    Dialect,
    ErrorMapper,
    PlainConnection,
    begin_immediate,
    create_sqlite_file,
    sqlite_pragmas,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "BadDatabaseURL", "Database", "check_url", "make_engine", "normalise_url",
           "sqlite_file"]

_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg", "postgres")


class BadDatabaseURL(ValueError):
    """``--db`` (or FRONTDESK_DB, or the settings file) names nothing this program can open."""


def check_url(url: str) -> None:
    """Refuse a URL of a scheme this program has no driver for, before anything is imported or opened."""
    from frontdesk.i18n import gettext as _
    from frontdesk.redact import redact_url

    scheme, sep, _rest = url.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        raise BadDatabaseURL(_("{url} is not a database this program can use: give sqlite:///PATH or"
                               " postgresql://USER@HOST/DATABASE.").format(url=redact_url(url)))


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (``file:`` URIs and options included); None for in-memory and server URLs."""
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0].removeprefix("file:")
    return None if path in ("", ":memory:") else Path(path)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and send them through psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _install_sqlite_hooks(engine: Engine, synchronous: str, waiting: Callable[[], None] | None) -> None:
    from sqlalchemy import event

    pragmas = sqlite_pragmas(synchronous)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "IMMEDIATE":
            begin_immediate(conn.exec_driver_sql, waiting)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False, synchronous: str = "FULL",
                waiting: Callable[[], None] | None = None) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None and not parsed.query.get("mode"):  # a "?mode=ro" store is never created
            create_sqlite_file(path)
        engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_hooks(engine, synchronous, waiting)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


class Database:
    """One engine (made on first use) and its session factories; cheap to pass around."""

    def __init__(self, url: str, *, echo: bool = False, synchronous: str = "FULL") -> None:
        check_url(url)
        self.url = normalise_url(url)
        self._echo = echo
        self._synchronous = synchronous
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self.is_sqlite = self.url.startswith("sqlite")
        #: Called (from the waiting thread) when a write starts waiting for another terminal's write lock.
        self.on_wait: Callable[[], None] | None = None
        #: What a driver error of the plain path becomes (installed by the services: see dbapi.ErrorMapper).
        self.map_error: ErrorMapper | None = None
        self.plain: PlainConnection | None = (
            PlainConnection(self.url, synchronous=synchronous, waiting=self._waiting, map_error=self._map_error)
            if PlainConnection.available(self.url) else None
        )
        if self.plain is None:  # an in-memory or unusual URL: the plain reads share the engine's connection
            self.engine  # noqa: B018 - made now, so every reader sees the same database

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._engine_lock:  # the first ORM use may come from two workers at once: one engine
                if self._engine is None:
                    self._engine = make_engine(self.url, echo=self._echo, synchronous=self._synchronous,
                                               waiting=self._waiting)
        return self._engine

    def _waiting(self) -> None:
        if self.on_wait is not None:
            self.on_wait()

    def _map_error(self, exc: BaseException, url: str) -> BaseException | None:
        return self.map_error(exc, url) if self.map_error is not None else None

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
        try:
            with (self.session() if write else self._makers[1]()) as session, \
                    (session.begin() if write else nullcontext()):
                yield Cursor(Dialect(self.is_sqlite), session.connection().connection.driver_connection)
        except Exception as exc:  # as the plain connection's: the user's error, by the driver's code
            mapped = self._map_error(exc, self.url)
            if mapped is None:
                raise
            raise mapped from exc

    def dispose(self) -> None:
        if self.plain is not None:
            self.plain.close()
        if self._engine is not None:
            self._engine.dispose()
