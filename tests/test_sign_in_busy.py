"""Signing in while another terminal holds the write lock (a long import): in at once, bookkeeping later.

Issue 15, item 10 (the sign-in). The lock is held from a connection of another "terminal":
on SQLite the write lock itself (``BEGIN IMMEDIATE``), on PostgreSQL the user rows and the
store row (whose audit-chain head every audit event updates). The sign-in must answer within
about a second, write its counter, last login and audit event once the lock is released,
and count failures made meanwhile so that holding the lock never buys extra guesses.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from frontdesk.dbapi import Cursor, Dialect, postgres_conninfo, sqlite_path
from frontdesk.model import AuditEvent, User
from frontdesk.model.enums import Role
from frontdesk.services import auth, sign_in
from frontdesk.services.errors import PermissionDenied

from .conftest import PASSWORD

QUICK = 1.0  # seconds a sign-in may take while the lock is held


@contextmanager
def write_lock_held(services) -> Iterator[Cursor]:  # type: ignore[no-untyped-def]
    """Another terminal's long write transaction, open for the block and committed at its end."""
    if services.db.is_sqlite:
        other = sqlite3.connect(sqlite_path(services.db.url) or "", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield Cursor(Dialect(True), other)
            other.execute("COMMIT")
        finally:
            other.close()
        return
    import psycopg

    with psycopg.connect(postgres_conninfo(services.db.url) or "") as other:
        other.execute("SELECT id FROM app_user FOR UPDATE")
        other.execute("SELECT id FROM store FOR UPDATE")
        yield Cursor(Dialect(False), other)
        other.commit()


def timed(call):  # type: ignore[no-untyped-def]
    """The call's result (or refusal) and how long it took; a call still waiting after a while fails the test."""
    done: list[tuple[object, float]] = []

    def run() -> None:
        start = time.monotonic()
        try:
            outcome: object = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcome = exc
        done.append((outcome, time.monotonic() - start))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(QUICK * 5)
    if not done:
        pytest.fail("the sign-in is still waiting for the other terminal's lock")
    return done[0]


def account(services, username: str = "advisor") -> User:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalar(select(User).where(User.username == username))


def user_events(services, user_id: int) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_id == user_id)
                         .order_by(AuditEvent.id)).all()
        return [(e.action, e.after) for e in rows]


@pytest.fixture
def advisor(services, admin) -> int:  # type: ignore[no-untyped-def]
    return auth.add_user(services, admin, "advisor", "王芳", Role.ADVISOR, PASSWORD).id


def test_sign_in_does_not_wait_for_the_write_lock(services, advisor, clock):
    with write_lock_held(services):
        actor, took = timed(lambda: sign_in.login(services, "advisor", PASSWORD))
        assert took < QUICK and actor.user_id == advisor and actor.role == Role.ADVISOR
        # signed in; the bookkeeping waits for the lock
        assert account(services).last_login_at is None and user_events(services, advisor)[-1][0] == "user.add"
    assert sign_in.bookkeeping_written(services, timeout=10)
    assert account(services).last_login_at == clock.now
    assert user_events(services, advisor)[-1] == ("user.login", {})


def test_failures_made_while_the_lock_is_held_still_lock_the_account(services, advisor, clock):
    with write_lock_held(services):
        for _ in range(sign_in.MAX_FAILED_LOGINS):
            refused, took = timed(lambda: sign_in.login(services, "advisor", "wrong-pass"))
            assert took < QUICK and "Wrong" in str(refused)
        # counted already: even the right password is refused, before anything is written
        refused, took = timed(lambda: sign_in.login(services, "advisor", PASSWORD))
        assert took < QUICK and "locked" in str(refused)
        assert account(services).failed_logins == 0 and account(services).locked_until is None
    assert sign_in.bookkeeping_written(services, timeout=10)
    locked = account(services)
    assert locked.locked_until == clock.now + sign_in.LOCKOUT
    assert [a for a, _after in user_events(services, advisor)[1:]] == ["user.login_failed"] * 4 + ["user.locked"]
    with pytest.raises(PermissionDenied, match="locked"):
        sign_in.login(services, "advisor", PASSWORD)  # and it stays locked once written


def test_a_success_written_late_does_not_lift_a_lock_made_meanwhile(services, advisor, clock):
    with write_lock_held(services) as other:
        assert sign_in.login(services, "advisor", PASSWORD).user_id == advisor  # waits to be written
        # meanwhile the other terminal locks the account (five failures there)
        other.run("UPDATE app_user SET locked_until = :until WHERE id = :id",
                  {"until": clock.now + sign_in.LOCKOUT, "id": advisor})
    assert sign_in.bookkeeping_written(services, timeout=10)
    assert account(services).locked_until == clock.now + sign_in.LOCKOUT
    assert account(services).last_login_at == clock.now
