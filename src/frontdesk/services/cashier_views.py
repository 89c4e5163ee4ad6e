"""What the delivery, settlement, payment and cashier screens show: read-only, a few queries each.

The last leg of an order (ready → delivered → settled → closed) is worked at two desks: the
advisor ticks the delivery checklist with the customer and prepares the bill, the cashier
takes the money and prints the gate pass. Both read the same figures from here, so the
screen, the cashier's drawer and the printed statement agree to the fen: the lines are the
ones ``billing`` says the order bills, the totals are ``estimate.order_totals`` (one
``money.Totals``, which the views carry rather than copy), what is paid and due comes from
``settlement.paid_amount``/``amount_due``.

Defaults the settlement form is pre-filled with (the advisor changes them when the car's
maintenance plan says otherwise):

- next service: six months after today, and the odometer read at check-in plus 5 000 km
  (the interval most 4S stores quote for a routine oil service); a date/mileage already
  recorded on the order wins;
- follow-up call: ``settings.follow_up_days`` after delivery at 10:00, the same rule the
  follow-up queue uses when no time was agreed.

Every function opens one short read-only session and returns frozen dataclasses; the
screens never see ORM objects.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.model import Job, JobCheck, Payment, Receivable, RepairOrder
from frontdesk.model.enums import (
    CheckKind,
    DeliveryStage,
    JobStatus,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    PayType,
)

from . import billing, recommendation_records
from .auth import discount_authority
from .context import Actor, Services
from .delivery import INTERNAL_ITEMS, WALKTHROUGH_ITEMS, checklist
from .errors import NotFound
from .estimate import order_totals
from .money import (
    ZERO,
    MoneyLine,
    PayTypeTotal,
    Totals,
    compute_totals,
    max_discount,
)
from .names import car_model, user_names
from .settlement import RECEIVABLE_TYPES

QUEUE_STATUSES = (OrderStatus.READY, OrderStatus.DELIVERED, OrderStatus.SETTLED)
NEXT_SERVICE_MONTHS = 6
NEXT_SERVICE_KM = 5000
FOLLOW_UP_HOUR = 10


def _paid(payments: list[Payment]) -> Decimal:
    total = ZERO
    for p in payments:
        if p.voided_at is None:
            total += p.amount if p.kind == PaymentKind.PAYMENT else -p.amount
    return total


def _totals(order: RepairOrder, services: Services) -> Totals:
    """The order's totals with its discount; a discount that no longer fits is left out."""
    return order_totals(order, services.settings, keep_unfit_discount=False)


def _customer_gross(totals: Totals) -> Decimal:
    customer = totals.by_pay_type.get(PayType.CUSTOMER)
    return customer.gross if customer is not None else ZERO


def _payable(order: RepairOrder, services: Services) -> tuple[Decimal, bool]:
    """The customer share: the settlement's snapshot once prepared, else what the bill comes to now."""
    if order.customer_amount is not None:
        return order.customer_amount, True
    return _totals(order, services).customer_payable, False


def _missing(order: RepairOrder, stage: DeliveryStage) -> tuple[str, ...]:
    """This car's checklist items of ``stage`` not ticked yet (``delivery.checklist``: what applies to it)."""
    done = {c.item for c in order.delivery_checks if c.stage == stage}
    return tuple(code for code in checklist(order, stage) if code not in done)


@dataclass(frozen=True)
class OrderSummary:
    """What every view of the cashier's desk says first: which order and car, whose, whose desk."""

    order_id: int
    version: int
    number: str
    status: OrderStatus
    plate: str
    model: str
    customer_name: str
    phone: str  # the contact phone given at check-in, else the customer's
    advisor: str


def _summary(o: RepairOrder) -> tuple[int, int, str, OrderStatus, str, str, str, str, str]:
    """``OrderSummary``'s fields of a loaded order, in order (the views' first arguments)."""
    return (o.id, o.version, o.number, o.status, o.vehicle.plate, car_model(o), o.customer.name,
            o.contact_phone or o.customer.phone, o.advisor.display_name)


