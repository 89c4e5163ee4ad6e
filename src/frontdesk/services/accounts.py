"""Key accounts (大客户 / 机构 / 政府 / 车队): setting them up, their cars and drivers, and charging a bill to one.

The manager agrees the terms with the company once (credit limit, days to pay, a discount on
labour and parts, the invoicing details); from then on the desk only recognises the car
(``account_for_vehicle``) and the cashier charges the customer share of its bill to the account
(``charge_to_account``) instead of taking money. The charge is a receivable of payer kind
``account`` (services/ledger.py collects it), and it settles the order, so the car gets its
gate pass on it — but never beyond the credit limit without a manager's password, and never
on a suspended account (a company that stopped paying).

What an account owes (its *open balance*) is the sum of what is still open on its
receivables; money it paid and nobody applied yet (unapplied credit on its remittances) is
shown beside it, not netted: applying it is the cashier's act, and the limit guards what is
really unpaid.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from frontdesk.dbapi import escape_like
from frontdesk.i18n import gettext as _
from frontdesk.model import Receivable, Remittance, RepairOrder, Vehicle
from frontdesk.model.account import Account, AccountDriver, AccountKind, AccountVehicle
from frontdesk.model.enums import OrderStatus, PayerKind, PayType, Role

from . import ledger, settlement
from .auth import ManagerApproval, verify_manager
from .common import get, load_order, positive_int, text, touch
from .context import (
    Actor,
    Services,
    Tx,
    check_version,
    flush_for_id,
    require,
    service,
    unflushed,
)
from .errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from .lifecycle import require_order_status
from .money import ZERO, format_money, parse_money
from .refs import OrderRef, Ref, Saved
from .validation import normalise_phone

MAX_RATE = Decimal("0.5")  # an agreed discount above half the price is a typing error, not a deal
MAX_TERMS_DAYS = 180


@dataclass(frozen=True)
class AccountInput:
    code: str
    name: str
    kind: AccountKind | str
    contact_name: str = ""
    contact_phone: str = ""
    credit_limit: Decimal | str = ZERO
    terms_days: int | str = 30
    monthly: bool = True
    labour_discount: Decimal | str = ZERO  # a rate: 0.1 = 10 % off
    parts_discount: Decimal | str = ZERO
    invoice_title: str = ""
    tax_id: str = ""
    invoice_address: str = ""
    invoice_bank: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class AccountRef(Ref):
    id: int
    code: str
    version: int


@dataclass(frozen=True)
class AccountBadge:
    """What the desk shows beside an account's car: whose it is, whether it may be charged, who may bring it."""

    account_id: int
    code: str
    name: str
    suspended: bool
    open_balance: Decimal
    credit_limit: Decimal
    drivers: tuple[str, ...]  # the active authorised drivers' names


@dataclass(frozen=True)
class AccountRow:
    id: int
    code: str
    name: str
    kind: str
    open_balance: Decimal
    credit_limit: Decimal
    overdue: Decimal  # open on receivables past their due date
    suspended: bool


@dataclass(frozen=True)
class AccountVehicleRow:
    vehicle_id: int
    plate: str
    make_model: str


@dataclass(frozen=True)
class AccountDriverRow:
    id: int
    name: str
    phone: str
    active: bool


@dataclass(frozen=True)
class OpenReceivable:
    receivable_id: int
    version: int
    order_id: int
    order_no: str
    charged_on: dt.date
    due_on: dt.date | None
    amount: Decimal
    paid: Decimal
    open_amount: Decimal
    age_days: int
    bucket: str  # one of ledger.BUCKETS


