"""The service manager's figures for a day or a date range, for the whole store and per advisor.

Every figure has one definition, written here because the closing note, the screen and the
exports all repeat it. A range is ``start``..``end``, both days included (``[start 00:00,
end + 1 day 00:00)`` in the store's local time).

- **Car count** (台次): orders checked in within the range, cancelled ones left out; also the
  distinct vehicles among them.
- **Orders by status**: what the orders checked in within the range are *now* (cancelled
  included), one count per status.
- **Revenue** (产值): orders *settled* within the range (``settled_at``; the order is settled
  or closed now). Lines are the ones ``billing`` says bill (approved work and its parts;
  declined and undecided proposals never count), split into labor and parts and by pay
  type, and priced per order with ``billing.totals`` exactly as the settlement did: labor
  and parts are before the discount, the discount (the customer's only) is its own figure,
  ``net = labor + parts - discount``, and the tax is the VAT contained in the net; the
  orders' ``money.Totals`` are added up with ``money.sum_totals`` (the tax as invoiced).
  Refunds are money movements, not revenue, and are not deducted.
- **Average customer-pay order**: the customer payable (net of discount) of those orders,
  divided by the number of them with a customer payable above zero.
- **Hours sold / clocked, efficiency**: the sold hours of the billable jobs on those same
  orders, against the time the technicians clocked on them (``Job.clocked_seconds``, the
  start/pause/finish total the dispatch screen's efficiency uses); efficiency = sold ÷
  clocked × 100 (100 = on the book; more is faster than the book).
- **Rework** (返工): final QC fails recorded within the range (a delivery check that sends a
  job back is recorded as a QC fail too).
- **Comeback** (返修): an order checked in within the range (not cancelled) that follows within
  30 days (``checked_in_at <= delivered_at + 30 days``) an earlier order of the same vehicle
  in this store that had been delivered, *for a related job*: the later order has a job (not
  declined) with the same labor operation as billable work on the earlier one, or of the
  same category, routine categories (maintenance, inspection) excepted — an oil service a
  month after the last is not a comeback, a second brake job is. Each later order counts at
  most once, against the advisor of the most recent related earlier order (whose work came
  back).
- **Follow-up reach rate**: of the follow-up calls finished within the range (last attempt in
  the range, status done or escalated), the share reached, in percent.
- **CSI**: the reached calls' five scores (overall, advisor, quality, timeliness, price), each
  scaled to 100 (score × 20: 5 = 100, 1 = 20), averaged over every answer; also per question.
- **Complaints**: opened within the range, and of those how many are still open or in
  progress now; besides, the store's whole open backlog now, whenever opened.

Per advisor the same figures, attributed to the order's advisor (follow-ups and complaints
through their order; comebacks to the earlier order's advisor). The store total is the sum
of the advisor rows (and of complaints without an order), never read separately, so the rows
always add up — only the distinct-vehicle count is read for the store on its own (one car
may see two advisors). The report is read-only (the roles that may export may read it); a
handful of grouped queries whatever the range, so a month on a year of demo data takes a
fraction of a second.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from frontdesk.bill_sums import SUMMED
from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Complaint,
    FollowUp,
    Job,
    JobCheck,
    LaborOperation,
    PartLine,
    RepairOrder,
    Store,
    User,
)
from frontdesk.model.enums import (
    CheckKind,
    ComplaintStatus,
    FollowUpStatus,
    JobStatus,
    OrderStatus,
    PayType,
    Role,
)

from . import billing, campaigns, periods
from .aftercare import SCORE_FIELDS
from .campaigns import CampaignFigures
from .capacity import CapacityFigures, figures_in as capacity_figures_in
from .reception import ReceptionFigures, figures_in as reception_figures_in
from .context import Actor, Services, require
from .lifecycle import BILLABLE
from .money import ZERO, PayTypeTotal, Totals, round_money, sum_totals

COMEBACK_DAYS = 30
#: Categories whose repetition is routine (a service every few months), not a comeback.
ROUTINE_CATEGORIES = frozenset({"maintenance", "inspection", "保养", "检查"})
REVENUE_STATUSES = (OrderStatus.SETTLED, OrderStatus.CLOSED)
OPEN_COMPLAINT = (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS)
FINISHED_CALL = (FollowUpStatus.DONE, FollowUpStatus.ESCALATED)

PERCENT = Decimal("0.1")
HOURS = Decimal("0.01")


def ratio(numerator: Decimal | int, denominator: Decimal | int, scale: Decimal | int = 100) -> Decimal | None:
    """``numerator / denominator × scale`` to one decimal (half up); None when nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * Decimal(scale) / Decimal(denominator)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PayTypeRevenue(PayTypeTotal):
    """What one payer was billed on the orders settled in the range (their ``PayTypeTotal`` summed)."""

    orders: int = 0  # orders with a line of this pay type

    @classmethod
    def of(cls, pay_type: PayType, orders: int, total: PayTypeTotal | None) -> PayTypeRevenue:
        sums = {name: getattr(total, name) if total is not None else ZERO for name in SUMMED}
        return cls(pay_type=pay_type, orders=orders, **sums)