def _load(s: Session, actor: Actor, order_id: int, *options: object) -> RepairOrder:
    order = s.scalar(select(RepairOrder).where(RepairOrder.id == order_id).options(
        joinedload(RepairOrder.vehicle), joinedload(RepairOrder.customer), joinedload(RepairOrder.advisor),
        *options))
    if order is None or order.store_id != actor.store_id:
        raise NotFound("order", _("No such repair order in this store."))
    return order


# The cashier's queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow(OrderSummary):
    """One car between "ready" and "closed"."""

    since: dt.datetime | None  # ready, delivered or settled at (by status)
    customer_share: Decimal  # the settlement's figure once prepared, else what the bill comes to now
    settlement_prepared: bool
    paid: Decimal
    due: Decimal
    credit_approved: bool
    missing_items: int  # delivery checklist items still to tick (ready orders)


@dataclass(frozen=True)
class CashierQueue:
    ready: tuple[QueueRow, ...]  # the delivery checklist to do
    open: tuple[QueueRow, ...]  # delivered: settlement and payment open
    settled: tuple[QueueRow, ...]  # paid or on credit: the gate pass to print
    taken_at: dt.datetime

    @property
    def rows(self) -> tuple[QueueRow, ...]:
        """The order the cashier works them in: money first, then gate passes, then cars still being handed over."""
        return self.open + self.settled + self.ready


def cashier_queue(services: Services, actor: Actor) -> CashierQueue:
    now = services.clock()
    with services.db.reader() as s:
        orders = s.scalars(
            select(RepairOrder)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status.in_(QUEUE_STATUSES))
            .options(joinedload(RepairOrder.vehicle), joinedload(RepairOrder.customer),
                     joinedload(RepairOrder.advisor), selectinload(RepairOrder.jobs),
                     selectinload(RepairOrder.part_lines), selectinload(RepairOrder.payments),
                     selectinload(RepairOrder.delivery_checks), selectinload(RepairOrder.walkaround))
            .order_by(RepairOrder.status_changed_at, RepairOrder.id)
        ).unique().all()
        rows: dict[OrderStatus, list[QueueRow]] = {status: [] for status in QUEUE_STATUSES}
        for o in orders:
            share, prepared = _payable(o, services)
            paid = _paid(o.payments)
            since = {OrderStatus.READY: o.ready_at, OrderStatus.DELIVERED: o.delivered_at,
                     OrderStatus.SETTLED: o.settled_at}[o.status] or o.status_changed_at
            missing = len(_missing(o, DeliveryStage.INTERNAL)) + len(_missing(o, DeliveryStage.WALKTHROUGH)) \
                if o.status == OrderStatus.READY else 0
            rows[o.status].append(QueueRow(
                *_summary(o), since, share, prepared, paid, max(ZERO, share - paid - (o.account_charged or ZERO)),
                o.credit_approved_by_id is not None, missing,
            ))
    return CashierQueue(tuple(rows[OrderStatus.READY]), tuple(rows[OrderStatus.DELIVERED]),
                        tuple(rows[OrderStatus.SETTLED]), now)


# The delivery checklist --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    stage: DeliveryStage
    code: str
    label: str  # msgid: translate at display
    ticked: bool
    by: str
    at: dt.datetime | None
    note: str
    #: What the item verifies on this car as recorded at check-in (the valuables, the equipment); "" when plain.
    detail: str = ""


@dataclass(frozen=True)
class JobState:
    """A job of the order and where it stands in the checks (all QC-passed before delivery)."""

    job_id: int
    code: str
    description: str
    status: JobStatus
    pay_type: PayType
    safety: bool
    qc_passed: bool
    qc_by: str
    qc_at: dt.datetime | None
    rework_count: int


