"""Signing in and unlocking, on the driver itself (``frontdesk.dbapi``): the console's first steps.

Passwords are hashed with Argon2id (memory-hard). Five failed logins lock an account for
five minutes. Login is not a role-guarded service (nobody is logged in yet) but it is
still one transaction with its audit event. It runs without the ORM because it stands
between the login form and the desk home, and neither of those needs SQLAlchemy: an
advisor who signs in, looks at today's cars and searches never waits for it to load.

The password is checked outside the write transaction (Argon2 takes a noticeable moment,
and SQLite's write lock must not wait on it); the write transaction reads the account
again and refuses if it was locked or deactivated in between.

Letting someone in never waits for the write lock either. Checking a password is a read;
its bookkeeping (the failure counter, the last login, the audit event) is written in a
short transaction of its own that gives up after a moment when another terminal holds the
lock (a long import), and then waits in this process (:class:`Recorder`) for a background
thread to write it once the lock frees. A waiting failure counts at once: every later
attempt is judged on the account as it will be when all that waits is written, so holding
the lock buys no extra guesses and a locked account stays locked. A manager's password
typed on the spot (``auth.verify_manager``) uses the same counter and the same recorder,
because the service that asked for it is rolled back when the approval is refused and must
not take the failure with it.

User names are compared folded (NFKC, then case-folded): ``ADVISOR`` and full-width
``ａｄｖｉｓｏｒ`` are ``advisor``. New names are stored folded (``auth.add_user``); a name
stored before that is found by folding every name in Python (a store has dozens of users).
An unknown name costs the same Argon2 check as a known one, against a dummy hash, so the
time of the answer does not tell which names exist.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import os
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from frontdesk.dbapi import Columns, Cursor, Dialect, as_datetime, as_decimal, is_busy, postgres_conninfo, sqlite_path
from frontdesk.i18n import gettext as _
from frontdesk.model.enums import Role

from .errors import FrontdeskError, PermissionDenied, ValidationError
from .runtime import Actor, Services

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from frontdesk.db import Database

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 6
RATE_PLACES = 4  # the discount authority's scale (model.base.Rate)


@cache
def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    # 19 MiB, 2 passes: OWASP's minimum for Argon2id, quick enough on a desk terminal.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", _("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASHES: dict[tuple[int, int, int, int, int], str] = {}


def dummy_hash() -> str:
    """A hash of a password nobody knows, made once per hashing cost: an unknown user's password is checked against it.

    Refusing an unknown name at once (0.1 ms against 34 ms for a known one) would tell
    which user names exist; checking against this costs the same Argon2 work.
    """
    hasher = _hasher()
    cost = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    found = _DUMMY_HASHES.get(cost)
    if found is None:
        found = _DUMMY_HASHES[cost] = hasher.hash(secrets.token_urlsafe(32))
    return found


def fold_username(name: str) -> str:
    """The form user names are compared in, and new ones stored in: NFKC, case-folded, NFKC again.

    (Unicode's NFKC_Casefold, near enough: ``ADVISOR``, ``Advisor`` and the full-width
    ``ａｄｖｉｓｏｒ`` are all ``advisor``, so none can be added beside it to pass for it.)
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def stored_username(typed: str, names: Iterable[str]) -> str | None:
    """Which of the stored ``names`` a typed name means when it is not one of them as typed.

    The one stored in folded form when there is one, else the only one that folds the
    same; None when none does, or (names stored before folding) several do.
    """
    folded = fold_username(typed)
    same = [name for name in names if fold_username(name) == folded]
    if folded in same:
        return folded
    return same[0] if len(same) == 1 else None


@dataclass(frozen=True)
class _Account:
    id: int
    store_id: int
    username: str
    display_name: str
    role: Role
    password_hash: str
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None
    discount_authority: Decimal | None

    @classmethod
    def of(cls, row: Sequence[Any]) -> _Account:
        id_, store, username, name, role, hashed, active, failed, locked, authority = row
        return cls(id_, store, username, name, Role(role), hashed, bool(active), failed or 0, as_datetime(locked),
                   as_decimal(authority, RATE_PLACES))

    def actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username, display_name=self.display_name, role=self.role,
                     store_id=self.store_id, discount_authority=self.discount_authority)


# The columns the sign-in reads and writes (tests/test_plain_columns.py checks them against the model).
_ACCOUNT_COLUMNS = Columns("app_user", "id", "store_id", "username", "display_name", "role", "password_hash", "active",
                           "failed_logins", "locked_until", "discount_authority")
