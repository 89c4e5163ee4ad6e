"""Settlement (结算), payments, 抹零, credit, gate pass (出门证) and closing the order.

The order becomes ``settled`` the moment the customer share is covered by payments (or a
manager approves credit) after the settlement has been prepared; the gate pass can only
be issued from ``settled`` and closes the order.

抹零 (``round_off``): the cashier may let the small change of the customer's share go, down
to the jiao or the yuan as the store's ``round_off`` setting allows, on their own
authority (the setting is the limit, so no manager is asked). It is kept apart from the
advisor's discount (``repair_order.rounding``) and billed as part of the customer's
discount; preparing the settlement again starts without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import Allocation, FollowUp, Payment, Receivable, RepairOrder, User, Vehicle
from frontdesk.model.enums import FollowUpStatus, OrderStatus, PayerKind, PaymentKind, PaymentMethod, PayType, Role

from . import accounts, recommendation_records
from .auth import ManagerApproval, discount_authority, verify_manager
from .common import get, load_order, positive_int, text, touch
from .context import Tx, service, unflushed
from .errors import IllegalTransition, PermissionDenied, ValidationError
from .estimate import order_totals
from .lifecycle import require_order_status, transition_order
from .money import ZERO, Totals, check_discount, check_round_off, format_money, max_discount, parse_money
from .refs import OrderRef, PaymentRef, flushed

RECEIVABLE_TYPES = (PayType.WARRANTY, PayType.INSURANCE)
PAYER_OF = {PayType.WARRANTY: PayerKind.MAKER, PayType.INSURANCE: PayerKind.INSURER}


def _payer_name(tx: Tx, order: RepairOrder, pay_type: PayType) -> str:
    """The maker is the car's make; the insurer is named on the order's accident record once it has one."""
    if pay_type == PayType.WARRANTY:
        vehicle = tx.session.get(Vehicle, order.vehicle_id)
        return vehicle.make if vehicle is not None else ""
    from frontdesk.model import AccidentClaim  # services/accidents.py renames it when the record comes later

    return tx.session.scalar(select(AccidentClaim.insurer).where(AccidentClaim.order_id == order.id)) or ""


def paid_amount(order: RepairOrder) -> Decimal:
    total = ZERO
    for p in order.payments:
        if p.voided_at is not None:
            continue
        total += p.amount if p.kind == PaymentKind.PAYMENT else -p.amount
    return total


def amount_due(order: RepairOrder) -> Decimal:
    """What the customer still has to pay at the counter: a key account's charge takes its share over."""
    return max(ZERO, (order.customer_amount or ZERO) - paid_amount(order) - (order.account_charged or ZERO))


def declined_safety_jobs(order: RepairOrder) -> list:
    """The safety items the customer leaves undone and has not acknowledged yet (their recommendations)."""
    return recommendation_records.awaiting_acknowledgement(order)


def _authority(tx: Tx) -> Decimal:
    """The acting user's own authority when set, else their role's in this store (the administrator's setting)."""
    return discount_authority(tx.session, tx.actor.store_id, tx.actor.role, tx.actor.discount_authority)


def _approve(tx: Tx, approval: ManagerApproval | None, what: str, order_id: int) -> User:
    if approval is None:
        raise PermissionDenied(_("{what} needs a service manager's password.").format(what=what))
    return verify_manager(tx, approval, order_id=order_id)


@dataclass(frozen=True)
class SettlementInput:
    discount: Decimal | str = ZERO
    next_service_date: dt.date | None = None
    next_service_km: int | None = None
    follow_up_at: dt.datetime | None = None
    safety_ack_by: str = ""
    warranty_claim_ref: str = ""
    insurance_ref: str = ""


@dataclass(frozen=True, slots=True)
class Settled(OrderRef):
    """The order with its bill fixed: what it comes to, the discount and who gave it, the customer's share."""

    total_amount: Decimal
    discount: Decimal
    discount_by_id: int | None
    customer_amount: Decimal


