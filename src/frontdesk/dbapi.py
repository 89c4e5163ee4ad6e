"""A plain DB-API connection for the reads the desk home lives on, without SQLAlchemy.

Why: SQLAlchemy's ORM and the mapped model cost a desk terminal about 0.3 s and 25 MB
before anything is on the screen, and the desk home (today's lists, the search box, the
sign-in) needs none of it — a few SELECTs over indexed columns. Those few queries run here
on the driver itself (``sqlite3`` from the standard library, or psycopg), and the ORM is
imported only when the advisor opens a screen that changes something. Every other service
keeps using the ORM.

The SQL is written once for both databases: ``:name`` parameters (turned into psycopg's
``%(name)s``), no dialect functions, and datetimes passed and read through
:meth:`PlainConnection.param` and :func:`as_datetime` because SQLite keeps them as text
in SQLAlchemy's format.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

SQLITE_BUSY_TIMEOUT_MS = 15_000
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` URL; None for in-memory databases and URLs with options."""
    if not url.startswith("sqlite:///") or "?" in url:
        return None
    path = url[len("sqlite:///"):]
    return None if path in ("", ":memory:") else path


def postgres_conninfo(url: str) -> str | None:
    """A libpq URI for a ``postgresql+psycopg://`` URL (libpq reads the percent-escapes itself)."""
    for prefix in ("postgresql+psycopg://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return None


def as_datetime(value: Any) -> dt.datetime | None:
    """A stored datetime as Python's: SQLite returns SQLAlchemy's text form, psycopg a datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def as_decimal(value: Any, places: int) -> Decimal | None:
    """A NUMERIC as the ORM reads it: quantized to the column's scale (SQLite may hand back a float)."""
    if value is None:
        return None
    exact = Decimal(f"{value:.{places}f}") if isinstance(value, float) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places))


class Dialect:
    """How one database takes parameters: ``:name`` SQL and Python values in the driver's form."""

    def __init__(self, is_sqlite: bool) -> None:
        self.is_sqlite = is_sqlite

    def sql(self, text: str) -> str:
        if self.is_sqlite:
            return text
        return _PARAM.sub(r"%(\1)s", text.replace("%", "%%"))

    def param(self, value: Any) -> Any:
        """SQLite holds datetimes as SQLAlchemy's text; psycopg takes them as they are."""
        if self.is_sqlite and isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        return value


class Cursor:
    """Runs ``:name`` SQL inside one transaction of a driver connection."""

    def __init__(self, dialect: Dialect, conn: Any) -> None:
        self.dialect = dialect
        self._conn = conn

    @property
    def is_sqlite(self) -> bool:
        return self.dialect.is_sqlite

    def _execute(self, text: str, params: Mapping[str, Any] | None) -> Any:
        values = {k: self.dialect.param(v) for k, v in (params or {}).items()}
        return self._conn.execute(self.dialect.sql(text), values)

    def all(self, text: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]:
        return list(self._execute(text, params).fetchall())

    def one(self, text: str, params: Mapping[str, Any] | None = None) -> Sequence[Any] | None:
        return self._execute(text, params).fetchone()

    def run(self, text: str, params: Mapping[str, Any] | None = None) -> None:
        self._execute(text, params)


class PlainConnection:
    """One driver connection of the console's own, used by its threads one transaction at a time."""

    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)
        self.conninfo = None if self.path is not None else postgres_conninfo(url)
        if self.path is None and self.conninfo is None:
            raise ValueError("no plain connection for this database URL")
        self.dialect = Dialect(self.path is not None)
        self._lock = threading.Lock()
        self._conn: Any = None

    @staticmethod
    def available(url: str) -> bool:
        return sqlite_path(url) is not None or postgres_conninfo(url) is not None

    def _connect(self) -> Any:
        if self.dialect.is_sqlite:
            import sqlite3

            path = self.path or ""
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")  # as the engine's connections (db.py): set once, kept in the file
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            return conn
        import psycopg

        return psycopg.connect(self.conninfo or "", autocommit=True)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """A read (or, with ``write``, a write) transaction; a lost PostgreSQL link is reopened once."""
        sqlite = self.dialect.is_sqlite
        begin = ("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED") if sqlite else "BEGIN"
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            try:
                conn.execute(begin)
            except Exception:
                if sqlite:
                    raise
                self._close()  # the server went away since the last read: one fresh try
                self._conn = conn = self._connect()
                conn.execute(begin)
            try:
                yield Cursor(self.dialect, conn)
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except Exception:  # the link itself failed: start afresh next time
                    self._close()
                raise
            else:
                conn.execute("COMMIT")

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close()


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name0, :name1, ...)`` and its parameters, for an ``IN`` over ids found earlier."""
    if not values:
        return "(NULL)", {}  # matches nothing
    keys = [f"{name}{i}" for i in range(len(values))]
    return "(" + ", ".join(f":{k}" for k in keys) + ")", dict(zip(keys, values, strict=True))


def quoted(values: Sequence[str]) -> str:
    """``('a', 'b')`` for an ``IN`` over the program's own codes (enum values, never user input)."""
    for v in values:
        if not re.fullmatch(r"[a-z_]+", v):
            raise ValueError(f"not a code: {v!r}")
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