@dataclass(frozen=True)
class AccountDetail:
    id: int
    version: int
    code: str
    name: str
    kind: str
    contact_name: str
    contact_phone: str
    credit_limit: Decimal
    terms_days: int
    monthly: bool
    labour_discount: Decimal
    parts_discount: Decimal
    invoice_title: str
    tax_id: str
    invoice_address: str
    invoice_bank: str
    note: str
    suspended: bool
    suspended_at: dt.datetime | None
    suspended_reason: str
    vehicles: tuple[AccountVehicleRow, ...]
    drivers: tuple[AccountDriverRow, ...]
    receivables: tuple[OpenReceivable, ...]  # open ones, oldest first
    open_balance: Decimal
    overdue: Decimal
    unapplied_credit: Decimal  # paid in and not applied to any order yet
    aging: tuple[tuple[str, Decimal], ...]  # (bucket, open amount) for every ledger.BUCKETS, in order


# --------------------------------------------------------------------------- validation


def _kind(value: AccountKind | str) -> AccountKind:
    try:
        return AccountKind(value)
    except ValueError:
        raise ValidationError("kind", _("Pick one of the offered choices.")) from None


def _rate(value: Decimal | str, field: str) -> Decimal:
    """A discount rate typed as 0.1 for 10 %: between 0 and 0.5, at most four decimals (the column's)."""
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ValidationError(field, _("This is not a number.")) from None
    if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
        raise ValidationError(field, _("Enter a rate between 0 and {max} (0.1 is 10 %).").format(max=MAX_RATE))
    if rate != rate.quantize(Decimal("0.0001")):
        raise ValidationError(field, _("Use at most 4 decimal places."))
    return rate.quantize(Decimal("0.0001"))


def _load_account(tx: Tx, account_id: int, expected_version: int | None = None) -> Account:
    account = tx.session.get(Account, account_id)
    if account is None or account.store_id != tx.actor.store_id:
        raise NotFound("account", _("No such account in this store."))
    check_version(account, expected_version)
    return account


def _fields(account: Account) -> dict[str, object]:
    return {name: getattr(account, name) for name in (
        "code", "name", "kind", "contact_name", "contact_phone", "credit_limit", "terms_days", "monthly",
        "labour_discount", "parts_discount", "invoice_title", "tax_id", "invoice_address", "invoice_bank", "note")}


# --------------------------------------------------------------------------- the account


@service("account.save")
def save_account(tx: Tx, data: AccountInput, account_id: int | None = None,
                 expected_version: int | None = None) -> AccountRef:
    """Create an account, or change one's terms (the version guards against two managers editing at once)."""
    code = text(data.code, "code", max_len=20, required=True).upper()
    values = {
        "code": code,
        "name": text(data.name, "name", max_len=120, required=True),
        "kind": _kind(data.kind),
        "contact_name": text(data.contact_name, "contact_name", max_len=80),
        "contact_phone": text(data.contact_phone, "contact_phone", max_len=20),
        "credit_limit": parse_money(data.credit_limit, "credit_limit"),  # refuses a negative limit
        "terms_days": positive_int(data.terms_days, "terms_days", maximum=MAX_TERMS_DAYS),
        "monthly": bool(data.monthly),
        "labour_discount": _rate(data.labour_discount, "labour_discount"),
        "parts_discount": _rate(data.parts_discount, "parts_discount"),
        "invoice_title": text(data.invoice_title, "invoice_title", max_len=120),
        "tax_id": text(data.tax_id, "tax_id", max_len=30).upper(),
        "invoice_address": text(data.invoice_address, "invoice_address", max_len=200),
        "invoice_bank": text(data.invoice_bank, "invoice_bank", max_len=200),
        "note": text(data.note, "note", max_len=2000),
    }
    clash = select(Account.id).where(Account.store_id == tx.actor.store_id, Account.code == code)
    if account_id is None:
        if tx.session.scalar(clash) is not None:
            raise ValidationError("code", _("Account code {code} is taken.").format(code=code))
        account = Account(store_id=tx.actor.store_id, created_at=tx.now, **values)
        tx.session.add(account)
        flush_for_id(tx.session, account)
        tx.audit("account", account.id, after=_fields(account))
        return AccountRef.of(tx, account)
    account = _load_account(tx, account_id, expected_version)
    if tx.session.scalar(clash.where(Account.id != account.id)) is not None:
        raise ValidationError("code", _("Account code {code} is taken.").format(code=code))
    before = _fields(account)
    for name, value in values.items():
        setattr(account, name, value)
    tx.audit("account", account.id, before=before, after=_fields(account))
    return AccountRef.of(tx, account)


