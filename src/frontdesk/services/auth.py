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

User names are compared folded (NFKC, then case-folded; ``sign_in.fold_username``) and new
ones are stored folded, so no look-alike (``ADVISOR``, full-width ``ａｄｖｉｓｏｒ``) can be
added beside a user to pass for them; names stored before that are found by folding them
in Python. A manager's password typed on the spot shares the sign-in's lockout counter.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from frontdesk.i18n import gettext as _
from frontdesk.model import RoleAuthority, Store, User
from frontdesk.model.enums import Role

from . import sign_in
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


@dataclass(frozen=True)
class ManagerApproval:
    username: str
    password: str


def verify_manager(tx: Tx, approval: ManagerApproval, *, order_id: int | None = None,
                   roles: tuple[Role, ...] = (Role.MANAGER,)) -> User:
    """A manager's password typed on the spot to approve ``tx.action`` (on ``order_id``); returns the manager.

    ``roles``: who may approve (a booking over capacity: a supervisor or a manager).

    The sign-in's lockout applies, on the same counter: wrong passwords here and at the
    login form add up, the fifth locks the account for both, and a granted approval starts
    the count afresh. Every attempt is audited as asked by the user at the terminal, with
    the order, the action and the name typed. The calling service's transaction is rolled
    back when the approval is refused, so the attempt is written in one of its own once
    that one has ended (``sign_in.Recorder``), and counts from this moment on.

    Whatever is wrong — the name, the password, or an account that is locked, deactivated
    or not a manager's — the answer is the same, and takes the same Argon2 check: the
    dialog cannot confirm a locked account's password, nor tell which names exist.
    """
    typed = approval.username.strip()
    recorder = sign_in.recorder_for_engine(tx.session.get_bind())
    with recorder.lock, tx.session.no_autoflush:  # the account and the attempts waiting to be written, as one picture
        user = _find_user(tx.session, typed, fresh=True)
        barred = True
        if user is not None:
            state = recorder.effective(_account_of(user))
            barred = sign_in.is_barred(state.active, state.locked_until, tx.now)
    # The same Argon2 check whoever the name is, or is not: the time of the answer tells nothing either.
    hashed = user.password_hash if user is not None else sign_in.dummy_hash()
    right = sign_in.verify_password(hashed, approval.password) and user is not None
    granted = right and not barred and user is not None and user.role in roles
    attempt = sign_in.Attempt(
        user.id if user is not None else None, tx.actor.store_id, tx.now, right=right, granted=granted,
        asked_by=tx.actor.user_id, asker=tx.actor.username, asker_role=tx.actor.role, order_id=order_id,
        action=tx.action, typed=typed[:80],
    )
    _record_when_done(tx.session, recorder, attempt)
    if not granted or user is None:
        if roles != (Role.MANAGER,):
            raise PermissionDenied(_("Not approved: the user name or password is wrong, or the account is locked or"
                                     " not a supervisor's or service manager's."))
        raise PermissionDenied(_("Not approved: the user name or password is wrong, or the account is locked or"
                                 " not a service manager's."))
    return user


def _account_of(user: User) -> sign_in._Account:
    return sign_in._Account(user.id, user.store_id, user.username, user.display_name, user.role, user.password_hash,
                            user.active, user.failed_logins or 0, user.locked_until, user.discount_authority)


def _record_when_done(session: Session, recorder: sign_in.Recorder, attempt: sign_in.Attempt) -> None:
    """Count the attempt now; write it once the caller's transaction has ended, committed or rolled back.

    Not inside that transaction (a refusal rolls it back, and the failure with it), and not
    beside it either: on SQLite it holds the write lock until it ends.
    """
    with recorder.lock:
        recorder.add(attempt)
    written = False

    def ended(_session: Session, transaction: SessionTransaction) -> None:
        nonlocal written
        if transaction.parent is None and not written:  # the whole transaction, not a savepoint
            written = True
            recorder.flush()

    event.listen(session, "after_transaction_end", ended)


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
    """A new user name in the folded form it is stored and compared in."""
    username = sign_in.fold_username(username)
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
    taken = next((stored for stored in tx.session.scalars(select(User.username))
                  if sign_in.fold_username(stored) == username), None)  # a handful of users: folded in Python
    if taken is not None:
        raise ValidationError("username", _("The user name {name} is taken.").format(name=taken))
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


def _find_user(session: Session, typed: str, *, fresh: bool = False) -> User | None:
    """The user a typed name means: as stored, else folded (``sign_in.stored_username``).

    ``fresh`` reads the row again even when the session holds it (the lockout counter may
    have been written by another connection since).
    """
    name = typed.strip()
    options = {"populate_existing": True} if fresh else {}
    user = session.scalar(select(User).where(User.username == name).execution_options(**options))
    if user is None:
        stored = sign_in.stored_username(name, session.scalars(select(User.username)).all())
        if stored is not None and stored != name:
            user = session.scalar(select(User).where(User.username == stored).execution_options(**options))
    return user


def _get_user(session: Session, username: str) -> User:
    user = _find_user(session, username)
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