@dataclass(frozen=True)
class Figures:
    """One row of the report: the store, or one advisor. Counts and sums; rates are derived."""

    car_count: int
    vehicles: int
    by_status: tuple[tuple[OrderStatus, int], ...]  # every status, declaration order
    revenue_orders: int
    revenue: Totals  # the settled orders' totals, added up
    by_pay_type: tuple[PayTypeRevenue, ...]  # every pay type, declaration order
    customer_orders: int  # settled orders with a customer payable above zero
    hours_sold: Decimal
    clocked_seconds: int
    reworks: int
    comebacks: int
    calls: int  # follow-ups finished (done or escalated)
    reached: int
    scored: int  # reached calls with their five scores
    score_sums: tuple[int, ...]  # per question, in SCORE_FIELDS order
    complaints_opened: int
    complaints_open: int  # of those opened in the range, open or in progress now

    @property
    def labor(self) -> Decimal:
        return self.revenue.labor

    @property
    def parts(self) -> Decimal:
        return self.revenue.parts

    @property
    def gross(self) -> Decimal:
        return self.revenue.gross

    @property
    def discount(self) -> Decimal:
        return self.revenue.discount

    @property
    def net(self) -> Decimal:
        return self.revenue.net

    @property
    def tax(self) -> Decimal:
        return self.revenue.tax

    @property
    def customer_payable(self) -> Decimal:
        return self.revenue.customer_payable

    @property
    def hours_clocked(self) -> Decimal:
        return (Decimal(self.clocked_seconds) / 3600).quantize(HOURS, rounding=ROUND_HALF_UP)

    @property
    def efficiency(self) -> Decimal | None:
        """Sold over clocked hours, percent (from the exact seconds)."""
        return ratio(self.hours_sold * 3600, self.clocked_seconds)

    @property
    def average_customer_order(self) -> Decimal | None:
        if not self.customer_orders:
            return None
        return round_money(self.customer_payable / self.customer_orders)

    @property
    def reach_rate(self) -> Decimal | None:
        return ratio(self.reached, self.calls)

    @property
    def csi(self) -> Decimal | None:
        """Mean of every answered score × 20 (a 5 is 100)."""
        return ratio(sum(self.score_sums) * 20, self.scored * len(SCORE_FIELDS), 1)

    def csi_of(self, question: str) -> Decimal | None:
        return ratio(self.score_sums[SCORE_FIELDS.index(question)] * 20, self.scored, 1)

    def status_count(self, status: OrderStatus) -> int:
        return dict(self.by_status)[status]

    def pay_type(self, pay_type: PayType) -> PayTypeRevenue:
        return next(p for p in self.by_pay_type if p.pay_type == pay_type)


