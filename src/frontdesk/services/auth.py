"""Users, passwords, logins, and what each role may give away.

Passwords are hashed with Argon2id (memory-hard). Five failed logins lock an account for
five minutes. Login is not a role-guarded service (nobody is logged in yet) but it is
still one transaction with its audit event.

Users are never deleted (the audit trail names them): they are deactivated, and a
deactivated user cannot log in or unlock an idle terminal. The :class:`Actor` a login
returns is a snapshot: a role change, a deactivation or a new per-user discount
authority takes effect at that user's next login (or unlock of the idle lock), never in
the middle of what they are doing. A role's discount authority is read from the store's
``role_authority`` row at the moment it is needed, so a change applies to the next
settlement at once.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import RoleAuthority, Store, User
from frontdesk.model.enums import Role

from .context import Actor, Services, Tx, check_version, service
from .errors import NotFound, PermissionDenied, ValidationError
from .money import DISCOUNT_AUTHORITY

# The sign-in runs without the ORM (services/sign_in.py); its pieces are re-exported here.
from .sign_in import (  # noqa: F401
    LOCKOUT,
    MAX_FAILED_LOGINS,
    MIN_PASSWORD_LENGTH,
    hash_password,
    login,
    verify_password,
)


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        store_id=user.store_id,
        discount_authority=user.discount_authority,
    )


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
    version: int = 1


def _validate_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > 40 or any(c.isspace() for c in username):
        raise ValidationError("username", _("A user name is 1 to 40 characters without spaces."))
    return username


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError("role", _("Unknown role {role}.").format(role=value)) from None


def _display_name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationError("display_name", _("Enter the person's name."))
    if len(name) > 80:
        raise ValidationError("display_name", _("At most {n} characters.").format(n=80))
    return name


@service("user.add")
def add_user(tx: Tx, username: str, display_name: str, role: Role | str, password: str) -> UserInfo:
    username = _validate_username(username)
    role = _role(role)
    name = _display_name(display_name)
    if tx.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError("username", _("The user name {name} is taken.").format(name=username))
    user = User(
        store_id=tx.actor.store_id, username=username, display_name=name, role=role,
        password_hash=hash_password(password), created_at=tx.now,
    )
    tx.session.add(user)
    tx.session.flush()
    tx.audit("user", user.id, after={"username": username, "role": role, "display_name": user.display_name})
    return _user_info(tx.session, user)


@service("user.set_password")
def set_password(tx: Tx, username: str, password: str) -> None:
    """A new password (the administrator resets a forgotten one); it also lifts a lockout."""
    user = _get_user(tx.session, username)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    tx.audit("user", user.id, after={"password": "changed"})


class _Keep:
    """"Leave this as it is" for an argument where ``None`` means something (the role's default)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _snapshot(user: User) -> dict[str, object]:
    return {"role": user.role, "active": user.active, "display_name": user.display_name,
            "discount_authority": user.discount_authority}


@service("user.update")
def update_user(
    tx: Tx, username: str, *, role: Role | str | None = None, active: bool | None = None,
    display_name: str | None = None, discount_authority: Decimal | None | _Keep = KEEP,
    expected_version: int | None = None,
) -> UserInfo:
    """Name, role, active, own discount authority (``None``: the role's); effective at the next login."""
    user = _get_user(tx.session, username)
    check_version(user, expected_version)
    before = _snapshot(user)
    if role is not None:
        new_role = _role(role)
        if user.id == tx.actor.user_id and user.role == Role.ADMIN and new_role != Role.ADMIN:
            raise ValidationError("role", _("You cannot take away your own administrator role."))
        user.role = new_role
    if active is not None:
        _set_active(tx, user, active)
    if display_name is not None:
        user.display_name = _display_name(display_name)
    if not isinstance(discount_authority, _Keep):
        if discount_authority is not None and not Decimal(0) <= discount_authority <= Decimal(1):
            raise ValidationError("discount_authority", _("Discount authority is a share between 0 and 1."))
        user.discount_authority = discount_authority
    tx.audit("user", user.id, before=before, after=_snapshot(user))
    return _user_info(tx.session, user)


def _set_active(tx: Tx, user: User, active: bool) -> None:
    if not active and user.id == tx.actor.user_id:
        raise ValidationError("active", _("You cannot deactivate your own account."))
    user.active = active


@service("user.update")
def set_active(tx: Tx, username: str, active: bool, expected_version: int | None = None) -> UserInfo:
    """Deactivate (never delete: the audit trail keeps the name) or reactivate a user."""
    user = _get_user(tx.session, username)
    check_version(user, expected_version)
    before = {"active": user.active}
    _set_active(tx, user, active)
    if active:  # a fresh start: an old lockout would greet them otherwise
        user.failed_logins = 0
        user.locked_until = None
    tx.audit("user", user.id, before=before, after={"active": user.active})
    return _user_info(tx.session, user)


def _get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound("username", _("No user called {name}.").format(name=username))
    return user


def _user_info(session: Session, user: User) -> UserInfo:
    code = session.scalar(select(Store.code).where(Store.id == user.store_id)) or ""
    return UserInfo(user.id, user.username, user.display_name, user.role, user.active, code, user.version)


def list_users(services: Services) -> list[UserInfo]:
    with services.db.reader() as session:
        rows = session.execute(
            select(User, Store.code).join(Store, Store.id == User.store_id).order_by(User.username)
        ).all()
        return [UserInfo(u.id, u.username, u.display_name, u.role, u.active, code, u.version) for u, code in rows]


# What each role may give away ------------------------------------------------------------------

MAX_PERCENT = Decimal(100)


def role_discount_authorities(session: Session, store_id: int) -> dict[Role, Decimal]:
    """Every role's discount authority in this store: the administrator's setting, else the shipped default."""
    rows = session.execute(
        select(RoleAuthority.role, RoleAuthority.discount_authority).where(RoleAuthority.store_id == store_id)
    ).all()
    return DISCOUNT_AUTHORITY | {role: share for role, share in rows}


def discount_authority(session: Session, store_id: int, role: Role, own: Decimal | None) -> Decimal:
    """What one user may give away: their own authority when set, else their role's in this store."""
    if own is not None:
        return own
    share = session.scalar(select(RoleAuthority.discount_authority).where(
        RoleAuthority.store_id == store_id, RoleAuthority.role == role))
    return share if share is not None else DISCOUNT_AUTHORITY[role]


def parse_percent(value: Decimal | str, field: str = "percent") -> Decimal:
    """"5", "7.5", "5%" -> Decimal("5"): 0 to 100, at most two decimals."""
    if isinstance(value, str):
        raw = unicodedata.normalize("NFKC", value).strip().removesuffix("%").strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(field, _("This is not a number.")) from None
    if not value.is_finite():
        raise ValidationError(field, _("This is not a number."))
    if not Decimal(0) <= value <= MAX_PERCENT:
        raise ValidationError(field, _("A share is between 0 and 100 %."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(field, _("Use at most 2 decimal places."))
    return value


@service("role.discount_authority")
def set_role_discount_authority(tx: Tx, role: Role | str, percent: Decimal | str) -> Decimal:
    """The share of the customer gross every user of ``role`` may give away without a manager.

    Applies to the next settlement prepared (read when needed, not at login); a user's own
    authority, when the administrator set one, still wins over the role's.
    """
    role = _role(role)
    share = parse_percent(percent) / 100  # exact: two decimals of a percent are four of a share
    row = tx.session.scalar(select(RoleAuthority).where(
        RoleAuthority.store_id == tx.actor.store_id, RoleAuthority.role == role))
    before = DISCOUNT_AUTHORITY[role] if row is None else row.discount_authority
    if row is None:
        row = RoleAuthority(store_id=tx.actor.store_id, role=role, discount_authority=share)
        tx.session.add(row)
    else:
        row.discount_authority = share
    tx.session.flush()
    tx.audit("role_authority", row.id, before={"role": role, "discount_authority": before},
             after={"role": role, "discount_authority": share})
    return share
