"""Accident repairs (事故车) and what insurers owe: the claim on the order, the collection queue, the gap.

The accident record (model/accident.py) names the insurer of an order's insurance share; the
settlement names the insurer's receivable after it (settlement._payer_name), and saving the
record later renames the order's unpaid insurer receivables, so the queue and the ledger
always say who owes. The money itself stays in the ledger (services/ledger.py): an insurer's
transfer is one remittance applied to one or several claims' receivables.

Before the settlement there is no receivable to chase, but the insurance clerk follows the
claim from the report number while the car is in the workshop (定损, 追加定损, the papers):
:func:`accident_repairs` lists the orders not yet settled that have an accident record or
work billed to an insurer.

The gap (定损与实际赔付差额) is read from the ledger by :func:`gap_report`, so it is right
however the receivables closed (a payment here, a write-off on the receivables screen). The
record also keeps a stamp — what was paid and the gap when the last of its insurer
receivables closed — taken by the two ways this module closes them: :func:`receive_payment`
(the insurer's transfer, ``ledger.record_remittance`` and the stamp in one transaction) and
:func:`write_off_rest` (the manager lets the short-paid rest go). Both reuse the ledger's own
bodies (``ledger.record``, ``ledger.write_off_in``) inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    AccidentClaim,
    AccidentSupplement,
    Customer,
    Job,
    PartLine,
    Receivable,
    RepairOrder,
    Vehicle,
)
from frontdesk.model.accident import DOCUMENTS
from frontdesk.model.enums import JobStatus, OrderStatus, PayerKind, PayType

from . import ledger
from .common import load_order, text
from .context import Tx, check_version, require, service
from .errors import IllegalTransition, NotFound, ValidationError
from .ledger import AllocationInput, ReceivableRef, RemittanceInput, RemittanceRef
from .money import ZERO, parse_money
from .refs import Ref, flushed
from .runtime import Actor, Services

__all__ = [
    "DOCUMENTS", "AccidentInput", "AccidentPage", "AccidentRef", "AccidentRepairRow", "AccidentView", "CollectionRow",
    "GapReport", "GapRow", "SupplementView", "accident_for_order", "accident_page", "accident_repairs",
    "add_supplement", "collection_queue",
    "gap_report", "papers_delivered", "receive_payment", "save_accident", "set_documents", "write_off_rest",
]


@dataclass(frozen=True)
class AccidentInput:
    insurer: str
    report_no: str
    insured_name: str = ""
    assessor: str = ""
    assessed_amount: Decimal | str | None = None
    customer_share: Decimal | str = ZERO
    accident_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AccidentRef(Ref):
    id: int
    order_id: int
    version: int


@dataclass(frozen=True)
class SupplementView:
    id: int
    amount: Decimal
    assessed_on: dt.date
    note: str


@dataclass(frozen=True)
class AccidentView:
    """The record as the screens show it; the insurer's figures are read from its receivables."""

    id: int
    order_id: int
    version: int
    insurer: str
    report_no: str
    insured_name: str
    assessor: str
    assessed_amount: Decimal | None
    customer_share: Decimal
    accident_on: dt.date | None
    supplements: tuple[SupplementView, ...]
    total_assessed: Decimal | None  # assessed + supplements; None until assessed
    documents: tuple[str, ...]  # received, in DOCUMENTS order
    missing: tuple[str, ...]
    papers_delivered_by: str
    papers_delivered_on: dt.date | None
    insurer_owes: Decimal  # the insurer receivables of the order
    insurer_paid: Decimal
    insurer_open: Decimal
    paid_amount: Decimal | None  # the stamp (model/accident.py)
    gap: Decimal | None
    closed_on: dt.date | None


@dataclass(frozen=True)
class AccidentPage:
    """What the accident screen shows for an order, record or not."""

    order_id: int
    order_number: str
    plate: str
    customer_name: str
    status: str
    accident: AccidentView | None


@dataclass(frozen=True)
class CollectionRow:
    """One open insurer receivable in the collection queue."""

    receivable_id: int
    receivable_version: int
    order_id: int
    order_number: str
    plate: str
    insurer: str
    report_no: str
    accident_id: int | None
    amount: Decimal
    paid: Decimal
    open_amount: Decimal
    age_days: int
    bucket: str
    papers_delivered_on: dt.date | None
    next_action_on: dt.date | None
    note: str  # the last line of the follow-up notes
    notes: str  # all of them (the follow-up dialog shows the last few)
    overdue: bool  # the follow-up date has come


