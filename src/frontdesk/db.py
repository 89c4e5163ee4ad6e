"""Engine and sessions.

SQLite is the one-desk default: WAL so the board can read while a desk writes, foreign
keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so two terminals
queue for the write lock instead of failing half way with "database is locked". Read-only
work (board, search) uses :meth:`Database.reader`, which begins deferred.
PostgreSQL (psycopg 3) is the multi-terminal deployment; the same code serves both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and send them through psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _install_sqlite_hooks(engine: Engine) -> None:
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
    """One engine and its session factories; cheap to pass around."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, echo=echo)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        read_bind = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self._reader = sessionmaker(read_bind, expire_on_commit=False)

    def session(self) -> Session:
        """A session for a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        return self._writer()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A short read-only session; never holds the SQLite write lock."""
        with self._reader() as session:  # closing ends the transaction without expiring objects
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
