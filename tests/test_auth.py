"""Logins, lockout and password storage."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, User
from frontdesk.model.enums import Role
from frontdesk.services import auth, sign_in
from frontdesk.services.errors import PermissionDenied, ValidationError

PRODUCTION_HASHER = sign_in._hasher  # captured before the suite's quick hasher is patched in


def test_production_hash_is_argon2id_with_memory_cost():
    digest = PRODUCTION_HASHER().hash("a-password")
    assert digest.startswith("$argon2id$") and "m=19456,t=2" in digest


def test_login_and_lockout(services, admin, clock):
    auth.add_user(services, admin, "wang", "王芳", Role.ADVISOR, "right-pass")
    actor = auth.login(services, "wang", "right-pass")
    assert actor.role == Role.ADVISOR and actor.display_name == "王芳"
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDenied, match="Wrong"):
            auth.login(services, "wang", "wrong")
    with pytest.raises(PermissionDenied, match="locked"):
        auth.login(services, "wang", "right-pass")  # even the right password, for 5 minutes
    clock.advance(minutes=5, seconds=1)
    assert auth.login(services, "wang", "right-pass").username == "wang"
    with services.db.reader() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "user").order_by(AuditEvent.id)).all()
    assert actions.count("user.login_failed") == 4 and actions.count("user.locked") == 1
    assert actions.count("user.login") == 2


def test_deactivated_user_cannot_log_in(services, admin):
    auth.add_user(services, admin, "li", "李娜", Role.CASHIER, "right-pass")
    auth.update_user(services, admin, "li", active=False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        auth.login(services, "li", "right-pass")


def test_password_is_never_stored_plain(services, admin):
    auth.add_user(services, admin, "zhao", "赵磊", Role.QC, "plain-text-pass")
    with services.db.reader() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "zhao"))
    assert "plain-text-pass" not in stored
    with pytest.raises(ValidationError):
        auth.add_user(services, admin, "zhou", "周", Role.QC, "short")