@dataclass(frozen=True)
class AccidentRepairRow:
    """An accident repair still in the house (not settled): followed before any insurer receivable exists."""

    order_id: int
    order_number: str
    status: OrderStatus
    plate: str
    checked_in_at: dt.datetime
    accident_id: int | None  # None: work billed to an insurer, no record yet
    insurer: str
    report_no: str
    total_assessed: Decimal | None  # assessed + supplements; None until assessed
    missing: tuple[str, ...]  # DOCUMENTS keys not received (all of them without a record)
    papers_delivered_on: dt.date | None


@dataclass(frozen=True)
class GapRow:
    order_number: str
    plate: str
    insurer: str
    report_no: str
    assessed: Decimal | None
    paid: Decimal
    written_off: Decimal
    gap: Decimal | None
    closed_on: dt.date


@dataclass(frozen=True)
class GapReport:
    start: dt.date
    end: dt.date
    rows: tuple[GapRow, ...]
    assessed: Decimal  # totals over the rows that were assessed
    paid: Decimal
    gap: Decimal


# Saving ------------------------------------------------------------------------------------------


def _load(tx: Tx, accident_id: int, expected_version: int | None = None) -> AccidentClaim:
    claim = tx.session.get(AccidentClaim, accident_id)
    if claim is None:
        raise NotFound("accident", _("No such accident record."))
    load_order(tx, claim.order_id)  # the store's own
    check_version(claim, expected_version)
    return claim


def _not_future(tx: Tx, day: dt.date | None, field: str) -> dt.date | None:
    if day is not None and day > tx.now.date():
        raise ValidationError(field, _("The date cannot be in the future."))
    return day


