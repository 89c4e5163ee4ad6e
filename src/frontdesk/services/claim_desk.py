"""What the claims clerk's screens read around the claims: orders still to claim, and the maker's payment.

The claims themselves are services/warranty_claims.py. Two things sit beside them:

- :func:`orders_to_claim`: the warranty orders whose repair is done and that have no claim
  yet, oldest first, with the days left before the claim deadline — a claim not opened is
  the one most easily forgotten, and the maker does not pay past the deadline.
- :func:`record_maker_payment`: one transfer from the maker paying several approved claims
  (the maker's settlement lists them). Each claim is paid what the maker approved and has not
  paid yet, in the order given, as far as the transfer goes; what is left is kept as the
  maker's credit on the remittance. It is one call of ``ledger.record_remittance`` (one
  transaction, audited there); each allocation names the receivable's version, so a payment
  recorded meanwhile at another terminal is a conflict, not an overpayment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Job,
    PartLine,
    Receivable,
    RepairOrder,
    Vehicle,
    WarrantyClaim,
)
from frontdesk.model.enums import PayerKind, PayType
from frontdesk.model.warranty import ClaimState

from . import ledger
from .context import Actor, Services, require
from .errors import ValidationError
from .money import ZERO, parse_money
from .warranty_claims import REPAIRED


@dataclass(frozen=True, slots=True)
class OrderToClaim:
    order_id: int
    order_number: str
    plate: str
    make: str
    repaired_on: dt.date
    deadline: dt.date
    days_left: int


@dataclass(frozen=True, slots=True)
class MakerDue:
    """What the maker still owes on one approved claim: approved less paid, on the order's maker receivable."""

    claim_id: int
    claim_number: str
    plate: str
    maker: str  # the receivable's payer name (the car's make)
    receivable_id: int
    receivable_version: int
    due: Decimal


def orders_to_claim(services: Services, actor: Actor, *, limit: int = 300) -> list[OrderToClaim]:
    """Repaired warranty orders of the store without a claim, the nearest deadline first."""
    require(actor, "warranty_claim.view")
    today = services.clock().date()
    days = services.settings.warranty_claim_days
    warranty_job = select(Job.id).where(Job.order_id == RepairOrder.id, Job.pay_type == PayType.WARRANTY).exists()
    warranty_part = select(PartLine.id).where(PartLine.order_id == RepairOrder.id,
                                              PartLine.pay_type == PayType.WARRANTY).exists()
    claimed = select(WarrantyClaim.id).where(WarrantyClaim.order_id == RepairOrder.id).exists()
    with services.db.reader() as session:
        rows = session.execute(
            select(RepairOrder.id, RepairOrder.number, Vehicle.plate, Vehicle.make, RepairOrder.ready_at,
                   RepairOrder.delivered_at, RepairOrder.checked_in_at)
            .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status.in_(REPAIRED),
                   warranty_job | warranty_part, ~claimed)
            .order_by(RepairOrder.ready_at, RepairOrder.id).limit(limit)).all()
    out = []
    for oid, number, plate, make, ready, delivered, checked_in in rows:
        repaired = (ready or delivered or checked_in).date()
        deadline = repaired + dt.timedelta(days=days)
        out.append(OrderToClaim(oid, number, plate or "", make or "", repaired, deadline, (deadline - today).days))
    return out


def maker_dues(services: Services, actor: Actor, claim_ids: Sequence[int]) -> list[MakerDue]:
    """The approved claims among ``claim_ids`` (in that order) with what the maker still owes on each."""
    require(actor, "warranty_claim.view")
    with services.db.reader() as session:
        found = {c.id: c for c in session.scalars(select(WarrantyClaim).where(
            WarrantyClaim.id.in_(list(claim_ids)), WarrantyClaim.store_id == actor.store_id))}
        out = []
        for cid in dict.fromkeys(claim_ids):
            claim = found.get(cid)
            if claim is None or claim.state != ClaimState.APPROVED or claim.approved_amount is None:
                continue
            plate = session.scalar(select(Vehicle.plate).join(RepairOrder, RepairOrder.vehicle_id == Vehicle.id)
                                   .where(RepairOrder.id == claim.order_id)) or ""
            owed = list(session.scalars(select(Receivable).where(
                Receivable.order_id == claim.order_id, Receivable.pay_type == PayType.WARRANTY,
                Receivable.payer_kind == PayerKind.MAKER).order_by(Receivable.id)))
            paid = sum((r.paid for r in owed), ZERO)
            due = claim.approved_amount - paid
            receivable = next((r for r in owed if r.open_amount > 0), None)
            if receivable is None or due <= 0:
                continue
            out.append(MakerDue(claim.id, claim.number, plate, receivable.payer_name, receivable.id,
                                receivable.version, min(due, receivable.open_amount)))
        return out


def record_maker_payment(services: Services, actor: Actor, claim_ids: Sequence[int], *, maker: str, reference: str,
                         received_on: dt.date, amount: Decimal | str) -> ledger.RemittanceRef:
    """The maker's transfer applied to the named approved claims, each up to what it still owes."""
    total = parse_money(amount, "amount") if not isinstance(amount, Decimal) else amount
    dues = maker_dues(services, actor, claim_ids)
    if not dues:
        raise ValidationError("claims", _("None of these claims is approved and still owed by the maker."))
    makers = {d.maker for d in dues}
    if len(makers) > 1:
        raise ValidationError("claims", _("One payment comes from one maker; these claims are owed by {makers}.").format(
            makers=", ".join(sorted(makers))))
    allocations = []
    left = total
    for d in dues:
        part = min(left, d.due)
        if part <= 0:
            break
        allocations.append(ledger.AllocationInput(d.receivable_id, part, expected_version=d.receivable_version))
        left -= part
    data = ledger.RemittanceInput(payer_kind=PayerKind.MAKER, payer_name=dues[0].maker or maker.strip(),
                                  amount=total, reference=reference, received_on=received_on)
    return ledger.record_remittance(services, actor, data, allocations)


__all__ = ["MakerDue", "OrderToClaim", "maker_dues", "orders_to_claim", "record_maker_payment"]
