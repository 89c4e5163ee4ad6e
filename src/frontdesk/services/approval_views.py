"""What the approvals screen (advisor) and the checks screen (team leader, QC) show.

Read in short sessions, a fixed handful of queries each whatever the queue's length, and
handed over as frozen dataclasses (screens never see ORM objects).

- The approvals queue: additional work found in the workshop and waiting for the
  customer's decision, with everything the advisor needs on the phone (the customer's
  number, the job, hours, parts, the amount and what the order comes to if it is
  approved); and what was decided today (decisions and schedule slips, read from the
  day's audit events, which are indexed by time).
- The checks queue: jobs waiting for the self-check, the team leader's check or the final
  QC (and jobs QC sent back, still with the technician), with their rework counts; cars
  waiting for the wash; cars ready in the finished area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.model import AuditEvent, ClockEvent, Job, JobCheck, RepairOrder, StockLevel, Technician
from frontdesk.model.enums import CheckKind, JobStatus, OrderStatus, PauseReason

from . import billing
from .context import Actor, Services
from .errors import NotFound
from .money import Totals
from .names import car_model, user_names

J = JobStatus
DECISION_ACTIONS = ("job.decide", "order.reschedule")
#: Jobs the checks screen lists: waiting for a check, and (for the record) sent back by QC.
CHECK_STATUSES = (J.FINISHED, J.SELF_CHECKED, J.LEADER_CHECKED)
REWORK_STATUSES = (J.IN_PROGRESS, J.PAUSED)
READY_LIMIT = 60


def _day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(now.date(), dt.time())
    return start, start + dt.timedelta(days=1)


# The approvals queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class PartItem:
    number: str
    name: str
    qty: Decimal
    unit_price: Decimal
    amount: Decimal
    reserved: Decimal  # held for this line already (a proposal reserves what is in stock)
    available: Decimal  # on hand less everything reserved, in the store now

    @property
    def short(self) -> bool:
        """Not all of it could be held: the part must be ordered (and the job takes longer)."""
        return self.reserved < self.qty


@dataclass(frozen=True)
class ApprovalItem:
    """One proposed job, waiting for the customer's yes or no."""

    job_id: int
    job_version: int
    order_id: int
    order_version: int
    order_number: str
    plate: str
    model: str
    customer_name: str
    phone: str
    brought_by: str  # who brought the car (送修人), may differ from the customer
    advisor: str
    code: str
    description: str
    hours: Decimal
    labor_amount: Decimal
    pay_type: str
    safety: bool
    parts: tuple[PartItem, ...]
    parts_amount: Decimal
    amount: Decimal  # labor and parts of this job
    note: str  # the technician's note (what was found)
    proposed_by: str
    proposed_at: dt.datetime | None
    promised_at: dt.datetime | None
    overdue: bool
    order_total: Decimal  # what the order comes to now (approved work)
    total_if_approved: Decimal
    customer_pays_if_approved: Decimal
    waiting_jobs: int  # jobs paused on this order until the customer answers


@dataclass(frozen=True)
class DecidedItem:
    """A decision or a schedule slip recorded today."""

    at: dt.datetime
    kind: str  # "approved" | "declined" | "slip"
    order_id: int
    order_number: str
    plate: str
    customer_name: str
    description: str  # the job; for a slip, empty
    amount: Decimal | None  # the job's labor and parts
    answered_by: str  # who answered (or, for a slip, who was told)
    channel: str | None
    recorded_by: str
    note: str
    promised_before: dt.datetime | None  # slips only
    promised_after: dt.datetime | None
    promised_at: dt.datetime | None  # the order's promised time now


@dataclass(frozen=True)
class ApprovalsQueue:
    waiting: tuple[ApprovalItem, ...]
    decided_today: tuple[DecidedItem, ...]
    taken_at: dt.datetime