def _amount(value: Decimal | str | None, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money(value, field)


def _snapshot(claim: AccidentClaim) -> dict[str, object]:
    return {"insurer": claim.insurer, "report_no": claim.report_no, "insured_name": claim.insured_name,
            "assessor": claim.assessor, "assessed_amount": claim.assessed_amount,
            "customer_share": claim.customer_share, "accident_on": claim.accident_on}


@service("accident.edit")
def save_accident(tx: Tx, order_id: int, data: AccidentInput, expected_version: int | None = None) -> AccidentRef:
    """Open or change the order's accident record; the order's unpaid insurer receivables take the insurer's name."""
    order = load_order(tx, order_id)
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(_("The order is cancelled."))
    insurer = text(data.insurer, "insurer", max_len=120, required=True)
    report_no = text(data.report_no, "report_no", max_len=60, required=True)
    insured = text(data.insured_name, "insured_name", max_len=80)
    assessor = text(data.assessor, "assessor", max_len=80)
    assessed = _amount(data.assessed_amount, "assessed_amount")
    share = _amount(data.customer_share, "customer_share") or ZERO
    accident_on = _not_future(tx, data.accident_on, "accident_on")
    claim = tx.session.scalar(select(AccidentClaim).where(AccidentClaim.order_id == order.id))
    before = None
    if claim is None:
        if expected_version is not None:
            raise NotFound("accident", _("No such accident record."))
        claim = AccidentClaim(order_id=order.id, insurer=insurer, report_no=report_no, documents=[],
                              created_at=tx.now)
        tx.session.add(claim)
    else:
        check_version(claim, expected_version)
        before = _snapshot(claim)
    claim.insurer, claim.report_no, claim.insured_name, claim.assessor = insurer, report_no, insured, assessor
    claim.assessed_amount, claim.customer_share, claim.accident_on = assessed, share, accident_on
    for receivable in tx.session.scalars(select(Receivable).where(
            Receivable.order_id == order.id, Receivable.payer_kind == PayerKind.INSURER,
            Receivable.closed_at.is_(None), Receivable.paid == 0)):
        if receivable.payer_name != insurer:
            receivable.payer_name = insurer
    tx.audit("accident_claim", claim, order_id=order.id, before=before, after=_snapshot(claim))
    return AccidentRef.of(tx, claim)


@service("accident.edit")
def add_supplement(tx: Tx, accident_id: int, amount: Decimal | str, on: dt.date, note: str = "",
                   expected_version: int | None = None) -> AccidentRef:
    """追加定损: the assessor adds to the assessment; it counts in the total assessed."""
    claim = _load(tx, accident_id, expected_version)
    value = parse_money(amount, "amount")
    if value == ZERO:
        raise ValidationError("amount", _("Enter an amount above zero."))
    if on is None:
        raise ValidationError("on", _("This field is required."))
    _not_future(tx, on, "on")
    if claim.accident_on is not None and on < claim.accident_on:
        raise ValidationError("on", _("The supplement cannot be dated before the accident."))
    supplement = AccidentSupplement(amount=value, assessed_on=on, note=text(note, "note", max_len=400),
                                    by_id=tx.actor.user_id, at=tx.now)
    claim.supplements.append(supplement)
    flag_modified(claim, "report_no")  # a new version: another terminal's copy is stale
    tx.audit("accident_supplement", supplement, order_id=claim.order_id,
             after={"accident": claim.id, "amount": value, "on": on, "note": supplement.note})
    return AccidentRef.of(tx, claim)


@service("accident.edit")
def set_documents(tx: Tx, accident_id: int, received: Sequence[str],
                  expected_version: int | None = None) -> AccidentRef:
    """The papers in hand, as a whole (the checklist's ticks)."""
    claim = _load(tx, accident_id, expected_version)
    unknown = sorted(set(received) - set(DOCUMENTS))
    if unknown:
        raise ValidationError("documents", _("Unknown document: {name}.").format(name=", ".join(unknown)))
    before = list(claim.documents or [])
    claim.documents = [d for d in DOCUMENTS if d in set(received)]
    tx.audit("accident_claim", claim.id, order_id=claim.order_id, before={"documents": before},
             after={"documents": claim.documents})
    return AccidentRef.of(tx, claim)


@service("accident.edit")
def papers_delivered(tx: Tx, accident_id: int, by: str, on: dt.date,
                     expected_version: int | None = None) -> AccidentRef:
    """送单: who took the claim papers to the insurer, and when."""
    claim = _load(tx, accident_id, expected_version)
    who = text(by, "by", max_len=80, required=True)
    if on is None:
        raise ValidationError("on", _("This field is required."))
    _not_future(tx, on, "on")
    before = {"by": claim.papers_delivered_by, "on": claim.papers_delivered_on}
    claim.papers_delivered_by, claim.papers_delivered_on = who, on
    tx.audit("accident_claim", claim.id, order_id=claim.order_id, before=before, after={"by": who, "on": on})
    return AccidentRef.of(tx, claim)


# The insurer pays ----------------------------------------------------------------------------------


def _total_assessed(claim: AccidentClaim) -> Decimal | None:
    if claim.assessed_amount is None:
        return None
    return claim.assessed_amount + sum((s.amount for s in claim.supplements), ZERO)


def _stamp_closed(tx: Tx, order_ids: Collection[int]) -> None:
    """Stamp paid and gap on the records whose insurer receivables have all closed now."""
    if not order_ids:
        return
    tx.session.flush()
    claims = tx.session.scalars(select(AccidentClaim).where(AccidentClaim.order_id.in_(order_ids),
                                                            AccidentClaim.closed_on.is_(None)))
    for claim in claims:
        owed = list(tx.session.scalars(select(Receivable).where(
            Receivable.order_id == claim.order_id, Receivable.payer_kind == PayerKind.INSURER)))
        if not owed or any(r.closed_at is None for r in owed):
            continue
        paid = sum((r.paid for r in owed), ZERO)
        total = _total_assessed(claim)
        claim.paid_amount, claim.closed_on = paid, tx.now.date()
        claim.gap = None if total is None else total - paid
        tx.audit("accident_claim", claim.id, order_id=claim.order_id,
                 after={"paid": paid, "assessed": total, "gap": claim.gap, "closed_on": claim.closed_on})


def _orders_of(session: Session, receivable_ids: Collection[int]) -> set[int]:
    if not receivable_ids:
        return set()
    return set(session.scalars(select(Receivable.order_id).where(Receivable.id.in_(receivable_ids))))


@service("remittance.apply")
def receive_payment(tx: Tx, data: RemittanceInput, allocations: Sequence[AllocationInput] = ()) -> RemittanceRef:
    """An insurer's transfer applied to one or several claims; the claims it closes get their gap stamped."""
    if PayerKind(data.payer_kind) != PayerKind.INSURER:
        raise ValidationError("payer_kind", _("Only an insurer's payment is recorded here."))
    insurer = (data.payer_name or "").strip()
    for item in allocations:
        owed = tx.session.get(Receivable, item.receivable_id)
        if owed is not None and owed.payer_kind == PayerKind.INSURER and owed.payer_name != insurer:
            raise ValidationError("allocation", _("This claim is owed by {insurer}, not by {payer}.").format(
                insurer=owed.payer_name or "—", payer=insurer))
    ref = ledger.record(tx, data, allocations)
    _stamp_closed(tx, _orders_of(tx.session, [a.receivable_id for a in allocations]))
    flushed(tx)
    return ref


@service("receivable.write_off")
def write_off_rest(tx: Tx, receivable_id: int, reason: str, expected_version: int | None = None) -> ReceivableRef:
    """The insurer paid short and will pay no more: the manager writes the rest off, and the gap is stamped."""
    receivable = tx.session.get(Receivable, receivable_id)
    if receivable is None or receivable.payer_kind != PayerKind.INSURER:
        raise NotFound("receivable", _("No such insurer receivable."))
    ref = ledger.write_off_in(tx, receivable_id, None, reason, expected_version)
    _stamp_closed(tx, {receivable.order_id})
    flushed(tx)
    return ref


# Reading -----------------------------------------------------------------------------------------


def _view(session: Session, claim: AccidentClaim) -> AccidentView:
    owed = list(session.scalars(select(Receivable).where(
        Receivable.order_id == claim.order_id, Receivable.payer_kind == PayerKind.INSURER)))
    received = set(claim.documents or [])
    amount = sum((r.amount for r in owed), ZERO)
    paid = sum((r.paid for r in owed), ZERO)
    open_ = sum((r.open_amount for r in owed), ZERO)
    return AccidentView(
        claim.id, claim.order_id, claim.version, claim.insurer, claim.report_no, claim.insured_name, claim.assessor,
        claim.assessed_amount, claim.customer_share, claim.accident_on,
        tuple(SupplementView(s.id, s.amount, s.assessed_on, s.note) for s in claim.supplements),
        _total_assessed(claim), tuple(d for d in DOCUMENTS if d in received),
        tuple(d for d in DOCUMENTS if d not in received), claim.papers_delivered_by, claim.papers_delivered_on,
        amount, paid, open_, claim.paid_amount, claim.gap, claim.closed_on)


def _claim_of(session: Session, order_id: int) -> AccidentClaim | None:
    return session.scalar(select(AccidentClaim).where(AccidentClaim.order_id == order_id)
                          .options(selectinload(AccidentClaim.supplements)))


def accident_for_order(services: Services, actor: Actor, order_id: int) -> AccidentView | None:
    require(actor, "accident.view")
    with services.db.reader() as session:
        order = session.get(RepairOrder, order_id)
        if order is None or order.store_id != actor.store_id:
            raise NotFound("order", _("No such repair order in this store."))
        claim = _claim_of(session, order_id)
        return None if claim is None else _view(session, claim)


def accident_page(services: Services, actor: Actor, order_id: int) -> AccidentPage:
    """The order's heading and its accident record (``None`` before one is opened)."""
    require(actor, "accident.view")
    with services.db.reader() as session:
        row = session.execute(
            select(RepairOrder.number, RepairOrder.status, RepairOrder.store_id, Vehicle.plate, Customer.name)
            .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id).join(Customer, Customer.id == RepairOrder.customer_id)
            .where(RepairOrder.id == order_id)).first()
        if row is None or row.store_id != actor.store_id:
            raise NotFound("order", _("No such repair order in this store."))
        claim = _claim_of(session, order_id)
        return AccidentPage(order_id, row.number, row.plate or "", row.name or "", str(row.status.value),
                            None if claim is None else _view(session, claim))