@service("settlement.prepare")
def prepare_settlement(
    tx: Tx, order_id: int, data: SettlementInput, approval: ManagerApproval | None = None,
    expected_version: int | None = None,
) -> Settled:
    """Fix the bill: discount within authority, receivables, next service, follow-up time."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.DELIVERED,), _("settlement"))
    if order.payments and any(p.voided_at is None for p in order.payments):
        raise IllegalTransition(_("Payments have been taken: void them before changing the settlement."))
    if order.account_charged:
        raise IllegalTransition(_("The bill is charged to an account: the settlement can no longer change."))
    if inspect(order).persistent and tx.session.scalar(
        select(Allocation.id).join(Receivable).where(Receivable.order_id == order.id).limit(1)
    ) is not None:
        raise IllegalTransition(_("A payer has paid on this bill's receivables: the settlement can no longer change."))
    if inspect(order).persistent and tx.session.scalar(  # a goodwill split, a rejected claim's cost moved, a write-off
        select(Receivable.id).where(Receivable.order_id == order.id, Receivable.written_off > 0).limit(1)
    ) is not None:
        raise IllegalTransition(_("Part of this bill's receivables was written off or moved to another payer: the "
                                  "settlement can no longer change."))
    discount = parse_money(data.discount, "discount") if not isinstance(data.discount, Decimal) else data.discount
    base = order_totals(order, tx.settings, discount=ZERO, rounding=ZERO)
    customer_gross = base.by_pay_type[PayType.CUSTOMER].gross if PayType.CUSTOMER in base.by_pay_type else ZERO
    approved_by = None
    # A key account's car: the discount its manager agreed, unless the advisor types one (which replaces it).
    agreed = _agreed_discount(tx, order, base) if discount == ZERO else None
    if agreed is not None:
        discount = agreed[1]
    else:
        try:
            check_discount(discount, customer_gross, _authority(tx))
        except PermissionDenied:
            manager = _approve(tx, approval, _("A discount above your authority"), order.id)
            approved_by = manager.id
            limit = discount_authority(tx.session, manager.store_id, Role.MANAGER, manager.discount_authority)
            check_discount(discount, customer_gross, limit)
    # Without a discount the bill is the one just added up.
    totals = base if discount == ZERO else order_totals(order, tx.settings, discount=discount, rounding=ZERO)
    rounded_before = order.rounding or ZERO
    order.rounding = ZERO  # a new bill: the cashier rounds what it comes to now, if at all
    order.discount = discount
    order.discount_by_id = approved_by or (tx.actor.user_id if discount else None)
    order.total_amount = totals.gross
    order.customer_amount = totals.customer_payable
    if data.next_service_date is not None:
        if data.next_service_date <= tx.now.date():
            raise ValidationError("next_service_date", _("The next service must be after today."))
        order.next_service_date = data.next_service_date
    if data.next_service_km is not None:
        km = positive_int(data.next_service_km, "next_service_km", maximum=3_000_000)
        if km <= order.odometer_km:
            raise ValidationError("next_service_km", _("The next service mileage must be above today's reading."))
        order.next_service_km = km
    if data.follow_up_at is not None:
        if data.follow_up_at <= tx.now:
            raise ValidationError("follow_up_at", _("The follow-up call must be in the future."))
        order.follow_up_at = data.follow_up_at
    ack = text(data.safety_ack_by, "safety_ack_by", max_len=80)
    if ack:
        recommendation_records.acknowledge(tx, order, ack)
    elif declined_safety_jobs(order):
        # Asked now, while the settlement can still change: once paid it could only be
        # recorded by voiding the payments, and the gate pass waits for it.
        raise ValidationError("safety_ack_by", _("The customer must acknowledge the declined safety items first."))
    if inspect(order).persistent:  # an order a batch has not written yet has no rows to replace
        tx.session.query(Receivable).filter(Receivable.order_id == order.id).delete()
    for earlier in unflushed(tx.session, Receivable, order_id=order.id):
        tx.session.expunge(earlier)
    refs = {PayType.WARRANTY: data.warranty_claim_ref, PayType.INSURANCE: data.insurance_ref}
    for pay_type in RECEIVABLE_TYPES:
        share = totals.by_pay_type.get(pay_type)
        if share is not None and share.net > 0:
            tx.session.add(Receivable(order_id=order.id, pay_type=pay_type, amount=share.net,
                                      payer_kind=PAYER_OF[pay_type], payer_name=_payer_name(tx, order, pay_type),
                                      reference=text(refs[pay_type], pay_type.value + "_ref", max_len=80), created_at=tx.now))
    vehicle = tx.session.get(Vehicle, order.vehicle_id)
    assert vehicle is not None
    if order.next_service_date or order.next_service_km:
        vehicle.next_service_date = order.next_service_date
        vehicle.next_service_km = order.next_service_km
    touch(order)
    _maybe_settled(tx, order)
    tx.audit("repair_order", order.id, order_id=order.id, after={
        "discount": discount, "discount_approved_by": approved_by, "total": totals.gross,
        **({"agreed_discount_of_account": agreed[0]} if agreed is not None else {}),
        "customer_payable": totals.customer_payable, "status": order.status,
        **({"rounding_cleared": rounded_before} if rounded_before else {}),
    })
    flushed(tx)
    return Settled(order.id, order.number, order.version, order.status, totals.gross, discount, order.discount_by_id,
                   totals.customer_payable)


def _agreed_discount(tx: Tx, order: RepairOrder, totals: Totals) -> tuple[str, Decimal] | None:
    """(account code, amount): the account's agreed rates on the customer share's labour and parts, rounded in money."""
    customer = totals.by_pay_type.get(PayType.CUSTOMER)
    agreed = accounts.agreed_rates(tx.session, order.store_id, order.vehicle_id) if customer is not None else None
    if customer is None or agreed is None:
        return None
    account, labour_rate, parts_rate = agreed
    amount = max_discount(customer.labor, labour_rate) + max_discount(customer.parts, parts_rate)
    return (account.code, amount) if amount else None


def _maybe_settled(tx: Tx, order: RepairOrder) -> None:
    if order.status != OrderStatus.DELIVERED or order.customer_amount is None:
        return
    if amount_due(order) == ZERO or order.credit_approved_by_id is not None:
        transition_order(order, OrderStatus.SETTLED, tx.now)
        order.settled_at = tx.now


@dataclass(frozen=True, slots=True)
class RoundedOff(OrderRef):
    """The order after 抹零: what was rounded off and what the customer now pays."""

    rounding: Decimal
    customer_amount: Decimal


@service("payment.round_off")
def round_off(tx: Tx, order_id: int, payable: Decimal | str, expected_version: int | None = None) -> RoundedOff:
    """抹零: the customer pays ``payable``, the share rounded down to the jiao or the yuan (the store's setting).

    Anything else is refused (``money.check_round_off``): beyond the setting it is a
    discount, given at the settlement within the advisor's authority. ``payable`` equal to
    the whole share takes the rounding back.
    """
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.DELIVERED,), _("rounding off"))
    if order.customer_amount is None:
        raise IllegalTransition(_("Prepare the settlement before taking payment."))
    wanted = payable if isinstance(payable, Decimal) else parse_money(payable, "amount")
    before = order.rounding or ZERO
    whole = order_totals(order, tx.settings, rounding=ZERO).customer_payable
    amount = check_round_off(whole, wanted, tx.settings.round_off)
    if whole - amount < paid_amount(order):
        raise ValidationError("amount", _("{paid} has been paid already.").format(paid=format_money(paid_amount(order))))
    order.rounding = amount
    order.customer_amount = order_totals(order, tx.settings).customer_payable
    touch(order)
    _maybe_settled(tx, order)
    tx.audit("repair_order", order.id, order_id=order.id,
             before={"rounding": before, "customer_payable": whole - before},
             after={"rounding": amount, "customer_payable": order.customer_amount, "setting": tx.settings.round_off,
                    "status": order.status})
    return RoundedOff.of(tx, order)


def gate_pass_number(order_number: str) -> str:
    """The gate pass's number as the guard reads it: "GZ01-20261207-0001" -> "GZ01-出-261207-0001".

    Store, 出 (out), the day and the order's number of the day: one gate pass per order, so
    it is unique as the order number is (the century is the only part left out), and the
    guard matches it to the order at a glance.
    """
    store, sep, rest = order_number.partition("-")
    day, _sep, seq = rest.partition("-")
    if not sep or len(day) != 8 or not day.isdigit() or not seq:
        return "出-" + order_number  # a number of another shape (imported history): kept whole
    return f"{store}-出-{day[2:]}-{seq}"


@service("payment.take")
def take_payment(
    tx: Tx, order_id: int, method: PaymentMethod | str, amount: Decimal | str, tendered: Decimal | str | None = None,
    reference: str = "", expected_version: int | None = None,
) -> PaymentRef:
    """One payment towards the customer share; cash may be more than due and gets change."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.DELIVERED,), _("taking payment"))
    if order.customer_amount is None:
        raise IllegalTransition(_("Prepare the settlement before taking payment."))
    try:
        how = PaymentMethod(method)
    except ValueError:
        raise ValidationError("method", _("Unknown payment method.")) from None
    value = amount if isinstance(amount, Decimal) else parse_money(amount, "amount")
    due = amount_due(order)
    if value <= 0:
        raise ValidationError("amount", _("Enter an amount above zero."))
    if value > due:
        raise ValidationError("amount", _("Only {due} is still due.").format(due=format_money(due)))
    handed = value if tendered is None else (tendered if isinstance(tendered, Decimal) else parse_money(tendered, "tendered"))
    if how != PaymentMethod.CASH and handed != value:
        raise ValidationError("tendered", _("Only cash can be more than the amount."))
    if handed < value:
        raise ValidationError("tendered", _("The customer handed over less than the amount."))
    payment = Payment(
        order=order, kind=PaymentKind.PAYMENT, method=how, amount=value, tendered=handed, change=handed - value,
        reference=text(reference, "reference", max_len=80), user_id=tx.actor.user_id, at=tx.now,
    )
    tx.session.add(payment)
    _maybe_settled(tx, order)
    touch(order)
    tx.audit("payment", payment, order_id=order.id, after={
        "method": how, "amount": value, "tendered": handed, "change": payment.change, "status": order.status,
    })
    return PaymentRef.of(tx, payment)


@service("payment.void")
def void_payment(tx: Tx, payment_id: int, reason: str, approval: ManagerApproval | None = None) -> PaymentRef:
    """Undo a payment keyed in by mistake before the order settled (needs a manager)."""
    payment = get(tx.session, Payment, payment_id, "payment")
    order = load_order(tx, payment.order_id)
    why = text(reason, "reason", max_len=200, required=True)
    require_order_status(order, (OrderStatus.DELIVERED,), _("voiding a payment"))
    if payment.voided_at is not None:
        raise ValidationError("payment", _("This payment is already void."))
    manager = _approve(tx, approval, _("Voiding a payment"), order.id).id
    payment.voided_at, payment.voided_by_id, payment.void_reason = tx.now, manager, why
    touch(order)
    tx.audit("payment", payment.id, order_id=order.id, before={"amount": payment.amount}, after={"voided": True, "reason": why, "approved_by": manager})
    return PaymentRef.of(tx, payment)


@service("payment.refund")
def refund(
    tx: Tx, order_id: int, method: PaymentMethod | str, amount: Decimal | str, reason: str,
    approval: ManagerApproval | None = None,
) -> PaymentRef:
    order = load_order(tx, order_id)
    require_order_status(order, (OrderStatus.SETTLED, OrderStatus.CLOSED), _("a refund"))
    why = text(reason, "reason", max_len=200, required=True)
    value = amount if isinstance(amount, Decimal) else parse_money(amount, "amount")
    if value <= 0 or value > paid_amount(order):
        raise ValidationError("amount", _("A refund is between zero and what was paid ({paid}).").format(paid=format_money(paid_amount(order))))
    try:
        how = PaymentMethod(method)
    except ValueError:
        raise ValidationError("method", _("Unknown payment method.")) from None
    manager = _approve(tx, approval, _("A refund"), order.id).id
    payment = Payment(
        order=order, kind=PaymentKind.REFUND, method=how, amount=value, tendered=value,
        change=ZERO, reference=why, user_id=tx.actor.user_id, authorised_by_id=manager, at=tx.now,
    )
    tx.session.add(payment)
    touch(order)
    tx.audit("payment", payment, order_id=order.id, after={"refund": value, "reason": why, "approved_by": manager})
    return PaymentRef.of(tx, payment)


@service("credit.approve")
def approve_credit(tx: Tx, order_id: int, approval: ManagerApproval | None = None, expected_version: int | None = None) -> OrderRef:
    """A manager lets a known account take the car before paying (fleet, company customers)."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.DELIVERED,), _("credit approval"))
    if order.customer_amount is None:
        raise IllegalTransition(_("Prepare the settlement before approving credit."))
    # A manager at the terminal approves by being there; anyone else needs a manager's password.
    if approval is None and tx.actor.role == Role.MANAGER:
        manager = tx.actor.user_id
    else:
        manager = _approve(tx, approval, _("Credit"), order.id).id
    order.credit_approved_by_id, order.credit_approved_at = manager, tx.now
    _maybe_settled(tx, order)
    touch(order)
    tx.audit("repair_order", order.id, order_id=order.id, after={"credit_approved_by": manager, "due": amount_due(order), "status": order.status})
    return OrderRef.of(tx, order)


@service("gate_pass.issue")
def issue_gate_pass(tx: Tx, order_id: int, expected_version: int | None = None) -> OrderRef:
    """出门证: only for a settled order; the car leaves and the order closes."""
    order = load_order(tx, order_id, expected_version)
    if order.status != OrderStatus.SETTLED:
        raise IllegalTransition(
            _("No gate pass for order {number}: it is not paid or credit-approved yet.").format(number=order.number)
        )
    if declined_safety_jobs(order):
        raise ValidationError("safety_ack_by", _("The customer must acknowledge the declined safety items first."))
    transition_order(order, OrderStatus.CLOSED, tx.now)
    order.gate_pass_no = gate_pass_number(order.number)
    order.gate_pass_at, order.gate_pass_by_id, order.closed_at = tx.now, tx.actor.user_id, tx.now
    schedule_follow_up(tx.session, order, tx.settings.follow_up_days)
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": "settled"},
             after={"status": order.status, "gate_pass_no": order.gate_pass_no})
    return OrderRef.of(tx, order)


def schedule_follow_up(session: Session, order: RepairOrder, days: int) -> FollowUp:
    delivered = order.delivered_at or order.closed_at
    assert delivered is not None
    due = order.follow_up_at or (delivered + dt.timedelta(days=days)).replace(hour=10, minute=0, second=0)
    follow = FollowUp(store_id=order.store_id, order_id=order.id, due_at=due, status=FollowUpStatus.DUE, attempts=0)
    session.add(follow)
    return follow