@dataclass(frozen=True)
class AdvisorRow:
    advisor_id: int
    name: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    start: dt.date
    end: dt.date
    store: str
    total: Figures
    advisors: tuple[AdvisorRow, ...]  # by name
    complaints_open_now: int  # the store's open backlog, whenever opened
    vat_rate: Decimal
    taken_at: dt.datetime
    campaigns: CampaignFigures | None = None  # recall/service campaign completion (services/campaigns.py)
    reception: ReceptionFigures | None = None  # arrivals, waits, show rate (services/reception.py)
    capacity: CapacityFigures | None = None  # appointment slots booked of those offered (services/capacity.py)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# Accumulating -----------------------------------------------------------------------------------


@dataclass
class _Acc:
    car_count: int = 0
    vehicles: int = 0
    by_status: dict[OrderStatus, int] = field(default_factory=lambda: dict.fromkeys(OrderStatus, 0))
    revenue_orders: int = 0
    revenue: list[Totals] = field(default_factory=list)  # one per settled order
    pay_orders: dict[PayType, int] = field(default_factory=lambda: dict.fromkeys(PayType, 0))
    customer_orders: int = 0
    hours_sold: Decimal = ZERO
    clocked_seconds: int = 0
    reworks: int = 0
    comebacks: int = 0
    calls: int = 0
    reached: int = 0
    scored: int = 0
    score_sums: list[int] = field(default_factory=lambda: [0] * len(SCORE_FIELDS))
    complaints_opened: int = 0
    complaints_open: int = 0

    def add(self, other: _Acc) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name in ("by_status", "pay_orders"):
                for k, v in theirs.items():
                    mine[k] += v
            elif f.name == "score_sums":
                for i, v in enumerate(theirs):
                    mine[i] += v
            else:
                setattr(self, f.name, mine + theirs)

    def frozen(self) -> Figures:
        revenue = sum_totals(self.revenue)
        pays = tuple(PayTypeRevenue.of(p, n, revenue.by_pay_type.get(p)) for p, n in self.pay_orders.items())
        return Figures(
            car_count=self.car_count, vehicles=self.vehicles, by_status=tuple(self.by_status.items()),
            revenue_orders=self.revenue_orders, revenue=revenue, by_pay_type=pays,
            customer_orders=self.customer_orders, hours_sold=self.hours_sold,
            clocked_seconds=self.clocked_seconds, reworks=self.reworks, comebacks=self.comebacks, calls=self.calls,
            reached=self.reached, scored=self.scored, score_sums=tuple(self.score_sums),
            complaints_opened=self.complaints_opened, complaints_open=self.complaints_open,
        )


def report(services: Services, actor: Actor, start: dt.date, end: dt.date) -> Report:
    """The figures of ``start``..``end`` (both included) for the actor's store."""
    require(actor, "report.export")
    lo, hi = periods.window(start, end, _("A report covers at most three years."))
    store_id = actor.store_id
    vat = services.settings.vat_rate
    accs: dict[int | None, _Acc] = defaultdict(_Acc)
    with services.db.reader() as s:
        store = s.get(Store, store_id)
        _check_ins(s, store_id, lo, hi, accs)
        vehicles = s.scalar(select(func.count(func.distinct(RepairOrder.vehicle_id))).where(
            RepairOrder.store_id == store_id, RepairOrder.checked_in_at >= lo, RepairOrder.checked_in_at < hi,
            RepairOrder.status != OrderStatus.CANCELLED)) or 0
        _revenue(s, store_id, lo, hi, vat, accs)
        _reworks(s, store_id, lo, hi, accs)
        _comebacks(s, store_id, lo, hi, accs)
        _follow_ups(s, store_id, lo, hi, accs)
        _complaints(s, store_id, lo, hi, accs)
        backlog = s.scalar(select(func.count()).select_from(Complaint).where(
            Complaint.store_id == store_id, Complaint.status.in_(OPEN_COMPLAINT))) or 0
        campaign_figures = campaigns.figures_in(s, store_id, lo, hi)
        reception_figures = reception_figures_in(s, store_id, start, end, services.clock())  # issue 20
        capacity_figures = capacity_figures_in(s, services.settings, store_id, start, end)  # issue 20
        advisor_ids = {a for a in accs if a is not None}
        names = dict(s.execute(select(User.id, User.display_name).where(or_(
            User.id.in_(advisor_ids),
            and_(User.store_id == store_id, User.role == Role.ADVISOR, User.active.is_(True))))).all())
    total = _Acc()
    for acc in accs.values():
        total.add(acc)
    total.vehicles = vehicles
    rows = sorted((AdvisorRow(uid, name, accs[uid].frozen() if uid in accs else _Acc().frozen())
                   for uid, name in names.items()), key=lambda r: (r.name, r.advisor_id))
    return Report(start, end, store.name if store else "", total.frozen(), tuple(rows), backlog, vat, services.clock(),
                  campaigns=campaign_figures, reception=reception_figures, capacity=capacity_figures)