def collection_queue(services: Services, actor: Actor, *, on: dt.date | None = None) -> list[CollectionRow]:
    """The insurers' open receivables: follow-ups that have come due first, then the oldest."""
    require(actor, "accident.view")
    today = on or services.clock().date()
    with services.db.reader() as session:
        rows = session.execute(
            select(Receivable, RepairOrder.number, Vehicle.plate, AccidentClaim.id, AccidentClaim.insurer,
                   AccidentClaim.report_no, AccidentClaim.papers_delivered_on)
            .join(RepairOrder, RepairOrder.id == Receivable.order_id)
            .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .outerjoin(AccidentClaim, AccidentClaim.order_id == RepairOrder.id)
            .where(Receivable.payer_kind == PayerKind.INSURER, Receivable.closed_at.is_(None),
                   RepairOrder.store_id == actor.store_id)
            .order_by(Receivable.created_at, Receivable.id)).all()
        out = []
        for r, number, plate, accident_id, insurer, report_no, delivered in rows:
            days = ledger.age_days(r, today)
            due = r.next_action_on is not None and r.next_action_on <= today
            note = (r.note or "").strip().splitlines()
            out.append(CollectionRow(
                r.id, r.version, r.order_id, number, plate or "", insurer or r.payer_name, report_no or r.reference,
                accident_id, r.amount, r.paid, r.open_amount, days, ledger.bucket(days), delivered, r.next_action_on,
                note[-1] if note else "", r.note or "", due))
    out.sort(key=lambda row: (not row.overdue, row.next_action_on or dt.date.max if row.overdue else dt.date.max,
                              -row.age_days))
    return out


