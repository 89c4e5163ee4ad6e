"""Users, passwords and logins.

Passwords are hashed with Argon2id (memory-hard). Five failed logins lock an account for
five minutes. Login is not a role-guarded service (nobody is logged in yet) but it is
still one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import AuditEvent, Store, User
from frontdesk.model.enums import Role

from .context import Actor, Services, Tx, service
from .errors import NotFound, PermissionDenied, ValidationError

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 6


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


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        store_id=user.store_id,
        discount_authority=user.discount_authority,
    )


def _audit_login(session: Session, user: User, now: dt.datetime, action: str, after: dict) -> None:
    session.add(
        AuditEvent(
            store_id=user.store_id, at=now, user_id=user.id, action=action, entity="user",
            entity_id=user.id, before=None, after=after,
        )
    )


def login(services: Services, username: str, password: str) -> Actor:
    """Check a username and password; lock the account after repeated failures."""
    now = services.clock()
    bad = PermissionDenied(_("Wrong user name or password."))
    with services.db.session() as session, session.begin():
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            raise bad
        if not user.active:
            raise PermissionDenied(_("This account has been deactivated."))
        if user.locked_until is not None and user.locked_until > now:
            raise PermissionDenied(
                _("Too many failed logins: this account is locked until {time}.").format(
                    time=user.locked_until.strftime("%H:%M")
                )
            )
        if not verify_password(user.password_hash, password):
            user.failed_logins += 1
            after = {"failed_logins": user.failed_logins}
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                after["locked_until"] = user.locked_until.isoformat()
                _audit_login(session, user, now, "user.locked", after)
            else:
                _audit_login(session, user, now, "user.login_failed", after)
            # Commit the failure count, then refuse.
            session.commit()
            raise bad
        user.failed_logins = 0
        user.locked_until = None
        _audit_login(session, user, now, "user.login", {})
        return actor_for(user)


def verify_manager(session: Session, username: str, password: str, now: dt.datetime) -> User:
    """A manager's password typed on the spot to approve an override; returns the manager."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise PermissionDenied(_("The manager's user name or password is wrong."))
    if user.role != Role.MANAGER:
        raise PermissionDenied(_("{name} is not a service manager.").format(name=user.display_name))
    if user.locked_until is not None and user.locked_until > now:
        raise PermissionDenied(_("The manager's account is locked."))
    return user


@dataclass(frozen=True)
class ManagerApproval:
    username: str
    password: str


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    store_code: str


def _validate_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > 40 or any(c.isspace() for c in username):
        raise ValidationError("username", _("A user name is 1 to 40 characters without spaces."))
    return username


@service("user.add")
def add_user(tx: Tx, username: str, display_name: str, role: Role | str, password: str) -> UserInfo:
    username = _validate_username(username)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError("role", _("Unknown role {role}.").format(role=role)) from None
    if not display_name.strip():
        raise ValidationError("display_name", _("Enter the person's name."))
    if tx.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError("username", _("The user name {name} is taken.").format(name=username))
    user = User(
        store_id=tx.actor.store_id, username=username, display_name=display_name.strip(), role=role,
        password_hash=hash_password(password), created_at=tx.now,
    )
    tx.session.add(user)
    tx.session.flush()
    tx.audit("user", user.id, after={"username": username, "role": role, "display_name": user.display_name})
    return _user_info(tx.session, user)


@service("user.set_password")
def set_password(tx: Tx, username: str, password: str) -> None:
    user = _get_user(tx.session, username)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    tx.audit("user", user.id, after={"password": "changed"})


@service("user.update")
def update_user(
    tx: Tx, username: str, *, role: Role | str | None = None, active: bool | None = None,
    display_name: str | None = None, discount_authority: Decimal | None = None,
) -> UserInfo:
    user = _get_user(tx.session, username)
    before = {"role": user.role, "active": user.active, "display_name": user.display_name}
    if role is not None:
        user.role = Role(role)
    if active is not None:
        if not active and user.id == tx.actor.user_id:
            raise ValidationError("active", _("You cannot deactivate your own account."))
        user.active = active
    if display_name is not None:
        user.display_name = display_name.strip()
    if discount_authority is not None:
        if not Decimal(0) <= discount_authority <= Decimal(1):
            raise ValidationError("discount_authority", _("Discount authority is a share between 0 and 1."))
        user.discount_authority = discount_authority
    tx.audit("user", user.id, before=before, after={"role": user.role, "active": user.active, "display_name": user.display_name})
    return _user_info(tx.session, user)


def _get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound("username", _("No user called {name}.").format(name=username))
    return user


def _user_info(session: Session, user: User) -> UserInfo:
    code = session.scalar(select(Store.code).where(Store.id == user.store_id)) or ""
    return UserInfo(user.id, user.username, user.display_name, user.role, user.active, code)


def list_users(services: Services) -> list[UserInfo]:
    with services.db.reader() as session:
        rows = session.execute(
            select(User, Store.code).join(Store, Store.id == User.store_id).order_by(User.username)
        ).all()
        return [UserInfo(u.id, u.username, u.display_name, u.role, u.active, code) for u, code in rows]