# The queries ------------------------------------------------------------------------------------


def _in_range(column, lo: dt.datetime, hi: dt.datetime):  # type: ignore[no-untyped-def]
    return and_(column >= lo, column < hi)


def _count_if(condition):  # type: ignore[no-untyped-def]
    """Rows where ``condition`` holds, as a plain SUM (both databases, no FILTER clause)."""
    return func.sum(case((condition, 1), else_=0))


def _check_ins(s: Session, store_id: int, lo: dt.datetime, hi: dt.datetime, accs: dict[int | None, _Acc]) -> None:
    where = (RepairOrder.store_id == store_id, _in_range(RepairOrder.checked_in_at, lo, hi))
    for advisor_id, status, n in s.execute(
        select(RepairOrder.advisor_id, RepairOrder.status, func.count()).where(*where)
        .group_by(RepairOrder.advisor_id, RepairOrder.status)
    ):
        acc = accs[advisor_id]
        acc.by_status[OrderStatus(status)] += n
        if status != OrderStatus.CANCELLED:
            acc.car_count += n
    for advisor_id, n in s.execute(
        select(RepairOrder.advisor_id, func.count(func.distinct(RepairOrder.vehicle_id)))
        .where(*where, RepairOrder.status != OrderStatus.CANCELLED).group_by(RepairOrder.advisor_id)
    ):
        accs[advisor_id].vehicles = n