def _lines(order: RepairOrder, extra: Job | None = None) -> list[billing.Line]:
    """The order's lines for ``billing``, with ``extra`` counted as if the customer approved it."""
    jobs = {j.id: j for j in order.jobs}

    def status(job_id: int | None) -> JobStatus | None:
        if job_id is None:
            return None
        return J.APPROVED if extra is not None and job_id == extra.id else jobs[job_id].status

    return ([billing.Line("labor", j.pay_type, j.amount, status(j.id)) for j in order.jobs]
            + [billing.Line("part", p.pay_type, p.amount, status(p.job_id)) for p in order.part_lines])


def _totals(order: RepairOrder, vat_rate: Decimal, extra: Job | None = None) -> Totals:
    """What the order bills (a discount that no longer fits left out)."""
    return billing.totals(order.status, _lines(order, extra), vat_rate, order.discount, keep_unfit_discount=False)


def approvals_queue(services: Services, actor: Actor) -> ApprovalsQueue:
    now = services.clock()
    vat = services.settings.vat_rate
    with services.db.reader() as s:
        job_ids = s.scalars(
            select(Job.id).join(RepairOrder, RepairOrder.id == Job.order_id)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status == OrderStatus.IN_WORKSHOP,
                   Job.status == J.PROPOSED)
        ).all()
        waiting: list[ApprovalItem] = []
        if job_ids:
            orders = {o.id: o for o in s.scalars(
                select(RepairOrder)
                .where(RepairOrder.id.in_(select(Job.order_id).where(Job.id.in_(job_ids))))
                .options(joinedload(RepairOrder.vehicle), joinedload(RepairOrder.customer),
                         joinedload(RepairOrder.advisor), selectinload(RepairOrder.jobs),
                         selectinload(RepairOrder.part_lines))
            ).unique()}
            wanted = set(job_ids)
            jobs = [j for o in orders.values() for j in o.jobs if j.id in wanted]
            part_ids = {p.part_id for o in orders.values() for p in o.part_lines if p.job_id in wanted}
            levels = {
                lvl.part_id: lvl.on_hand - lvl.reserved for lvl in s.scalars(select(StockLevel).where(
                    StockLevel.store_id == actor.store_id, StockLevel.part_id.in_(part_ids)))
            } if part_ids else {}
            names = user_names(s, {j.proposed_by_id for j in jobs})
            for job in sorted(jobs, key=lambda j: (j.proposed_at or now, j.id)):
                order = orders[job.order_id]
                parts = tuple(
                    PartItem(p.number, p.name, p.qty, p.unit_price, p.amount, p.reserved_qty,
                             levels.get(p.part_id, Decimal(0)))
                    for p in order.part_lines if p.job_id == job.id
                )
                parts_amount = sum((p.amount for p in parts), Decimal("0.00"))
                current = _totals(order, vat)
                approved = _totals(order, vat, job)
                waiting.append(ApprovalItem(
                    job.id, job.version, order.id, order.version, order.number, order.vehicle.plate, car_model(order),
                    order.customer.name, order.contact_phone or order.customer.phone, order.brought_by_name,
                    order.advisor.display_name, job.code, job.description, job.hours, job.amount, job.pay_type.value,
                    job.safety, parts, parts_amount, job.amount + parts_amount, job.proposal_note,
                    names.get(job.proposed_by_id or 0, ""), job.proposed_at, order.promised_at,
                    order.promised_at is not None and order.promised_at < now, current.gross, approved.gross,
                    approved.customer_payable,
                    sum(1 for j in order.jobs if j.status == J.PAUSED and j.pause_reason == PauseReason.WAITING_APPROVAL),
                ))
        decided = _decided_today(s, actor.store_id, now)
    return ApprovalsQueue(tuple(waiting), tuple(decided), now)