@service("account.save")
def add_vehicle(tx: Tx, account_id: int, vehicle_id: int) -> Saved:
    """Put a car on the account; a car is billed to one account of a store at a time."""
    account = _load_account(tx, account_id)
    vehicle = get(tx.session, Vehicle, vehicle_id, "vehicle")
    plate = vehicle.plate or vehicle.vin or str(vehicle.id)
    taken = tx.session.scalar(select(Account).join(AccountVehicle, AccountVehicle.account_id == Account.id).where(
        AccountVehicle.vehicle_id == vehicle.id, AccountVehicle.store_id == tx.actor.store_id))
    if taken is not None:
        if taken.id == account.id:
            raise ValidationError("vehicle", _("{plate} is on this account already.").format(plate=plate))
        raise ValidationError("vehicle", _("{plate} is on account {code} ({name}): take it off there first.").format(
            plate=plate, code=taken.code, name=taken.name))
    link = AccountVehicle(account=account, store_id=tx.actor.store_id, vehicle_id=vehicle.id, added_at=tx.now)
    tx.session.add(link)
    flush_for_id(tx.session, link)
    tx.audit("account", account.id, after={"vehicle_added": plate, "vehicle_id": vehicle.id})
    return Saved(link.id)


@service("account.save")
def remove_vehicle(tx: Tx, account_id: int, vehicle_id: int) -> None:
    """Take a car off the account (sold, or the fleet's contract ended); its past charges stay the account's."""
    account = _load_account(tx, account_id)
    link = tx.session.scalar(select(AccountVehicle).where(
        AccountVehicle.account_id == account.id, AccountVehicle.vehicle_id == vehicle_id))
    if link is None:
        raise NotFound("vehicle", _("That vehicle is not on this account."))
    vehicle = tx.session.get(Vehicle, vehicle_id)
    plate = (vehicle.plate or vehicle.vin or "") if vehicle is not None else ""
    tx.session.delete(link)
    tx.audit("account", account.id, before={"vehicle": plate, "vehicle_id": vehicle_id})


@service("account.save")
def add_driver(tx: Tx, account_id: int, name: str, phone: str) -> Saved:
    """Someone the account allows to bring its cars in (送修人)."""
    account = _load_account(tx, account_id)
    who = text(name, "name", max_len=80, required=True)
    mobile = normalise_phone(phone) if str(phone or "").strip() else ""
    driver = AccountDriver(account_id=account.id, name=who, phone=mobile, active=True)
    tx.session.add(driver)
    flush_for_id(tx.session, driver)
    tx.audit("account", account.id, after={"driver_added": who, "phone": mobile, "driver_id": driver.id})
    return Saved(driver.id)


@service("account.save")
def set_driver_active(tx: Tx, driver_id: int, active: bool) -> Saved:
    """A driver who left the company stays on record (their past visits name them) but is no longer authorised."""
    driver = tx.session.get(AccountDriver, driver_id)
    if driver is None:
        raise NotFound("driver", _("No such driver."))
    account = _load_account(tx, driver.account_id)
    before = driver.active
    driver.active = bool(active)
    tx.audit("account", account.id, before={"driver": driver.name, "active": before},
             after={"driver": driver.name, "active": driver.active})
    return Saved(driver.id)