@dataclass(frozen=True)
class DeliveryView(OrderSummary):
    colour: str
    odometer_km: int
    old_parts: str
    wash: bool
    promised_at: dt.datetime | None
    ready_at: dt.datetime | None
    delivered_at: dt.datetime | None
    internal: tuple[ChecklistItem, ...]
    walkthrough: tuple[ChecklistItem, ...]
    missing_internal: tuple[str, ...]  # item codes, in checklist order
    missing_walkthrough: tuple[str, ...]
    jobs: tuple[JobState, ...]  # approved work (declined jobs are not delivered)
    declined: tuple[str, ...]  # declined recommendations, to explain in the walkthrough

    @property
    def complete(self) -> bool:
        return not self.missing_internal and not self.missing_walkthrough

    def missing_labels(self) -> tuple[str, ...]:
        """What is still to do, as msgids (internal check first)."""
        return tuple(INTERNAL_ITEMS[c] for c in self.missing_internal) + tuple(
            WALKTHROUGH_ITEMS[c] for c in self.missing_walkthrough)


def delivery_view(services: Services, actor: Actor, order_id: int) -> DeliveryView:
    with services.db.reader() as s:
        o = _load(s, actor, order_id, selectinload(RepairOrder.delivery_checks),
                  selectinload(RepairOrder.jobs).selectinload(Job.checks).joinedload(JobCheck.found),
                  selectinload(RepairOrder.walkaround))
        names = user_names(s, {c.user_id for c in o.delivery_checks}
                       | {c.user_id for j in o.jobs for c in j.checks})
        ticks = {(c.stage, c.item): c for c in o.delivery_checks}

        def items(stage: DeliveryStage, table: dict[str, str]) -> tuple[ChecklistItem, ...]:
            out = []
            for code, detail in checklist(o, stage).items():  # this car's items only
                c = ticks.get((stage, code))
                out.append(ChecklistItem(stage, code, table[code], c is not None, names.get(c.user_id, "") if c else "",
                                         c.at if c else None, c.note if c else "", detail))
            return tuple(out)

        jobs = []
        for j in o.jobs:
            if j.status in (JobStatus.DECLINED, JobStatus.PROPOSED):
                continue
            qc = next((c for c in reversed(j.checks) if c.kind == CheckKind.QC and c.passed), None)
            jobs.append(JobState(j.id, j.code, j.description, j.status, j.pay_type, j.safety,
                                 j.status == JobStatus.QC_PASSED, names.get(qc.user_id, "") if qc else "",
                                 qc.at if qc else None, j.rework_count))
        return DeliveryView(
            *_summary(o), o.vehicle.colour, o.odometer_km, o.old_parts.value, o.wash, o.promised_at, o.ready_at,
            o.delivered_at,
            items(DeliveryStage.INTERNAL, INTERNAL_ITEMS), items(DeliveryStage.WALKTHROUGH, WALKTHROUGH_ITEMS),
            _missing(o, DeliveryStage.INTERNAL), _missing(o, DeliveryStage.WALKTHROUGH), tuple(jobs),
            tuple(r.description for r in recommendation_records.pending(o)),
        )


# The settlement and its payments ------------------------------------------------------------------


@dataclass(frozen=True)
class BillLine:
    kind: str  # "labor" | "part"
    code: str
    description: str
    qty: Decimal  # hours for labor
    unit_price: Decimal  # rate for labor
    amount: Decimal
    pay_type: PayType
    safety: bool


@dataclass(frozen=True)
class PayTypeGroup(PayTypeTotal):
    """The lines one payer is billed for, with that payer's ``money.PayTypeTotal``."""

    lines: tuple[BillLine, ...] = ()

    @classmethod
    def of(cls, total: PayTypeTotal, lines: tuple[BillLine, ...]) -> PayTypeGroup:
        return cls(**{f.name: getattr(total, f.name) for f in fields(PayTypeTotal)}, lines=lines)


@dataclass(frozen=True)
class ReceivableRow:
    pay_type: PayType
    amount: Decimal
    reference: str  # the warranty claim or the insurer's reference


