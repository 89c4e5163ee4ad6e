"""The receivables ledger (issue 21): money others owe the store, and the money that comes in for it.

Accounts, insurers and the maker pay long after the car has left, and rarely one order at a
time: one bank transfer pays a month of a fleet's orders, one insurer's batch several claims,
part of one. So a payment from a payer is a *remittance*, recorded once and applied to
receivables by *allocations*; what it does not apply stays on it as the payer's credit, to
be applied later. Every write keeps ``Receivable.paid`` in step in the same transaction,
so the screens and the aging read one row per receivable, never a sum over allocations.

Two cashiers cannot apply one transfer twice: the payer's reference is unique per store and
payer (a second recording of the same transfer is a conflict), an allocation names a
remittance and a receivable once, and every receivable and remittance carries a version, so
two terminals paying the same receivable at once see the second refused rather than
overpaid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from frontdesk.i18n import gettext as _
from frontdesk.model import Allocation, Receivable, Remittance, RepairOrder
from frontdesk.model.enums import PayerKind, PaymentMethod, PayType

from .common import load_order, text
from .context import Tx, check_version, service
from .errors import NotFound, ValidationError
from .money import ZERO, format_money, parse_money
from .refs import Ref, flushed

BUCKETS = ("0-30", "31-60", "61-90", "90+")
_BUCKET_ENDS = (30, 60, 90)


def open_amount(receivable: Receivable) -> Decimal:
    return receivable.amount - receivable.paid - receivable.written_off


def age_days(receivable: Receivable, on: dt.date) -> int:
    """Days since the receivable arose (the charge, the settlement): the age the aging buckets count."""
    return max(0, (on - receivable.created_at.date()).days)


def bucket(days: int) -> str:
    for end, name in zip(_BUCKET_ENDS, BUCKETS):
        if days <= end:
            return name
    return BUCKETS[-1]


@dataclass(frozen=True)
class RemittanceInput:
    payer_kind: PayerKind
    payer_name: str
    amount: Decimal | str
    reference: str  # the bank's transaction number, the insurer's or maker's batch: required, unique per payer
    received_on: dt.date
    account_id: int | None = None
    method: PaymentMethod = PaymentMethod.TRANSFER
    note: str = ""


@dataclass(frozen=True)
class AllocationInput:
    receivable_id: int
    amount: Decimal | str
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class RemittanceRef(Ref):
    id: int
    version: int
    applied: Decimal
    unapplied: Decimal


@dataclass(frozen=True, slots=True)
class ReceivableRef(Ref):
    id: int
    version: int
    open_amount: Decimal


def _money(value: Decimal | str, field: str) -> Decimal:
    amount = value if isinstance(value, Decimal) else parse_money(value, field)
    if amount <= ZERO:
        raise ValidationError(field, _("The amount must be above zero."))
    return amount


def _not_future(tx: Tx, day: dt.date, field: str) -> dt.date:
    if day > tx.now.date():
        raise ValidationError(field, _("The date cannot be in the future."))
    return day


def _load_receivable(tx: Tx, receivable_id: int, expected_version: int | None = None) -> Receivable:
    receivable = tx.session.get(Receivable, receivable_id)
    if receivable is None:
        raise NotFound("receivable", _("No such receivable in this store."))
    order = tx.session.get(RepairOrder, receivable.order_id)
    if order is None or order.store_id != tx.actor.store_id:
        raise NotFound("receivable", _("No such receivable in this store."))
    check_version(receivable, expected_version)
    return receivable


def _settle(tx: Tx, receivable: Receivable) -> None:
    receivable.closed_at = tx.now if open_amount(receivable) <= ZERO else None


def _apply(tx: Tx, remittance: Remittance, allocations: Sequence[AllocationInput]) -> list[dict[str, object]]:
    seen: set[int] = set()
    done: list[dict[str, object]] = []
    for item in allocations:
        if item.receivable_id in seen:
            raise ValidationError("allocation", _("An order's receivable is named twice in one payment."))
        seen.add(item.receivable_id)
        amount = _money(item.amount, "allocation")
        receivable = _load_receivable(tx, item.receivable_id, item.expected_version)
        if receivable.payer_kind != remittance.payer_kind or (
            remittance.account_id is not None and receivable.account_id != remittance.account_id
        ):
            raise ValidationError("allocation", _("This receivable is owed by another payer."))
        if amount > open_amount(receivable):
            raise ValidationError("allocation", _("{amount} is more than the {open} still open on it.").format(
                amount=format_money(amount), open=format_money(open_amount(receivable))))
        if amount > remittance.amount - remittance.applied:
            raise ValidationError("allocation", _("The payment does not cover that much: {left} is left to apply.").format(
                left=format_money(remittance.amount - remittance.applied)))
        earlier = next((a for a in receivable.allocations if a.remittance_id == remittance.id), None)
        if earlier is None:
            tx.session.add(Allocation(remittance=remittance, receivable=receivable, amount=amount, at=tx.now,
                                      by_id=tx.actor.user_id))
        else:  # more of the payer's credit on an order it already part-paid: one allocation, larger
            earlier.amount += amount
            earlier.at, earlier.by_id = tx.now, tx.actor.user_id
        receivable.paid += amount
        remittance.applied += amount
        _settle(tx, receivable)
        done.append({"receivable": receivable.id, "order": receivable.order_id, "amount": str(amount)})
    return done


def record(tx: Tx, data: RemittanceInput, allocations: Sequence[AllocationInput] = ()) -> RemittanceRef:
    """Record and apply a transfer inside the caller's transaction (an insurer's payment also stamps its claims)."""
    reference = text(data.reference, "reference", max_len=80, required=True)
    payer_name = text(data.payer_name, "payer_name", max_len=120, required=True)
    amount = _money(data.amount, "amount")
    if data.payer_kind == PayerKind.ACCOUNT and data.account_id is None:
        raise ValidationError("account", _("Name the account the transfer comes from."))
    remittance = Remittance(
        store_id=tx.actor.store_id, payer_kind=data.payer_kind, account_id=data.account_id, payer_name=payer_name,
        method=data.method, amount=amount, applied=ZERO, reference=reference,
        received_on=_not_future(tx, data.received_on, "received_on"), note=text(data.note, "note", max_len=500),
        recorded_by_id=tx.actor.user_id, recorded_at=tx.now,
    )
    tx.session.add(remittance)
    flushed(tx)  # a second recording of the same transfer stops here, before anything is applied
    applied = _apply(tx, remittance, allocations)
    tx.audit("remittance", remittance, after={
        "payer_kind": data.payer_kind, "payer": payer_name, "amount": amount, "reference": reference,
        "received_on": remittance.received_on, "applied": applied, "unapplied": remittance.unapplied,
    })
    return RemittanceRef.of(tx, remittance)


@service("remittance.apply")
def record_remittance(tx: Tx, data: RemittanceInput, allocations: Sequence[AllocationInput] = ()) -> RemittanceRef:
    """One transfer from a payer, recorded and applied in one go; what is left over stays as the payer's credit."""
    return record(tx, data, allocations)


