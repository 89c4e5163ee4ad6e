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

A SQLite store is created 0600 in a 0700 folder before SQLite opens it (SQLite gives its
``-wal`` and ``-shm`` the main file's mode), runs ``synchronous=FULL`` unless the settings
say otherwise (a commit survives a power cut), and a write that has to wait for another
terminal's write lock says so (``waiting``) after a moment instead of hanging silently.
A driver error is told apart by its code (:func:`classify`), never by its text, which
holds the SQL (``locked_until`` is not a lock). :meth:`PlainConnection.transaction` hands
driver errors to ``map_error`` (the services install
:func:`frontdesk.services.driver_errors.user_error`: this layer may not import them), so
the sign-in and the desk home report them as the user's error.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: How long a write waits for another terminal's write lock before it says it is waiting.
SQLITE_WAIT_NOTICE_MS = 300
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_AUTH = 23
SQLITE_NOTADB = 26


class Problem(enum.Enum):
    """What a driver error means for the user, whatever its words say."""

    BUSY = "busy"  # another connection holds the lock: waiting longer or retrying helps
    READ_ONLY = "read_only"
    NOT_A_STORE = "not_a_store"  # not a SQLite file, or a damaged one
    FULL = "full"  # disk, memory or connections exhausted
    CANT_OPEN = "cant_open"
    DISK = "disk"  # an I/O error
    UNREACHABLE = "unreachable"  # no connection to the server (refused, password, no such database)
    NOT_ALLOWED = "not_allowed"  # the database role lacks a privilege


_SQLITE = {
    SQLITE_BUSY: Problem.BUSY,
    SQLITE_LOCKED: Problem.BUSY,
    SQLITE_READONLY: Problem.READ_ONLY,
    SQLITE_PERM: Problem.READ_ONLY,
    SQLITE_CORRUPT: Problem.NOT_A_STORE,
    SQLITE_NOTADB: Problem.NOT_A_STORE,
    SQLITE_FULL: Problem.FULL,
    SQLITE_CANTOPEN: Problem.CANT_OPEN,
    SQLITE_IOERR: Problem.DISK,
    SQLITE_AUTH: Problem.NOT_ALLOWED,
}

_PG_EXACT = {
    "40001": Problem.BUSY,  # serialization_failure
    "40P01": Problem.BUSY,  # deadlock_detected
    "55P03": Problem.BUSY,  # lock_not_available
    "25006": Problem.READ_ONLY,  # read_only_sql_transaction
    "42501": Problem.NOT_ALLOWED,  # insufficient_privilege
    "3D000": Problem.UNREACHABLE,  # invalid_catalog_name: no such database
    "57P01": Problem.UNREACHABLE,  # admin_shutdown
    "57P02": Problem.UNREACHABLE,  # crash_shutdown
    "57P03": Problem.UNREACHABLE,  # cannot_connect_now
}
_PG_CLASS = {
    "53": Problem.FULL,  # insufficient_resources: disk full, out of memory, too many connections
    "08": Problem.UNREACHABLE,  # connection_exception
    "28": Problem.UNREACHABLE,  # invalid_authorization_specification
    "58": Problem.DISK,  # system_error (I/O)
    "XX": Problem.NOT_A_STORE,  # internal_error: data_corrupted, index_corrupted
}


def driver_exception(exc: BaseException | None) -> BaseException | None:
    """The sqlite3 or psycopg exception inside ``exc`` (itself, a SQLAlchemy wrapper's ``orig``, or a cause)."""
    for _depth in range(6):
        if exc is None:
            return None
        module = type(exc).__module__
        if module == "sqlite3" or module.startswith("psycopg"):
            return exc
        exc = getattr(exc, "orig", None) or exc.__cause__
    return None


def classify(exc: BaseException) -> Problem | None:
    """The kind of trouble a driver exception reports, from its code; None when it is none of these."""
    driver = driver_exception(exc)
    if driver is None:
        return None
    code = getattr(driver, "sqlite_errorcode", None)
    if type(driver).__module__ == "sqlite3":
        return _SQLITE.get(code & 0xFF) if isinstance(code, int) else None
    state = getattr(driver, "sqlstate", None)
    if state:
        return _PG_EXACT.get(state) or _PG_CLASS.get(state[:2])
    # psycopg reports a failed connection (refused, wrong password, no such database)
    # without a SQLSTATE: libpq had no server result to take one from.
    if type(driver).__name__ == "OperationalError":
        return Problem.UNREACHABLE
    return None


def is_busy(exc: BaseException) -> bool:
    return classify(exc) is Problem.BUSY


#: Turns a driver exception into the user's error (None: leave it as it is); the URL says which store.
ErrorMapper = Callable[[BaseException, str], "BaseException | None"]


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` URL; None for in-memory databases and URLs with options."""
    if not url.startswith("sqlite:///") or "?" in url:
        return None
    path = url[len("sqlite:///"):]
    return None if path in ("", ":memory:") else path


def create_sqlite_file(path: str | Path) -> None:
    """Make a missing SQLite file 0600 (and a missing folder 0700) before SQLite creates it 0644.

    ``O_EXCL``: a file another process made a moment ago is left alone, never truncated.
    """
    from frontdesk.private_files import PRIVATE_FILE, private_dir

    path = Path(path)
    if path.exists():
        return
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)  # the umask may have filtered the mode
    finally:
        os.close(fd)


def sqlite_pragmas(synchronous: str) -> list[str]:
    """The settings every SQLite connection of frontdesk runs with (the engine's and the plain one)."""
    mode = synchronous.upper()
    if mode not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS).lower()}: {synchronous!r}")
    return [
        f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
        "PRAGMA journal_mode = WAL",  # set once, kept in the file
        "PRAGMA foreign_keys = ON",
        f"PRAGMA synchronous = {mode}",
    ]


def begin_immediate(execute: Callable[[str], Any], waiting: Callable[[], None] | None) -> None:
    """``BEGIN IMMEDIATE``; when the write lock is not free within a moment, say so and wait the full timeout.

    A long import holds SQLite's write lock for seconds: the user is told that another
    terminal is saving (``waiting``) rather than seeing nothing until it succeeds or fails.
    """
    execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_NOTICE_MS}")
    try:
        execute("BEGIN IMMEDIATE")
        return
    except Exception as exc:
        if not is_busy(exc):
            raise
    finally:
        execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    if waiting is not None:
        waiting()
    execute("BEGIN IMMEDIATE")


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

    def __init__(self, url: str, *, synchronous: str = "FULL", waiting: Callable[[], None] | None = None,
                 map_error: ErrorMapper | None = None) -> None:
        self.url = url
        self.map_error = map_error
        self.path = sqlite_path(url)
        self.conninfo = None if self.path is not None else postgres_conninfo(url)
        if self.path is None and self.conninfo is None:
            raise ValueError("no plain connection for this database URL")
        self.dialect = Dialect(self.path is not None)
        self._pragmas = sqlite_pragmas(synchronous)
        self._waiting = waiting
        self._lock = threading.Lock()
        self._conn: Any = None

    @staticmethod
    def available(url: str) -> bool:
        return sqlite_path(url) is not None or postgres_conninfo(url) is not None

    def _connect(self) -> Any:
        if self.dialect.is_sqlite:
            import sqlite3

            path = self.path or ""
            create_sqlite_file(path)
            conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            try:
                for pragma in self._pragmas:  # as the engine's connections (db.py)
                    conn.execute(pragma)
            except BaseException:
                conn.close()
                raise
            return conn
        import psycopg

        return psycopg.connect(self.conninfo or "", autocommit=True)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """A read (or, with ``write``, a write) transaction; a lost PostgreSQL link is reopened once.

        A driver error comes out as ``map_error`` makes it (busy, read-only, not a store, unreachable).
        """
        try:
            with self._transaction(write) as cursor:
                yield cursor
        except Exception as exc:
            mapped = self.map_error(exc, self.url) if self.map_error is not None else None
            if mapped is None:
                raise
            raise mapped from exc

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Cursor]:
        sqlite = self.dialect.is_sqlite
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            try:
                self._begin(conn, write)
            except Exception:
                if sqlite:
                    raise
                self._close()  # the server went away since the last read: one fresh try
                self._conn = conn = self._connect()
                self._begin(conn, write)
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

    def _begin(self, conn: Any, write: bool) -> None:
        if not self.dialect.is_sqlite:
            conn.execute("BEGIN")
        elif write:
            begin_immediate(conn.execute, self._waiting)
        else:
            conn.execute("BEGIN DEFERRED")

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close()


class Columns:
    """The columns of one table that a plain query names: a SELECT list, or every column an INSERT writes.

    The plain path may not import the model (it loads SQLAlchemy), so it names columns
    itself, but only here: every Columns made is kept in :attr:`declared`, and
    tests/test_plain_columns.py checks each against the model's ``Table`` of that name —
    each name is a column, and an INSERT's (``whole_row``) are all of them but the generated
    key, so a column the model gains is not silently left out of a row the plain path writes.
    """

    declared: ClassVar[list[Columns]] = []

    def __init__(self, table: str, *names: str, alias: str = "", whole_row: bool = False) -> None:
        self.table = table
        self.names = names
        self.alias = alias
        self.whole_row = whole_row
        Columns.declared.append(self)

    def __str__(self) -> str:
        """The SELECT list: ``o.id, o.number, ...``."""
        prefix = f"{self.alias}." if self.alias else ""
        return ", ".join(prefix + name for name in self.names)

    def insert(self, values: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        """``INSERT`` of one row and its parameters; ``values`` must name every column (None for NULL)."""
        if set(values) != set(self.names):
            raise ValueError(f"{self.table}: values for {sorted(values)}, columns {sorted(self.names)}")
        names = ", ".join(self.names)
        return f"INSERT INTO {self.table} ({names}) VALUES ({', '.join(':' + n for n in self.names)})", values


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards (and the escape itself) escaped, for ``LIKE ... ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