@dataclass(frozen=True)
class DeclinedRow:
    job_id: int
    code: str
    description: str
    amount: Decimal | None  # labor and parts as quoted, when a price was
    safety: bool
    acknowledged_by: str  # the customer's acknowledgement (safety items only)
    acknowledged_at: dt.datetime | None


@dataclass(frozen=True)
class PaymentRow:
    id: int
    kind: PaymentKind
    method: PaymentMethod
    amount: Decimal
    tendered: Decimal
    change: Decimal
    reference: str
    by: str
    at: dt.datetime
    voided: bool
    voided_at: dt.datetime | None
    voided_by: str
    void_reason: str


@dataclass(frozen=True)
class SettlementView(OrderSummary):
    odometer_km: int
    delivered_at: dt.datetime | None
    groups: tuple[PayTypeGroup, ...]  # customer, warranty, insurance, internal, first service (those present)
    totals: Totals  # what the bill comes to now (``estimate.order_totals``)
    discount_by: str
    customer_payable: Decimal  # the settlement's figure once prepared
    prepared: bool  # the settlement was saved (payments may be taken)
    receivables: tuple[ReceivableRow, ...]
    declined: tuple[DeclinedRow, ...]
    safety_ack_needed: bool  # a declined safety-related item exists
    safety_ack_by: str
    safety_ack_at: dt.datetime | None
    next_service_date: dt.date | None
    next_service_km: int | None
    follow_up_at: dt.datetime | None
    default_next_service_date: dt.date
    default_next_service_km: int
    default_follow_up_at: dt.datetime
    payments: tuple[PaymentRow, ...]
    paid: Decimal
    due: Decimal
    change_given: Decimal  # cash handed back over the live payments
    credit_approved_by: str
    credit_approved_at: dt.datetime | None
    authority_rate: Decimal  # the user's discount authority (share of the customer gross)
    authority_limit: Decimal  # the largest discount the user may give on this order alone
    gate_pass_no: str
    gate_pass_at: dt.datetime | None
    vat_rate: Decimal

    @property
    def labor(self) -> Decimal:
        return self.totals.labor

    @property
    def parts(self) -> Decimal:
        return self.totals.parts

    @property
    def gross(self) -> Decimal:
        return self.totals.gross

    @property
    def discount(self) -> Decimal:
        """The discount given at the settlement (the bill's discount less the cashier's 抹零)."""
        return self.totals.discount - self.totals.rounding

    @property
    def tax(self) -> Decimal:
        return self.totals.tax

    @property
    def customer_gross(self) -> Decimal:
        """The customer share before the discount (the base of the discount authority)."""
        return _customer_gross(self.totals)

    def receivable_ref(self, pay_type: PayType) -> str:
        return next((r.reference for r in self.receivables if r.pay_type == pay_type), "")

    @property
    def safety_acknowledged(self) -> bool:
        return not self.safety_ack_needed or bool(self.safety_ack_by)

    @property
    def may_close(self) -> bool:
        """The gate pass may print: settled (paid or credit) and the safety items acknowledged."""
        return self.status == OrderStatus.SETTLED and self.safety_acknowledged


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (Aug 31 + 6 months = Feb 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def authority(session: Session, actor: Actor) -> Decimal:
    """The share of the customer gross this user may give away without a manager (as settlement checks it)."""
    return discount_authority(session, actor.store_id, actor.role, actor.discount_authority)


def settlement_view(services: Services, actor: Actor, order_id: int) -> SettlementView:
    now = services.clock()
    with services.db.reader() as s:
        o = _load(s, actor, order_id, selectinload(RepairOrder.jobs), selectinload(RepairOrder.part_lines),
                  joinedload(RepairOrder.recommendations),  # in the order's own query: no query more
                  selectinload(RepairOrder.payments))
        receivables = s.scalars(select(Receivable).where(Receivable.order_id == o.id).order_by(Receivable.id)).all()
        names = user_names(s, {p.user_id for p in o.payments} | {p.voided_by_id for p in o.payments}
                       | {o.discount_by_id, o.credit_approved_by_id})
        totals = _totals(o, services)
        lines: list[BillLine] = []
        for j in o.jobs:
            if not billing.bills(o.status, j.status):
                continue
            lines.append(BillLine("labor", j.code, j.description, j.hours, j.rate, j.amount, j.pay_type, j.safety))
            lines += [BillLine("part", p.number, p.name, p.qty, p.unit_price, p.amount, p.pay_type, False)
                      for p in o.part_lines if p.job_id == j.id]
        lines += [BillLine("part", p.number, p.name, p.qty, p.unit_price, p.amount, p.pay_type, False)
                  for p in o.part_lines if p.job_id is None]
        groups = tuple(PayTypeGroup.of(t, tuple(ln for ln in lines if ln.pay_type == t.pay_type))
                       for t in totals.by_pay_type.values())
        payable, prepared = _payable(o, services)
        paid = _paid(o.payments)
        declined = tuple(
            DeclinedRow(r.job_id or 0, r.job.code if r.job else "", r.description, r.price, r.safety,
                        (r.acknowledged_by or "") if r.safety else "", r.acknowledged_at if r.safety else None)
            for r in recommendation_records.pending(o)
        )
        # One name for the screen: the safety items count as acknowledged once every one of them is.
        safety = [d for d in declined if d.safety]
        ack = safety[-1] if safety and all(d.acknowledged_by for d in safety) else None
        payments = tuple(
            PaymentRow(p.id, p.kind, p.method, p.amount, p.tendered, p.change, p.reference, names.get(p.user_id, ""),
                       p.at, p.voided_at is not None, p.voided_at, names.get(p.voided_by_id or 0, ""), p.void_reason)
            for p in o.payments
        )
        rate = authority(s, actor)
        delivered = o.delivered_at or now
        follow_up = dt.datetime.combine(delivered.date() + dt.timedelta(days=services.settings.follow_up_days),
                                        dt.time(FOLLOW_UP_HOUR))
        if follow_up <= now:
            follow_up = dt.datetime.combine(now.date() + dt.timedelta(days=services.settings.follow_up_days),
                                            dt.time(FOLLOW_UP_HOUR))
        return SettlementView(
            *_summary(o), o.odometer_km, o.delivered_at,
            groups, totals, names.get(o.discount_by_id or 0, "") if o.discount else "", payable, prepared,
            tuple(ReceivableRow(r.pay_type, r.amount, r.reference) for r in receivables
                  if r.pay_type in RECEIVABLE_TYPES),
            declined, bool(safety), ack.acknowledged_by if ack else "", ack.acknowledged_at if ack else None,
            o.next_service_date, o.next_service_km, o.follow_up_at,
            o.next_service_date or add_months(now.date(), NEXT_SERVICE_MONTHS),
            o.next_service_km or o.odometer_km + NEXT_SERVICE_KM,
            o.follow_up_at or follow_up,
            payments, paid, max(ZERO, payable - paid - (o.account_charged or ZERO)),  # an account's charge covers it
            sum((p.change for p in o.payments if p.voided_at is None and p.kind == PaymentKind.PAYMENT), ZERO),
            names.get(o.credit_approved_by_id or 0, ""), o.credit_approved_at, rate,
            max_discount(_customer_gross(totals), rate), o.gate_pass_no or "", o.gate_pass_at, services.settings.vat_rate,
        )


def preview_totals(view: SettlementView, discount: Decimal, rounding: Decimal = ZERO) -> Totals:
    """What the bill comes to with another discount (the form's live totals), from the view's lines.

    Raises ``ValidationError`` for a discount above the customer share.
    """
    lines = [MoneyLine(ln.kind, ln.pay_type, ln.amount) for g in view.groups for ln in g.lines]
    return compute_totals(lines, view.vat_rate, discount, rounding)