#: The order is still the workshop's: no settlement yet, so no insurer receivable.
IN_HOUSE = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP,
            OrderStatus.READY, OrderStatus.DELIVERED)


def accident_repairs(services: Services, actor: Actor) -> list[AccidentRepairRow]:
    """The store's unsettled orders with an accident record or insurer-billed work, the longest in first."""
    require(actor, "accident.view")
    supplements = (select(func.coalesce(func.sum(AccidentSupplement.amount), 0))
                   .where(AccidentSupplement.claim_id == AccidentClaim.id).correlate(AccidentClaim).scalar_subquery())
    insured_job = exists().where(Job.order_id == RepairOrder.id, Job.pay_type == PayType.INSURANCE,
                                 Job.status != JobStatus.DECLINED)
    insured_part = exists().where(PartLine.order_id == RepairOrder.id, PartLine.pay_type == PayType.INSURANCE)
    with services.db.reader() as session:
        found = session.execute(
            select(RepairOrder.id, RepairOrder.number, RepairOrder.status, Vehicle.plate, RepairOrder.checked_in_at,
                   AccidentClaim.id, AccidentClaim.insurer, AccidentClaim.report_no, AccidentClaim.assessed_amount,
                   supplements, AccidentClaim.documents, AccidentClaim.papers_delivered_on)
            .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .outerjoin(AccidentClaim, AccidentClaim.order_id == RepairOrder.id)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status.in_(IN_HOUSE),
                   or_(AccidentClaim.id.is_not(None), insured_job, insured_part))
            .order_by(RepairOrder.checked_in_at, RepairOrder.id)).all()
    out = []
    for order_id, number, status, plate, checked_in, claim_id, insurer, report_no, assessed, added, docs, delivered \
            in found:
        received = set(docs or [])
        total = None if assessed is None else assessed + Decimal(added or 0)
        out.append(AccidentRepairRow(order_id, number, status, plate or "", checked_in, claim_id, insurer or "",
                                     report_no or "", total, tuple(d for d in DOCUMENTS if d not in received),
                                     delivered))
    return out


def gap_report(services: Services, actor: Actor, start: dt.date, end: dt.date) -> GapReport:
    """Claims whose insurer receivables all closed between ``start`` and ``end``: assessed against paid.

    Read from the ledger, so a claim closed by a write-off on the receivables screen counts too.
    """
    require(actor, "accident.view")
    if end < start:
        raise ValidationError("end", _("The end of the range is before its start."))
    # Only orders with an insurer receivable closed in the range can have closed in it.
    closing = (select(Receivable.order_id)
               .where(Receivable.payer_kind == PayerKind.INSURER,
                      Receivable.closed_at >= dt.datetime.combine(start, dt.time()),
                      Receivable.closed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
               .distinct().scalar_subquery())
    with services.db.reader() as session:
        claims = session.execute(
            select(AccidentClaim, RepairOrder.number, Vehicle.plate)
            .join(RepairOrder, RepairOrder.id == AccidentClaim.order_id)
            .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .where(RepairOrder.store_id == actor.store_id, AccidentClaim.order_id.in_(closing))
            .options(selectinload(AccidentClaim.supplements))).all()
        owed: dict[int, list[Receivable]] = {}
        for r in session.scalars(select(Receivable).where(Receivable.payer_kind == PayerKind.INSURER,
                                                          Receivable.order_id.in_(closing))):
            owed.setdefault(r.order_id, []).append(r)
        rows = []
        for claim, number, plate in claims:
            mine = owed.get(claim.order_id, [])
            if not mine or any(r.closed_at is None for r in mine):
                continue
            closed = max(r.closed_at for r in mine if r.closed_at is not None).date()
            if not start <= closed <= end:
                continue
            paid = sum((r.paid for r in mine), ZERO)
            total = _total_assessed(claim)
            rows.append(GapRow(number, plate or "", claim.insurer, claim.report_no, total, paid,
                               sum((r.written_off for r in mine), ZERO), None if total is None else total - paid,
                               closed))
    rows.sort(key=lambda g: (g.closed_on, g.order_number))
    assessed = [g for g in rows if g.assessed is not None]
    return GapReport(start, end, tuple(rows), sum((g.assessed or ZERO for g in assessed), ZERO),
                     sum((g.paid for g in assessed), ZERO), sum((g.gap or ZERO for g in assessed), ZERO))