def _when(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _decided_today(s: Session, store_id: int, now: dt.datetime) -> list[DecidedItem]:
    start, end = _day(now)
    events = s.scalars(
        select(AuditEvent)
        .where(AuditEvent.at >= start, AuditEvent.at < end, AuditEvent.store_id == store_id,
               AuditEvent.action.in_(DECISION_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    if not events:
        return []
    job_ids = {e.entity_id for e in events if e.action == "job.decide" and e.entity_id is not None}
    jobs = {j.id: j for j in s.scalars(
        select(Job).where(Job.id.in_(job_ids)).options(selectinload(Job.part_lines))
    )} if job_ids else {}
    order_ids = {e.order_id for e in events if e.order_id is not None}
    orders = {o.id: o for o in s.scalars(
        select(RepairOrder).where(RepairOrder.id.in_(order_ids))
        .options(joinedload(RepairOrder.vehicle), joinedload(RepairOrder.customer))
    ).unique()}
    names = user_names(s, {e.user_id for e in events})
    out: list[DecidedItem] = []
    for e in events:
        order = orders.get(e.order_id or 0)
        if order is None:
            continue
        after = e.after or {}
        recorder = names.get(e.user_id or 0, "")
        if e.action == "job.decide":
            job = jobs.get(e.entity_id or 0)
            if job is None:
                continue
            amount = job.amount + sum((p.amount for p in job.part_lines), Decimal("0.00"))
            kind = "declined" if after.get("status") == J.DECLINED else "approved"
            out.append(DecidedItem(
                e.at, kind, order.id, order.number, order.vehicle.plate, order.customer.name, job.description, amount,
                str(after.get("decided_by") or job.decision_by or ""), after.get("channel"), recorder,
                job.decision_note, None, None, order.promised_at,
            ))
        else:
            out.append(DecidedItem(
                e.at, "slip", order.id, order.number, order.vehicle.plate, order.customer.name, "", None,
                str(after.get("told") or ""), after.get("channel"), recorder, str(after.get("note") or ""),
                _when((e.before or {}).get("promised_at")), _when(after.get("promised_at")), order.promised_at,
            ))
    return out


def order_totals(services: Services, order_id: int) -> Totals:
    """The order's totals as they stand (approved work), e.g. after a decision."""
    with services.db.reader() as s:
        order = s.scalar(select(RepairOrder).where(RepairOrder.id == order_id)
                         .options(selectinload(RepairOrder.jobs), selectinload(RepairOrder.part_lines)))
        if order is None:
            raise NotFound("order", _("No such repair order."))
        return _totals(order, services.settings.vat_rate)


# The checks queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckNote:
    kind: CheckKind
    passed: bool
    by: str
    at: dt.datetime
    notes: str
    recommendations: str


@dataclass(frozen=True)
class CheckItem:
    """A job waiting for a check (or sent back by QC and still with the technician)."""

    job_id: int
    job_version: int
    order_id: int
    order_number: str
    plate: str
    model: str
    advisor: str
    code: str
    description: str
    hours: Decimal
    safety: bool
    status: JobStatus
    technician: str
    team: str
    finished_at: dt.datetime | None  # the last time the technician finished it
    rework_count: int
    promised_at: dt.datetime | None
    overdue: bool
    checks: tuple[CheckNote, ...]  # oldest first

    @property
    def waiting_for(self) -> str | None:
        """The check this job waits for: "self", "leader", "qc"; None when it is back with the technician."""
        return {J.FINISHED: "self", J.SELF_CHECKED: "leader", J.LEADER_CHECKED: "qc"}.get(self.status)


@dataclass(frozen=True)
class CarItem:
    """A car whose work has all passed QC: waiting for the wash, or ready in the finished area."""

    order_id: int
    order_version: int
    order_number: str
    status: OrderStatus
    plate: str
    model: str
    advisor: str
    promised_at: dt.datetime | None
    overdue: bool
    wash: bool
    washed_at: dt.datetime | None
    ready_at: dt.datetime | None
    rework_count: int  # over the order's jobs
    jobs: int  # approved jobs done


@dataclass(frozen=True)
class ChecksQueue:
    jobs: tuple[CheckItem, ...]
    wash: tuple[CarItem, ...]
    ready: tuple[CarItem, ...]
    taken_at: dt.datetime


def checks_queue(services: Services, actor: Actor) -> ChecksQueue:
    now = services.clock()
    with services.db.reader() as s:
        jobs = s.scalars(
            select(Job).join(RepairOrder, RepairOrder.id == Job.order_id)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status == OrderStatus.IN_WORKSHOP,
                   or_(Job.status.in_(CHECK_STATUSES), and_(Job.status.in_(REWORK_STATUSES), Job.rework_count > 0)))
            .options(joinedload(Job.order).joinedload(RepairOrder.vehicle),
                     joinedload(Job.order).joinedload(RepairOrder.advisor), selectinload(Job.checks).joinedload(JobCheck.found))
        ).unique().all()
        ids = [j.id for j in jobs]
        finished = dict(s.execute(
            select(ClockEvent.job_id, func.max(ClockEvent.at))
            .where(ClockEvent.job_id.in_(ids), ClockEvent.kind == "finish").group_by(ClockEvent.job_id)
        ).all()) if ids else {}
        techs = {t.id: (t.name, t.team.name if t.team else "") for t in s.scalars(
            select(Technician).where(Technician.id.in_({j.technician_id for j in jobs if j.technician_id}))
            .options(joinedload(Technician.team))
        )} if jobs else {}
        names = user_names(s, {c.user_id for j in jobs for c in j.checks})
        items = []
        for j in jobs:
            o = j.order
            tech, team = techs.get(j.technician_id or 0, ("", ""))
            items.append(CheckItem(
                j.id, j.version, o.id, o.number, o.vehicle.plate, car_model(o), o.advisor.display_name, j.code,
                j.description, j.hours, j.safety, j.status, tech, team,
                finished.get(j.id), j.rework_count, o.promised_at, o.promised_at is not None and o.promised_at < now,
                tuple(CheckNote(c.kind, c.passed, names.get(c.user_id, ""), c.at, c.notes, c.recommendations)
                      for c in j.checks),
            ))
        # Sent back to the technician last; otherwise the most urgent car first, its jobs together.
        items.sort(key=lambda i: (i.waiting_for is None, i.promised_at is None, i.promised_at or now,
                                  i.order_number, i.job_id))

        washing = s.scalars(
            select(RepairOrder)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status == OrderStatus.IN_WORKSHOP,
                   RepairOrder.wash.is_(True), RepairOrder.washed_at.is_(None))
            .options(joinedload(RepairOrder.vehicle), joinedload(RepairOrder.advisor), selectinload(RepairOrder.jobs))
            .order_by(RepairOrder.promised_at.is_(None), RepairOrder.promised_at, RepairOrder.id)
        ).unique().all()
        wash = [_car(o, now) for o in washing if _all_passed(o)]
        ready_orders = s.scalars(
            select(RepairOrder)
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status == OrderStatus.READY)
            .options(joinedload(RepairOrder.vehicle), joinedload(RepairOrder.advisor), selectinload(RepairOrder.jobs))
            .order_by(RepairOrder.ready_at.desc(), RepairOrder.id.desc()).limit(READY_LIMIT)
        ).unique().all()
        ready = [_car(o, now) for o in ready_orders]
    return ChecksQueue(tuple(items), tuple(wash), tuple(ready), now)


def _all_passed(order: RepairOrder) -> bool:
    live = [j for j in order.jobs if j.status != J.DECLINED]
    return bool(live) and all(j.status == J.QC_PASSED for j in live)


def _car(o: RepairOrder, now: dt.datetime) -> CarItem:
    live = [j for j in o.jobs if j.status not in (J.DECLINED, J.PROPOSED)]
    overdue = o.promised_at is not None and o.promised_at < now and o.status == OrderStatus.IN_WORKSHOP
    return CarItem(o.id, o.version, o.number, o.status, o.vehicle.plate, car_model(o), o.advisor.display_name,
                   o.promised_at, overdue, o.wash, o.washed_at, o.ready_at, sum(j.rework_count for j in live),
                   len(live))