@service("remittance.apply")
def apply_remittance(tx: Tx, remittance_id: int, allocations: Sequence[AllocationInput],
                     expected_version: int | None = None) -> RemittanceRef:
    """Apply what a payer paid earlier and was kept as credit."""
    remittance = tx.session.get(Remittance, remittance_id)
    if remittance is None or remittance.store_id != tx.actor.store_id:
        raise NotFound("remittance", _("No such payment in this store."))
    check_version(remittance, expected_version)
    if not allocations:
        raise ValidationError("allocation", _("Choose the orders to apply it to."))
    applied = _apply(tx, remittance, allocations)
    tx.audit("remittance", remittance.id, after={"applied": applied, "unapplied": remittance.unapplied})
    return RemittanceRef.of(tx, remittance)


def take_off(tx: Tx, receivable: Receivable, amount: Decimal, reason: str) -> None:
    """Part of what a payer owes given up, with who, when and why; the caller has checked it and audits it."""
    receivable.written_off += amount
    receivable.written_off_by_id, receivable.written_off_at = tx.actor.user_id, tx.now
    receivable.write_off_reason = "; ".join(x for x in (receivable.write_off_reason, reason) if x)[:200]
    _settle(tx, receivable)


def write_off_in(tx: Tx, receivable_id: int, amount: Decimal | str | None, reason: str,
                 expected_version: int | None = None) -> ReceivableRef:
    """:func:`write_off` inside the caller's transaction (an insurer's short payment also stamps its claim)."""
    receivable = _load_receivable(tx, receivable_id, expected_version)
    why = text(reason, "reason", max_len=200, required=True)
    left = open_amount(receivable)
    if left <= ZERO:
        raise ValidationError("amount", _("Nothing is open on this receivable."))
    value = left if amount is None else _money(amount, "amount")
    if value > left:
        raise ValidationError("amount", _("{amount} is more than the {open} still open on it.").format(
            amount=format_money(value), open=format_money(left)))
    take_off(tx, receivable, value, why)
    tx.audit("receivable", receivable.id, order_id=receivable.order_id,
             after={"written_off": value, "reason": why, "open": open_amount(receivable)})
    return ReceivableRef.of(tx, receivable)