_ACCOUNT = f"SELECT {_ACCOUNT_COLUMNS} FROM app_user"
_AUDIT_EVENT = Columns("audit_event", "store_id", "at", "user_id", "action", "entity", "entity_id", "order_id", "before",
                       "after", "prev_hash", "hash", whole_row=True)


def _for_update(cur: Cursor, for_update: bool) -> str:
    return " FOR UPDATE" if for_update and not cur.is_sqlite else ""  # SQLite's BEGIN IMMEDIATE already holds the lock


def _account(cur: Cursor, username: str, *, for_update: bool = False) -> _Account | None:
    """The account a typed user name means: as stored, else folded (see :func:`stored_username`)."""
    typed = username.strip()
    lock = _for_update(cur, for_update)
    row = cur.one(f"{_ACCOUNT} WHERE username = :u{lock}", {"u": typed})
    if row is None:
        stored = stored_username(typed, (name for (name,) in cur.all("SELECT username FROM app_user")))
        if stored is None or stored == typed:
            return None
        row = cur.one(f"{_ACCOUNT} WHERE username = :u{lock}", {"u": stored})
    return _Account.of(row) if row is not None else None


def _lock_store(cur: Cursor, store_id: int) -> None:
    """Take the store row first, as a service call does (its audit chain), then the user's row:
    one order of locks on PostgreSQL, so a sign-in never deadlocks against a service."""
    if not cur.is_sqlite:
        cur.one("SELECT id FROM store WHERE id = :store FOR NO KEY UPDATE", {"store": store_id})


def _account_by_id(cur: Cursor, user_id: int, *, for_update: bool = False) -> _Account | None:
    row = cur.one(f"{_ACCOUNT} WHERE id = :id{_for_update(cur, for_update)}", {"id": user_id})
    return _Account.of(row) if row is not None else None


