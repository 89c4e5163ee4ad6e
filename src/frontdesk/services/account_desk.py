"""What the desk knows of a key account's car: whose it is, who may bring it, the agreed discount.

The advisor meets an account (大客户 / 车队) only through its cars. At check-in the account's
line names it with what it owes against its limit and its authorised drivers (送修人); someone
else bringing the car is not refused — the account's rules are the manager's business, and the
car is here — but the check-in's audit records it (``sender_note``), so a dispute over who
signed for a fleet car has its answer. The estimate quotes the agreed discount the cashier's
settlement will take off (``agreed_discount``), so the price the advisor gives is the one billed.

The sender rule lives here once, for the check-in service and the screen's live warning alike
(``sender_not_authorised``): an account with no active drivers on record authorises whoever
brings its cars; a private owner (not a company) may always bring their own car; otherwise the
sender must be one of the active drivers, compared by name without regard to spacing, width or case.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.model import Vehicle
from frontdesk.model.account import AccountDriver

from . import accounts
from .context import Actor, Services
from .permissions import allowed


@dataclass(frozen=True)
class DeskAccount:
    """The check-in's account line: the badge, with why it is suspended and the agreed discount."""

    account_id: int
    code: str
    name: str
    suspended: bool
    suspended_reason: str
    open_balance: Decimal
    credit_limit: Decimal
    drivers: tuple[str, ...]  # the active authorised drivers' names
    labour_discount: Decimal  # rates: 0.1 = 10 % off
    parts_discount: Decimal


@dataclass(frozen=True)
class AgreedDiscount:
    """The rates settlement will take off this car's bill (an active account's, when it agreed any)."""

    code: str
    labour: Decimal
    parts: Decimal


def _folded(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def sender_not_authorised(drivers: Iterable[str], brought_by_name: str, owner_name: str,
                          owner_is_company: bool) -> str | None:
    """The sender to record as not authorised, or None. An empty ``brought_by_name`` means the owner brought it."""
    listed = {_folded(d) for d in drivers if d.strip()}
    if not listed:
        return None
    sender = brought_by_name.strip()
    if not sender:
        return None if not owner_is_company else owner_name.strip()
    return None if _folded(sender) in listed else sender


def desk_account(services: Services, actor: Actor, vehicle_id: int) -> DeskAccount | None:
    """The account the car is billed to in the actor's store, for the check-in (None: not an account car)."""
    if not allowed(actor.role, "account.view"):
        return None  # a role that may check in but not see accounts: no line, not a refusal
    with services.db.reader() as session:
        account = accounts.account_of_vehicle(session, actor.store_id, vehicle_id)
        if account is None:
            return None
        return DeskAccount(
            account.id, account.code, account.name, account.suspended_at is not None, account.suspended_reason or "",
            accounts.open_balance(session, account.id), account.credit_limit, _drivers(session, account.id),
            account.labour_discount, account.parts_discount)


def agreed_discount(services: Services, actor: Actor, vehicle_id: int) -> AgreedDiscount | None:
    """The discount an active account agreed for the car: what the estimate tells the advisor to quote."""
    if not allowed(actor.role, "account.view"):
        return None
    with services.db.reader() as session:
        rates = accounts.agreed_rates(session, actor.store_id, vehicle_id)
        if rates is None:
            return None
        account, labour, parts = rates
        return AgreedDiscount(account.code, labour, parts)


def _drivers(session: Session, account_id: int) -> tuple[str, ...]:
    return tuple(session.scalars(select(AccountDriver.name).where(
        AccountDriver.account_id == account_id, AccountDriver.active.is_(True)).order_by(AccountDriver.id)))


def sender_note(session: Session, store_id: int, vehicle: Vehicle, brought_by_name: str) -> dict[str, object]:
    """What the check-in's audit adds for an account car: the account, suspended, a sender not authorised."""
    account = accounts.account_of_vehicle(session, store_id, vehicle.id)
    if account is None:
        return {}
    note: dict[str, object] = {"account": account.code}
    if account.suspended_at is not None:
        note["account_suspended"] = True
    drivers = [d.name for d in account.drivers if d.active]  # also a batch's drivers not written yet
    customer = vehicle.customer
    sender = sender_not_authorised(drivers, brought_by_name, customer.name, bool(customer.is_company))
    if sender is not None:
        note["sender_not_authorised"] = sender
    return note


__all__ = ["AgreedDiscount", "DeskAccount", "agreed_discount", "desk_account", "sender_not_authorised", "sender_note"]