@service("account.suspend")
def suspend(tx: Tx, account_id: int, reason: str, expected_version: int | None = None) -> AccountRef:
    """Stop charging to the account (it stopped paying, the contract lapsed): its cars pay at the counter."""
    account = _load_account(tx, account_id, expected_version)
    why = text(reason, "reason", max_len=200, required=True)
    if account.suspended_at is not None:
        raise IllegalTransition(_("Account {code} is suspended already.").format(code=account.code))
    account.suspended_at, account.suspended_reason = tx.now, why
    tx.audit("account", account.id, after={"suspended": True, "reason": why})
    return AccountRef.of(tx, account)


@service("account.suspend")
def reinstate(tx: Tx, account_id: int, expected_version: int | None = None) -> AccountRef:
    account = _load_account(tx, account_id, expected_version)
    if account.suspended_at is None:
        raise IllegalTransition(_("Account {code} is not suspended.").format(code=account.code))
    before = {"suspended_at": account.suspended_at, "reason": account.suspended_reason}
    account.suspended_at, account.suspended_reason = None, ""
    tx.audit("account", account.id, before=before, after={"suspended": False})
    return AccountRef.of(tx, account)


# --------------------------------------------------------------------------- reads shared with settlement


def account_of_vehicle(session: Session, store_id: int, vehicle_id: int) -> Account | None:
    """The store's account the car is billed to, suspended or not (also one a demo batch has not written yet)."""
    for link in unflushed(session, AccountVehicle, vehicle_id=vehicle_id):
        if link.store_id == store_id:
            return link.account
    return session.scalar(select(Account).join(AccountVehicle, AccountVehicle.account_id == Account.id).where(
        AccountVehicle.vehicle_id == vehicle_id, AccountVehicle.store_id == store_id))


def agreed_rates(session: Session, store_id: int, vehicle_id: int) -> tuple[Account, Decimal, Decimal] | None:
    """The labour and parts discount rates agreed for the car's active account, when it has any (settlement)."""
    account = account_of_vehicle(session, store_id, vehicle_id)
    if account is None or account.suspended_at is not None:
        return None
    if not account.labour_discount and not account.parts_discount:
        return None
    return account, account.labour_discount, account.parts_discount


def _open_receivables(account_id: int):  # type: ignore[no-untyped-def]
    return select(Receivable).where(Receivable.account_id == account_id, Receivable.payer_kind == PayerKind.ACCOUNT,
                                    Receivable.closed_at.is_(None))


def open_balance(session: Session, account_id: int) -> Decimal:
    open_sum = session.scalar(
        select(func.coalesce(func.sum(Receivable.amount - Receivable.paid - Receivable.written_off), 0))
        .where(Receivable.account_id == account_id, Receivable.payer_kind == PayerKind.ACCOUNT,
               Receivable.closed_at.is_(None)))
    return Decimal(open_sum or 0).quantize(Decimal("0.01"))


def due_date(account: Account, charged_on: dt.date) -> dt.date:
    """月结: the month's statement, then the terms; otherwise the terms from the charge."""
    if account.monthly:
        month_end = charged_on.replace(day=calendar.monthrange(charged_on.year, charged_on.month)[1])
        return month_end + dt.timedelta(days=account.terms_days)
    return charged_on + dt.timedelta(days=account.terms_days)


# --------------------------------------------------------------------------- reads for the screens


def account_for_vehicle(services: Services, actor: Actor, vehicle_id: int) -> AccountBadge | None:
    require(actor, "account.view")
    with services.db.reader() as session:
        account = account_of_vehicle(session, actor.store_id, vehicle_id)
        if account is None:
            return None
        drivers = tuple(session.scalars(select(AccountDriver.name).where(
            AccountDriver.account_id == account.id, AccountDriver.active.is_(True)).order_by(AccountDriver.id)))
        return AccountBadge(account.id, account.code, account.name, account.suspended_at is not None,
                            open_balance(session, account.id), account.credit_limit, drivers)


