"""Signing in and unlocking, on the driver itself (``frontdesk.dbapi``): the console's first steps.

Passwords are hashed with Argon2id (memory-hard). Five failed logins lock an account for
five minutes. Login is not a role-guarded service (nobody is logged in yet) but it is
still one transaction with its audit event. It runs without the ORM because it stands
between the login form and the desk home, and neither of those needs SQLAlchemy: an
advisor who signs in, looks at today's cars and searches never waits for it to load.

The password is checked outside the write transaction (Argon2 takes a noticeable moment,
and SQLite's write lock must not wait on it); the write transaction reads the account
again and refuses if it was locked or deactivated in between.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from frontdesk.dbapi import Cursor, as_datetime, as_decimal
from frontdesk.i18n import gettext as _
from frontdesk.model.enums import Role

from .errors import PermissionDenied, ValidationError
from .runtime import Actor, Services

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


_ACCOUNT = ("SELECT id, store_id, username, display_name, role, password_hash, active, failed_logins, locked_until,"
            " discount_authority FROM app_user")


def _account(cur: Cursor, username: str, *, for_update: bool = False) -> _Account | None:
    lock = " FOR UPDATE" if for_update and not cur.is_sqlite else ""  # SQLite's BEGIN IMMEDIATE already holds the lock
    row = cur.one(f"{_ACCOUNT} WHERE username = :u{lock}", {"u": username})
    return _Account.of(row) if row is not None else None


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
    cur.run(
        "INSERT INTO audit_event (store_id, at, user_id, action, entity, entity_id, order_id, before, after)"
        " VALUES (:store, :at, :user, :action, 'user', :user, NULL, NULL, :after)",
        {"store": account.store_id, "at": now, "user": account.id, "action": action, "after": json.dumps(after)},
    )


def login(services: Services, username: str, password: str) -> Actor:
    """Check a username and password; lock the account after repeated failures."""
    now = services.clock()
    bad = PermissionDenied(_("Wrong user name or password."))
    with services.db.plain_transaction() as cur:
        account = _account(cur, username.strip())
    if account is None:
        raise bad
    _refuse_if_barred(account, now)
    good = verify_password(account.password_hash, password)
    with services.db.plain_transaction(write=True) as cur:
        account = _account(cur, account.username, for_update=True)
        if account is None:
            raise bad
        _refuse_if_barred(account, now)  # locked or deactivated while the password was being checked
        if good:
            # Bookkeeping, not an edit: the row's version stays, so an administrator's open edit is not refused.
            cur.run("UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = :now WHERE id = :id",
                    {"now": now, "id": account.id})
            _audit(cur, account, now, "user.login", {})
            return account.actor()
        failed = account.failed_logins + 1
        if failed >= MAX_FAILED_LOGINS:
            locked_until = now + LOCKOUT
            cur.run("UPDATE app_user SET failed_logins = 0, locked_until = :until WHERE id = :id",
                    {"until": locked_until, "id": account.id})
            _audit(cur, account, now, "user.locked",
                   {"failed_logins": failed, "locked_until": locked_until.isoformat()})
        else:
            cur.run("UPDATE app_user SET failed_logins = :n WHERE id = :id", {"n": failed, "id": account.id})
            _audit(cur, account, now, "user.login_failed", {"failed_logins": failed})
    raise bad  # the failure is recorded (committed) first


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
        row = cur.one("SELECT role FROM app_user WHERE username = :u AND active = :yes", {"u": username, "yes": True})
    return Role(row[0]) if row is not None else None


def store_exists(services: Services) -> bool:
    """Whether this installation's store row is there (every start but the first)."""
    with services.db.plain_transaction() as cur:
        return cur.one("SELECT id FROM store WHERE code = :code", {"code": services.settings.store_code}) is not None