@service("receivable.write_off")
def write_off(tx: Tx, receivable_id: int, amount: Decimal | str | None, reason: str,
              expected_version: int | None = None) -> ReceivableRef:
    """The manager gives up (part of) what a payer owes: an insurer's short payment, a debt not worth chasing."""
    return write_off_in(tx, receivable_id, amount, reason, expected_version)


@service("receivable.follow_up")
def follow_up(tx: Tx, receivable_id: int, next_action_on: dt.date | None, note: str,
              expected_version: int | None = None) -> ReceivableRef:
    """A collection call or visit (催收): the next date to chase, and what was said, kept on the receivable."""
    receivable = _load_receivable(tx, receivable_id, expected_version)
    said = text(note, "note", max_len=500)
    if next_action_on is not None and next_action_on < tx.now.date():
        raise ValidationError("next_action_on", _("The next action cannot be in the past."))
    if not said and next_action_on == receivable.next_action_on:
        raise ValidationError("note", _("Say what was done or when to chase next."))
    before = {"next_action_on": receivable.next_action_on}
    receivable.next_action_on = next_action_on
    if said:
        line = f"{tx.now:%Y-%m-%d} {tx.actor.display_name}: {said}"
        receivable.note = f"{receivable.note}\n{line}" if receivable.note else line
    tx.audit("receivable", receivable.id, order_id=receivable.order_id, before=before,
             after={"next_action_on": next_action_on, "note": said})
    return ReceivableRef.of(tx, receivable)


def new_receivable(tx: Tx, order: RepairOrder, payer_kind: PayerKind, payer_name: str, amount: Decimal, *,
                   pay_type: PayType, account_id: int | None = None, due_on: dt.date | None = None,
                   reference: str = "") -> Receivable:
    """A receivable added inside the caller's transaction (an account charge, a cost moved to the customer)."""
    receivable = Receivable(
        order_id=order.id, pay_type=pay_type, payer_kind=payer_kind, account_id=account_id,
        payer_name=payer_name[:120], amount=amount, reference=reference[:80], created_at=tx.now,
        due_on=due_on, paid=ZERO, written_off=ZERO,
    )
    tx.session.add(receivable)
    return receivable


@service("receivable.add")
def add_receivable(tx: Tx, order_id: int, payer_kind: PayerKind, payer_name: str, amount: Decimal | str, *,
                   pay_type: PayType, account_id: int | None = None, due_on: dt.date | None = None,
                   reference: str = "") -> ReceivableRef:
    """A new amount owed on an order after its settlement, by hand (a cost agreed after the car left)."""
    order = load_order(tx, order_id)
    receivable = new_receivable(
        tx, order, payer_kind, text(payer_name, "payer_name", max_len=120, required=payer_kind != PayerKind.CUSTOMER),
        _money(amount, "amount"), pay_type=pay_type, account_id=account_id, due_on=due_on,
        reference=text(reference, "reference", max_len=80))
    tx.audit("receivable", receivable, order_id=order.id, after={
        "payer_kind": payer_kind, "payer": receivable.payer_name, "amount": receivable.amount, "due_on": due_on})
    return ReceivableRef.of(tx, receivable)