def list_accounts(services: Services, actor: Actor, text: str = "") -> list[AccountRow]:
    """The store's accounts by code, with what each owes and how much of it is overdue."""
    require(actor, "account.view")
    today = services.clock().date()
    with services.db.reader() as session:
        query = select(Account).where(Account.store_id == actor.store_id).order_by(Account.code)
        wanted = text.strip()
        if wanted:
            like = f"%{escape_like(wanted)}%"
            query = query.where(or_(Account.code.ilike(like, escape="\\"), Account.name.ilike(like, escape="\\")))
        accounts = list(session.scalars(query))
        owed: dict[int, tuple[Decimal, Decimal]] = {}
        if accounts:
            open_part = Receivable.amount - Receivable.paid - Receivable.written_off
            for account_id, total, overdue in session.execute(
                    select(Receivable.account_id, func.sum(open_part),
                           func.sum(func.coalesce(_overdue_case(today, open_part), 0)))
                    .where(Receivable.account_id.in_([a.id for a in accounts]),
                           Receivable.payer_kind == PayerKind.ACCOUNT, Receivable.closed_at.is_(None))
                    .group_by(Receivable.account_id)):
                owed[account_id] = (_cents(total), _cents(overdue))
        none = (ZERO, ZERO)
        return [AccountRow(a.id, a.code, a.name, a.kind.value, owed.get(a.id, none)[0], a.credit_limit,
                           owed.get(a.id, none)[1], a.suspended_at is not None) for a in accounts]


def _overdue_case(today: dt.date, open_part):  # type: ignore[no-untyped-def]
    return case((Receivable.due_on < today, open_part), else_=0)


def _cents(value: Decimal | int | str | None) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def account_detail(services: Services, actor: Actor, account_id: int) -> AccountDetail:
    require(actor, "account.view")
    today = services.clock().date()
    with services.db.reader() as session:
        account = session.get(Account, account_id)
        if account is None or account.store_id != actor.store_id:
            raise NotFound("account", _("No such account in this store."))
        vehicles = tuple(AccountVehicleRow(vid, plate or vin or "", f"{make} {model}".strip())
                         for vid, plate, vin, make, model in session.execute(
                             select(Vehicle.id, Vehicle.plate, Vehicle.vin, Vehicle.make, Vehicle.model)
                             .join(AccountVehicle, AccountVehicle.vehicle_id == Vehicle.id)
                             .where(AccountVehicle.account_id == account.id).order_by(Vehicle.plate)))
        drivers = tuple(AccountDriverRow(d.id, d.name, d.phone, d.active) for d in session.scalars(
            select(AccountDriver).where(AccountDriver.account_id == account.id)
            .order_by(AccountDriver.active.desc(), AccountDriver.name)))
        rows = session.execute(_open_receivables(account.id).add_columns(RepairOrder.number)
                               .join(RepairOrder, RepairOrder.id == Receivable.order_id)
                               .order_by(Receivable.created_at, Receivable.id)).all()
        receivables = []
        aging = dict.fromkeys(ledger.BUCKETS, ZERO)
        overdue = ZERO
        for r, number in rows:
            left = ledger.open_amount(r)
            days = ledger.age_days(r, today)
            where = ledger.bucket(days)
            aging[where] += left
            if r.due_on is not None and r.due_on < today:
                overdue += left
            receivables.append(OpenReceivable(r.id, r.version, r.order_id, number, r.created_at.date(), r.due_on,
                                              r.amount, r.paid, left, days, where))
        credit = session.scalar(select(func.coalesce(func.sum(Remittance.amount - Remittance.applied), 0)).where(
            Remittance.account_id == account.id, Remittance.payer_kind == PayerKind.ACCOUNT))
        return AccountDetail(
            account.id, account.version, account.code, account.name, account.kind.value, account.contact_name,
            account.contact_phone, account.credit_limit, account.terms_days, account.monthly,
            account.labour_discount, account.parts_discount, account.invoice_title, account.tax_id,
            account.invoice_address, account.invoice_bank, account.note, account.suspended_at is not None,
            account.suspended_at, account.suspended_reason, vehicles, drivers, tuple(receivables),
            sum(aging.values(), ZERO), overdue, _cents(credit), tuple(aging.items()),
        )