def _revenue(s: Session, store_id: int, lo: dt.datetime, hi: dt.datetime, vat: Decimal,
             accs: dict[int | None, _Acc]) -> None:
    """Each settled order priced by ``billing`` from its lines, grouped by payer and job status.

    The groups keep the job's status so that ``billing`` (not this query) decides what bills;
    a group is a sum of amounts already in fen, so pricing it is pricing its lines.
    """
    settled = select(RepairOrder.id).where(
        RepairOrder.store_id == store_id, _in_range(RepairOrder.settled_at, lo, hi),
        RepairOrder.status.in_(REVENUE_STATUSES))
    orders = {oid: (advisor_id, status, discount) for oid, advisor_id, status, discount in s.execute(
        select(RepairOrder.id, RepairOrder.advisor_id, RepairOrder.status, RepairOrder.discount)
        .where(RepairOrder.id.in_(settled)))}
    if not orders:
        return
    lines: dict[int, list[billing.Line]] = defaultdict(list)
    hours: dict[int, tuple[Decimal, int]] = {}
    for oid, pay_type, job_status, amount, sold, secs in s.execute(
        select(Job.order_id, Job.pay_type, Job.status, func.sum(Job.amount), func.sum(Job.hours),
               func.sum(Job.clocked_seconds))
        .where(Job.order_id.in_(settled)).group_by(Job.order_id, Job.pay_type, Job.status)
    ):
        lines[oid].append(billing.Line("labor", pay_type, round_money(amount or ZERO), job_status))
        if billing.bills(orders[oid][1], job_status):
            h, c = hours.get(oid, (ZERO, 0))
            hours[oid] = (h + (sold or ZERO), c + int(secs or 0))
    for oid, pay_type, job_status, amount in s.execute(
        select(PartLine.order_id, PartLine.pay_type, Job.status, func.sum(PartLine.amount))
        .outerjoin(Job, Job.id == PartLine.job_id)
        .where(PartLine.order_id.in_(settled))
        .group_by(PartLine.order_id, PartLine.pay_type, Job.status)
    ):
        lines[oid].append(billing.Line("part", pay_type, round_money(amount or ZERO), job_status))
    for oid, (advisor_id, status, discount) in orders.items():
        acc = accs[advisor_id]
        totals = billing.totals(status, lines.get(oid, ()), vat, discount or ZERO)  # as the settlement priced it
        acc.revenue_orders += 1
        acc.revenue.append(totals)
        for pay_type in totals.by_pay_type:
            acc.pay_orders[pay_type] += 1
        if totals.customer_payable > 0:
            acc.customer_orders += 1
        sold, secs = hours.get(oid, (ZERO, 0))
        acc.hours_sold += sold
        acc.clocked_seconds += secs


def _reworks(s: Session, store_id: int, lo: dt.datetime, hi: dt.datetime, accs: dict[int | None, _Acc]) -> None:
    for advisor_id, n in s.execute(
        select(RepairOrder.advisor_id, func.count())
        .select_from(JobCheck).join(Job, Job.id == JobCheck.job_id).join(RepairOrder, RepairOrder.id == Job.order_id)
        .where(RepairOrder.store_id == store_id, JobCheck.kind == CheckKind.QC, JobCheck.passed.is_(False),
               _in_range(JobCheck.at, lo, hi))
        .group_by(RepairOrder.advisor_id)
    ):
        accs[advisor_id].reworks += n


@dataclass(frozen=True)
class _Work:
    ops: frozenset[int | str]  # labor operation ids, or the code of a job without one
    categories: frozenset[str]  # non-routine categories


def _work(rows: Iterable[tuple[int, int | None, str, str | None]]) -> dict[int, _Work]:
    ops: dict[int, set[int | str]] = defaultdict(set)
    cats: dict[int, set[str]] = defaultdict(set)
    for oid, op_id, code, category in rows:
        if op_id is not None:
            ops[oid].add(op_id)
        elif code:
            ops[oid].add(code)
        cat = (category or "").strip().lower()
        if cat and cat not in ROUTINE_CATEGORIES:
            cats[oid].add(cat)
    return {oid: _Work(frozenset(ops[oid]), frozenset(cats[oid])) for oid in set(ops) | set(cats)}


def related(earlier: _Work | None, later: _Work | None) -> bool:
    if earlier is None or later is None:
        return False
    return bool(earlier.ops & later.ops or earlier.categories & later.categories)