def is_barred(active: bool, locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    """Deactivated, or locked after too many wrong passwords: no password lets this account in now."""
    return not active or (locked_until is not None and locked_until > now)


def _refuse_if_barred(account: _Account, now: dt.datetime) -> None:
    if not account.active:
        raise PermissionDenied(_("This account has been deactivated."))
    if account.locked_until is not None and account.locked_until > now:
        raise PermissionDenied(
            _("Too many failed logins: this account is locked until {time}.").format(
                time=account.locked_until.strftime("%H:%M")
            )
        )


def _audit(cur: Cursor, account: _Account, now: dt.datetime, action: str, after: dict[str, Any]) -> None:
    """Append the event to its store's hash chain (services/audit_chain.py), as a service call does.

    The store row is locked to read the chain's head (SQLite: the write transaction holds the
    whole database already), so concurrent writers of one store append one after another.
    """
    from .audit_chain import seal

    lock = "" if cur.is_sqlite else " FOR NO KEY UPDATE"
    row = cur.one(f"SELECT audit_head FROM store WHERE id = :store{lock}", {"store": account.store_id})
    payload = json.dumps(after)
    sealed = seal(row[0] if row else None, account.store_id, (now, account.id, action, "user", account.id, None,
                                                                "null", payload))
    cur.run(*_AUDIT_EVENT.insert({
        "store_id": account.store_id, "at": now, "user_id": account.id, "action": action, "entity": "user",
        "entity_id": account.id, "order_id": None, "before": None, "after": payload,
        "prev_hash": row[0] if row else None, "hash": sealed,
    }))
    cur.run("UPDATE store SET audit_head = :hash WHERE id = :store", {"hash": sealed, "store": account.store_id})


# What one attempt does to the account, and how it is written -----------------------------------


@dataclass(frozen=True)
class Attempt:
    """One password typed, to be written down: a sign-in (or unlock), or a manager's approval on the spot."""

    user_id: int | None  # the account the typed name means; None: no such user (approvals only)
    store_id: int
    at: dt.datetime
    right: bool  # it was the account's password
    granted: bool  # and it let them in (or approved)
    # An approval: who asked (the user at the terminal), for which order and service action, the name typed.
    asked_by: int | None = None
    asker: str = ""
    asker_role: Role | None = None
    order_id: int | None = None
    action: str = ""
    typed: str = ""

    @property
    def approval(self) -> bool:
        return bool(self.action)


def _counted(account: _Account, attempt: Attempt) -> _Account:
    """The account after one attempt: the one counter of sign-ins and approvals.

    A granted attempt starts the count afresh; a wrong password adds one and the fifth
    locks. Nothing changes for a barred account (its lock is not extended) nor for the
    right password of an account that may not approve (neither a guess nor a grant).
    """
    if is_barred(account.active, account.locked_until, attempt.at):
        return account
    if attempt.granted:
        return replace(account, failed_logins=0, locked_until=None)
    if attempt.right:
        return account
    failed = account.failed_logins + 1
    if failed >= MAX_FAILED_LOGINS:
        return replace(account, failed_logins=0, locked_until=attempt.at + LOCKOUT)
    return replace(account, failed_logins=failed)


def _asker(attempt: Attempt) -> _Account:
    """Who asked for an approval, as the author of its audit event (the command line's system user has no id)."""
    return _Account(attempt.asked_by, attempt.store_id, attempt.asker, "", attempt.asker_role or Role.ADMIN,  # type: ignore[arg-type]
                    "", True, 0, None, None)


def _write(cur: Cursor, attempt: Attempt, account: _Account | None) -> None:
    """Write one attempt: the account's counter (and last login) and its audit events."""
    signed_in = attempt.granted and not attempt.approval
    counted = account if account is None else _counted(account, attempt)
    failed = None  # the count this wrong password reached, when it counted
    if account is not None and counted is not account and not attempt.granted:
        failed = account.failed_logins + 1
    if account is not None and counted is not None and (counted is not account or signed_in):
        # Bookkeeping, not an edit: the row's version stays, so an administrator's open edit is not refused.
        last, params = ("", {}) if not signed_in else (", last_login_at = :at", {"at": attempt.at})
        cur.run(f"UPDATE app_user SET failed_logins = :n, locked_until = :until{last} WHERE id = :id",
                {"n": counted.failed_logins, "until": counted.locked_until, "id": account.id, **params})
    lock = None
    if failed is not None and failed >= MAX_FAILED_LOGINS and counted is not None and counted.locked_until is not None:
        lock = {"failed_logins": failed, "locked_until": counted.locked_until.isoformat()}
    if attempt.approval:
        payload: dict[str, Any] = {"manager": attempt.typed, "manager_id": attempt.user_id, "order_id": attempt.order_id,
                                   "for": attempt.action}
        if failed is not None:
            payload["failed_logins"] = failed
        if lock is not None:
            payload["locked_until"] = lock["locked_until"]
        _audit(cur, _asker(attempt), attempt.at,
               "manager.approval" if attempt.granted else "manager.approval_refused", payload)
        if lock is not None and account is not None:
            _audit(cur, account, attempt.at, "user.locked", {**lock, "by": attempt.action})
        return
    if account is None:  # a name nobody has: written like a wrong password (it takes as long), without a user
        _audit(cur, _asker(attempt), attempt.at, "user.login_unknown", {"username": attempt.typed})
        return
    if attempt.granted:
        _audit(cur, account, attempt.at, "user.login", {})
    elif lock is not None:
        _audit(cur, account, attempt.at, "user.locked", lock)
    elif failed is not None:
        _audit(cur, account, attempt.at, "user.login_failed", {"failed_logins": failed})
    else:  # written late, and the account had been locked or deactivated in the meantime
        _audit(cur, account, attempt.at, "user.login_failed", {"failed_logins": account.failed_logins, "counted": False})


# Writing without waiting for the lock --------------------------------------------------------------

SHORT_WAIT = 0.2  # seconds an attempt's bookkeeping waits for the write lock before it waits in memory instead
RETRY_EVERY = 0.25  # seconds before the background writer's first try; the gap doubles up to MAX_RETRY_GAP
MAX_RETRY_GAP = 1.0
GIVE_UP_AFTER = 60  # tries that failed for another reason than the lock (the store is gone): then it is logged
EXIT_PATIENCE = 3.0  # seconds a quitting process gives what still waits to be written


class _ShortWrite:
    """Write transactions on a connection of their own that give up after :data:`SHORT_WAIT`.

    Not the console's plain connection: that one waits the full busy timeout for the lock
    (and says so), which is right for saving a record and wrong for letting someone in.
    The connection is opened for each transaction (sign-ins are rare) and never creates a
    SQLite file; a new SQLite connection commits with ``synchronous=FULL``.
    """

    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)
        self.conninfo = None if self.path is not None else postgres_conninfo(url)
        self.dialect = Dialect(self.path is not None)

    def _connect(self) -> Any:
        if self.path is not None:
            import sqlite3
            from urllib.request import pathname2url

            uri = f"file:{pathname2url(os.path.abspath(self.path))}?mode=rw"
            conn = sqlite3.connect(uri, uri=True, timeout=SHORT_WAIT, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            return conn
        import psycopg

        conn = psycopg.connect(self.conninfo or "", autocommit=True)
        conn.execute(f"SET lock_timeout = '{int(SHORT_WAIT * 1000)}ms'")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE" if self.dialect.is_sqlite else "BEGIN")
            try:
                yield Cursor(self.dialect, conn)
            except BaseException:
                with suppress(Exception):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()


@contextmanager
def _engine_write(engine: Engine) -> Iterator[Cursor]:
    """A write transaction on the engine, for a database no second connection can open (in memory)."""
    with engine.begin() as conn:
        yield Cursor(Dialect(engine.dialect.name == "sqlite"), conn.connection.driver_connection)


class Recorder:
    """The attempts on one database that could not be written yet, in order, and the thread that writes them.

    ``lock`` is held while an account is read together with what still waits for it
    (:meth:`effective`) and while anything is written, so an attempt is always either in
    the database or waiting here, never both and never neither.
    """

    def __init__(self, open_write: Callable[[], AbstractContextManager[Cursor]]) -> None:
        self.lock = threading.Lock()
        self._open_write = open_write
        self._waiting: list[Attempt] = []
        self._writer: threading.Thread | None = None
        self._troubles = 0

    def effective(self, account: _Account) -> _Account:
        """The account as it will be once the attempts waiting for it are written (hold ``lock``)."""
        for attempt in self._waiting:
            if attempt.user_id == account.id:
                account = _counted(account, attempt)
        return account

    def add(self, attempt: Attempt) -> None:
        """Count an attempt from now on; it is written by the next :meth:`flush` (hold ``lock``)."""
        self._waiting.append(attempt)

    def record(self, attempt: Attempt, on_time: Callable[[Cursor], _Account | None]) -> _Account | None:
        """Write what waits, then this attempt (``on_time``), in one short transaction; None when it waits instead.

        ``on_time`` may refuse (a FrontdeskError): then nothing is written or kept. Any
        other failure keeps a refused attempt waiting, so that it still counts.
        """
        with self.lock:
            try:
                with self._open_write() as cur:
                    self._write_waiting(cur)
                    result = on_time(cur)
            except FrontdeskError:
                raise
            except Exception as exc:
                busy = is_busy(exc)
                if busy or not attempt.granted:
                    self._waiting.append(attempt)
                    self._start()
                if not busy:
                    raise
                return None
            self._waiting.clear()
            return result

    def flush(self) -> None:
        """Write what waits if the lock is free within a moment, else leave it to the background writer; never raises."""
        with self.lock:
            if not self._try():
                self._start()

    def written(self, timeout: float) -> bool:
        """Whether nothing waits any more, waiting up to ``timeout`` seconds for the background writer."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if not self._waiting:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _write_waiting(self, cur: Cursor) -> None:
        for attempt in self._waiting:
            _lock_store(cur, attempt.store_id)
            account = None if attempt.user_id is None else _account_by_id(cur, attempt.user_id, for_update=True)
            _write(cur, attempt, account)

    def _try(self) -> bool:
        """Write what waits (hold ``lock``); False when it has to wait longer."""
        if not self._waiting:
            return True
        try:
            with self._open_write() as cur:
                self._write_waiting(cur)
        except Exception as exc:
            if not is_busy(exc):
                self._troubles += 1
                if self._troubles >= GIVE_UP_AFTER:
                    log.error("sign-in bookkeeping lost (%d attempts): %s", len(self._waiting), exc)
                    self._waiting.clear()
                    self._troubles = 0
                    return True
            return False
        self._waiting.clear()
        self._troubles = 0
        return True

    def _start(self) -> None:
        """Start the background writer unless it runs (hold ``lock``)."""
        if self._writer is None:
            self._writer = threading.Thread(target=self._keep_trying, name="sign-in-bookkeeping", daemon=True)
            self._writer.start()

    def _keep_trying(self) -> None:
        gap = RETRY_EVERY
        while True:
            time.sleep(gap)
            with self.lock:
                if self._try():
                    self._writer = None
                    return
            gap = min(gap * 2, MAX_RETRY_GAP)


_RECORDERS: dict[str, Recorder] = {}
_RECORDERS_LOCK = threading.Lock()


def _write_before_exit() -> None:
    """A quitting process gives what still waits a few seconds: a failure must not be lost to a quit."""
    deadline = time.monotonic() + EXIT_PATIENCE
    for recorder in list(_RECORDERS.values()):
        while True:
            with recorder.lock:
                if recorder._try():
                    break
            if time.monotonic() >= deadline:
                break
            time.sleep(RETRY_EVERY)


def _recorder(key: str, open_write: Callable[[], Callable[[], AbstractContextManager[Cursor]]]) -> Recorder:
    with _RECORDERS_LOCK:
        found = _RECORDERS.get(key)
        if found is None:
            if not _RECORDERS:
                atexit.register(_write_before_exit)
            found = _RECORDERS[key] = Recorder(open_write())
        return found


def _recorder_for_url(url: str, engine: Callable[[], Engine]) -> Recorder:
    path = sqlite_path(url)
    key = "sqlite:" + os.path.realpath(path) if path is not None else postgres_conninfo(url)
    if key is not None:
        return _recorder(key, lambda: _ShortWrite(url).transaction)
    bound = engine()
    return _recorder(f"engine:{id(bound)}", lambda: lambda: _engine_write(bound))


def recorder_for(db: Database) -> Recorder:
    """The one recorder of this database in this process, for the sign-in (which never loads SQLAlchemy)."""
    return _recorder_for_url(db.url, lambda: db.engine)


def recorder_for_engine(engine: Engine) -> Recorder:
    """The same recorder, found from a service's session (``auth.verify_manager``)."""
    return _recorder_for_url(engine.url.render_as_string(hide_password=False), lambda: engine)


def bookkeeping_written(services: Services, timeout: float = 0.0) -> bool:
    """Whether every sign-in and approval on this database is written, waiting up to ``timeout`` seconds."""
    return recorder_for(services.db).written(timeout)


# Signing in -----------------------------------------------------------------------------------------


def login(services: Services, username: str, password: str) -> Actor:
    """Check a username and password; lock the account after repeated failures.

    Never waits for another terminal's write lock: the bookkeeping is written now or,
    when the lock is held, as soon as it frees (the module's docstring says how a failure
    still counts in between).
    """
    now = services.clock()
    bad = PermissionDenied(_("Wrong user name or password."))
    recorder = recorder_for(services.db)
    with recorder.lock:  # the account and what still waits to be written about it, as one picture
        with services.db.plain_transaction() as cur:
            account = _account(cur, username)
            store = None if account is not None else cur.one(
                "SELECT id FROM store WHERE code = :code", {"code": services.settings.store_code})
        if account is not None:
            account = recorder.effective(account)
    if account is None:
        # The same Argon2 check and the same write as for a known name: the time of the answer names no one.
        verify_password(dummy_hash(), password)
        if store is not None:
            nobody = Attempt(None, store[0], now, right=False, granted=False, typed=username.strip()[:40])
            recorder.record(nobody, lambda cur: _write(cur, nobody, None))
        raise bad
    _refuse_if_barred(account, now)
    good = verify_password(account.password_hash, password)
    attempt = Attempt(account.id, account.store_id, now, right=good, granted=good)

    def on_time(cur: Cursor) -> _Account:
        _lock_store(cur, attempt.store_id)
        fresh = _account_by_id(cur, attempt.user_id or 0, for_update=True)
        if fresh is None:
            raise bad
        _refuse_if_barred(fresh, now)  # locked or deactivated while the password was being checked
        _write(cur, attempt, fresh)
        return fresh

    fresh = recorder.record(attempt, on_time)  # None: waiting for the write lock, and counted already
    if good:
        return (fresh or account).actor()
    raise bad  # the failure is recorded (or waiting, and counted) first


def actor_named(services: Services, username: str) -> Actor:
    """The user as an actor, without a password: for tools that already hold the database (benchmarks)."""
    with services.db.plain_transaction() as cur:
        account = _account(cur, username)
    if account is None:
        raise PermissionDenied(_("Wrong user name or password."))
    return account.actor()


def role_named(services: Services, username: str) -> Role | None:
    """The role of an active user, or None: to prepare the right first screen, never to grant anything."""
    with services.db.plain_transaction() as cur:
        account = _account(cur, username)
    return account.role if account is not None and account.active else None


def store_exists(services: Services) -> bool:
    """Whether this installation's store row is there (every start but the first)."""
    with services.db.plain_transaction() as cur:
        return cur.one("SELECT id FROM store WHERE code = :code", {"code": services.settings.store_code}) is not None