# --------------------------------------------------------------------------- the charge


def _over_limit_manager(tx: Tx, approval: ManagerApproval | None, order: RepairOrder, what: str) -> int:
    """A manager at the terminal approves by being there (as for credit); anyone else needs their password."""
    if approval is None and tx.actor.role == Role.MANAGER:
        assert tx.actor.user_id is not None
        return tx.actor.user_id
    if approval is None:
        raise PermissionDenied(what)
    return verify_manager(tx, approval, order_id=order.id).id


@service("account.charge")
def charge_to_account(tx: Tx, order_id: int, approval: ManagerApproval | None = None,
                      expected_version: int | None = None) -> OrderRef:
    """The customer share still due goes on the car's account: the order settles and the gate pass follows."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.DELIVERED,), _("charging to an account"))
    if order.customer_amount is None:
        raise IllegalTransition(_("Prepare the settlement before charging it to an account."))
    if order.account_charged:
        raise IllegalTransition(_("Order {number} is charged to an account already.").format(number=order.number))
    account = account_of_vehicle(tx.session, order.store_id, order.vehicle_id)
    if account is None:
        raise IllegalTransition(_("This car is not on any account of this store: the customer pays at the counter."))
    if account.suspended_at is not None:
        raise IllegalTransition(_("Account {code} ({name}) is suspended: {reason}. The customer pays at the counter.")
                                .format(code=account.code, name=account.name, reason=account.suspended_reason))
    amount = settlement.amount_due(order)
    if amount <= ZERO:
        raise IllegalTransition(_("Nothing is due on order {number}.").format(number=order.number))
    balance = open_balance(tx.session, account.id)
    approved_by = None
    if balance + amount > account.credit_limit:
        approved_by = _over_limit_manager(tx, approval, order, _(
            "{code} owes {balance}; with this bill ({amount}) it is above its credit limit of {limit}: "
            "a service manager's password is needed.").format(
            code=account.code, balance=format_money(balance), amount=format_money(amount),
            limit=format_money(account.credit_limit)))
    due_on = due_date(account, tx.now.date())
    ledger.new_receivable(tx, order, PayerKind.ACCOUNT, account.name, amount, pay_type=PayType.CUSTOMER,
                          account_id=account.id, due_on=due_on, reference=account.code)
    order.account_id, order.account_charged = account.id, amount
    settlement._maybe_settled(tx, order)
    touch(order)
    tx.audit("repair_order", order.id, order_id=order.id, after={
        "charged_to_account": account.code, "amount": amount, "due_on": due_on, "balance_before": balance,
        "credit_limit": account.credit_limit, "over_limit_approved_by": approved_by, "status": order.status})
    return OrderRef.of(tx, order)


@dataclass(frozen=True)
class CreditRow:
    """A transfer from the account that still holds money nobody applied (to apply later, ledger.apply_remittance)."""

    remittance_id: int
    version: int
    reference: str
    received_on: dt.date
    unapplied: Decimal


def account_credits(services: Services, actor: Actor, account_id: int) -> list[CreditRow]:
    require(actor, "account.view")
    with services.db.reader() as session:
        account = session.get(Account, account_id)
        if account is None or account.store_id != actor.store_id:
            raise NotFound("account", _("No such account in this store."))
        return [CreditRow(r.id, r.version, r.reference, r.received_on, r.unapplied) for r in session.scalars(
            select(Remittance).where(Remittance.account_id == account.id, Remittance.payer_kind == PayerKind.ACCOUNT,
                                     Remittance.applied < Remittance.amount)
            .order_by(Remittance.received_on, Remittance.id))]