def _comebacks(s: Session, store_id: int, lo: dt.datetime, hi: dt.datetime, accs: dict[int | None, _Acc]) -> None:
    later_q = select(RepairOrder.id).where(
        RepairOrder.store_id == store_id, _in_range(RepairOrder.checked_in_at, lo, hi),
        RepairOrder.status != OrderStatus.CANCELLED)
    later = s.execute(select(RepairOrder.id, RepairOrder.vehicle_id, RepairOrder.checked_in_at)
                      .where(RepairOrder.id.in_(later_q))).all()
    if not later:
        return
    vehicles = select(RepairOrder.vehicle_id).where(RepairOrder.id.in_(later_q))
    earlier_q = select(RepairOrder.id).where(
        RepairOrder.store_id == store_id, RepairOrder.vehicle_id.in_(vehicles),
        _in_range(RepairOrder.delivered_at, lo - dt.timedelta(days=COMEBACK_DAYS), hi))
    earlier: dict[int, list[tuple[dt.datetime, int, int]]] = defaultdict(list)
    for oid, vehicle_id, advisor_id, delivered in s.execute(
        select(RepairOrder.id, RepairOrder.vehicle_id, RepairOrder.advisor_id, RepairOrder.delivered_at)
        .where(RepairOrder.id.in_(earlier_q))
    ):
        earlier[vehicle_id].append((delivered, oid, advisor_id))
    if not earlier:
        return
    job_cols = (Job.order_id, Job.labor_op_id, Job.code, LaborOperation.category)
    done = _work(s.execute(select(*job_cols).outerjoin(LaborOperation, LaborOperation.id == Job.labor_op_id)
                           .where(Job.order_id.in_(earlier_q), Job.status.in_(BILLABLE))).all())
    asked = _work(s.execute(select(*job_cols).outerjoin(LaborOperation, LaborOperation.id == Job.labor_op_id)
                            .where(Job.order_id.in_(later_q), Job.status != JobStatus.DECLINED)).all())
    window = dt.timedelta(days=COMEBACK_DAYS)
    for oid, vehicle_id, checked_in in later:
        candidates = sorted((e for e in earlier.get(vehicle_id, ()) if e[1] != oid and e[0] < checked_in <= e[0] + window),
                            reverse=True)
        hit = next((e for e in candidates if related(done.get(e[1]), asked.get(oid))), None)
        if hit is not None:
            accs[hit[2]].comebacks += 1


def _follow_ups(s: Session, store_id: int, lo: dt.datetime, hi: dt.datetime, accs: dict[int | None, _Acc]) -> None:
    scores = [getattr(FollowUp, f"score_{name}") for name in SCORE_FIELDS]
    base = (FollowUp.store_id == store_id, FollowUp.status.in_(FINISHED_CALL), _in_range(FollowUp.last_attempt_at, lo, hi))
    for advisor_id, calls, reached in s.execute(
        select(RepairOrder.advisor_id, func.count(), _count_if(FollowUp.reached.is_(True)))
        .join(RepairOrder, RepairOrder.id == FollowUp.order_id).where(*base).group_by(RepairOrder.advisor_id)
    ):
        accs[advisor_id].calls += calls
        accs[advisor_id].reached += int(reached or 0)
    for advisor_id, n, *sums in s.execute(
        select(RepairOrder.advisor_id, func.count(), *(func.sum(c) for c in scores))
        .join(RepairOrder, RepairOrder.id == FollowUp.order_id)
        .where(*base, FollowUp.reached.is_(True), *(c.is_not(None) for c in scores)).group_by(RepairOrder.advisor_id)
    ):
        acc = accs[advisor_id]
        acc.scored += n
        for i, v in enumerate(sums):
            acc.score_sums[i] += int(v or 0)


def _complaints(s: Session, store_id: int, lo: dt.datetime, hi: dt.datetime, accs: dict[int | None, _Acc]) -> None:
    for advisor_id, opened, still_open in s.execute(
        select(RepairOrder.advisor_id, func.count(), _count_if(Complaint.status.in_(OPEN_COMPLAINT)))
        .select_from(Complaint).outerjoin(RepairOrder, RepairOrder.id == Complaint.order_id)
        .where(Complaint.store_id == store_id, _in_range(Complaint.opened_at, lo, hi))
        .group_by(RepairOrder.advisor_id)
    ):
        accs[advisor_id].complaints_opened += opened
        accs[advisor_id].complaints_open += int(still_open or 0)


__all__ = [
    "COMEBACK_DAYS",
    "ROUTINE_CATEGORIES",
    "AdvisorRow",
    "Figures",
    "PayTypeRevenue",
    "Report",
    "ratio",
    "related",
    "report",
]
