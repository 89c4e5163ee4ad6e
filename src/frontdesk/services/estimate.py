"""The estimate: jobs and parts with pay types, stock reservation, terms, signature."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.model import Job, LaborOperation, Part, PartLine, RepairOrder, StockLevel, Technician
from frontdesk.model.enums import JobOrigin, JobStatus, OldParts, OrderStatus, PaymentMethod, PayType

from . import billing, campaigns, recommendation_records
from .common import get, load_order, text, touch
from .context import STOCK_LEVELS, Actor, Services, Tx, flush_for_id, service
from .errors import IllegalTransition, ValidationError
from .lifecycle import require_order_status, transition_job, transition_order
from .money import ZERO, Totals, labor_amount, line_amount, parse_hours, parse_money, parse_quantity
from .refs import JobRef, OrderRef, PartLineRef

EDITABLE = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE)
WORKDAY_START = dt.time(8, 30)
WORKDAY_END = dt.time(18, 0)


def _origin(value: JobOrigin | str) -> JobOrigin:
    try:
        return JobOrigin(value)
    except ValueError:
        raise ValidationError("origin", _("Pick one of the offered choices.")) from None


def _pay_type(value: PayType | str) -> PayType:
    try:
        return PayType(value)
    except ValueError:
        raise ValidationError("pay_type", _("Unknown pay type {value}.").format(value=value)) from None


def _start_estimate(tx: Tx, order: RepairOrder) -> None:
    require_order_status(order, EDITABLE, _("changing the estimate"))
    if order.status == OrderStatus.CHECK_IN:
        transition_order(order, OrderStatus.ESTIMATE, tx.now)
    else:
        touch(order)


def _next_seq(order: RepairOrder) -> int:
    return max((j.seq for j in order.jobs), default=0) + 1


def new_job(
    tx: Tx, order: RepairOrder, *, labor_op_id: int | None, description: str, hours: Decimal | str | None,
    pay_type: PayType | str, origin: JobOrigin, safety: bool | None, status: JobStatus,
) -> Job:
    pay = _pay_type(pay_type)
    op = get(tx.session, LaborOperation, labor_op_id, "labor_op") if labor_op_id is not None else None
    if op is None and not str(description).strip():
        raise ValidationError("description", _("Describe the job or pick it from the catalog."))
    hrs = parse_hours(hours) if hours is not None else (op.std_hours if op else None)
    if hrs is None:
        raise ValidationError("hours", _("Enter the hours for this job."))
    rate = billing.labor_rate(tx.settings, pay)
    job = Job(
        seq=_next_seq(order), labor_op_id=op.id if op else None, code=op.code if op else "",
        description=text(description, "description", max_len=200) or (op.name if op else ""),
        hours=hrs, rate=rate, amount=labor_amount(hrs, rate), pay_type=pay, origin=origin, status=status,
        safety=bool(op.safety) if safety is None and op else bool(safety), warranty_status=order.warranty_status,
        system=op.system if op else None,  # 三包 counts repeat repairs per system (services/sanbao.py)
    )
    job.order = order
    tx.session.add(job)
    return job


@service("estimate.add_job")
def add_job(
    tx: Tx, order_id: int, *, labor_op_id: int | None = None, description: str = "", hours: Decimal | str | None = None,
    pay_type: PayType | str = PayType.CUSTOMER, origin: JobOrigin | str = JobOrigin.REQUESTED,
    safety: bool | None = None, expected_version: int | None = None,
) -> JobRef:
    order = load_order(tx, order_id, expected_version)
    _start_estimate(tx, order)
    job = new_job(
        tx, order, labor_op_id=labor_op_id, description=description, hours=hours, pay_type=pay_type,
        origin=_origin(origin), safety=safety, status=JobStatus.PROPOSED,
    )
    flush_for_id(tx.session, job)
    tx.audit("job", job.id, order_id=order.id, after=_job_fields(job))
    return JobRef.of(tx, job)


def _job_fields(job: Job) -> dict:
    return {"description": job.description, "hours": job.hours, "rate": job.rate, "amount": job.amount,
            "pay_type": job.pay_type, "status": job.status, "safety": job.safety, "origin": job.origin}


def _part_fields(line: PartLine) -> dict:
    return {"number": line.number, "qty": line.qty, "unit_price": line.unit_price, "amount": line.amount,
            "pay_type": line.pay_type, "reserved": line.reserved_qty, "job_id": line.job_id}


_STOCK_LEVEL = select(StockLevel).where(StockLevel.store_id == bindparam("store_id"), StockLevel.part_id == bindparam("part_id"))


def stock_level(session: Session, store_id: int, part_id: int) -> StockLevel:
    cache = session.info.get(STOCK_LEVELS)  # a batch looks each level up once
    if cache is not None:
        level = cache.get((store_id, part_id))
        if level is not None:
            return level
    level = session.scalar(_STOCK_LEVEL, {"store_id": store_id, "part_id": part_id})
    if level is None:
        level = StockLevel(store_id=store_id, part_id=part_id, on_hand=Decimal(0), reserved=Decimal(0))
        session.add(level)
        flush_for_id(session, level)
    if cache is not None:
        cache[(store_id, part_id)] = level
    return level


def reserve(session: Session, store_id: int, line: PartLine) -> None:
    """Reserve what is available up to the line's quantity; a shortfall is shown, not hidden."""
    level = stock_level(session, store_id, line.part_id)
    wanted = line.qty - line.issued_qty - line.reserved_qty
    take = max(Decimal(0), min(wanted, level.available))
    if take:
        level.reserved += take
        line.reserved_qty += take


def release(session: Session, store_id: int, line: PartLine) -> None:
    if line.reserved_qty:
        level = stock_level(session, store_id, line.part_id)
        level.reserved -= line.reserved_qty
        line.reserved_qty = Decimal(0)


def new_part_line(
    tx: Tx, order: RepairOrder, *, part_id: int, qty: Decimal | str, pay_type: PayType | str,
    job: Job | None, unit_price: Decimal | str | None,
) -> PartLine:
    part = get(tx.session, Part, part_id, "part")
    quantity = parse_quantity(qty)
    price = parse_money(unit_price) if unit_price is not None else part.price
    line = PartLine(
        part_id=part.id, number=part.number, name=part.name, qty=quantity,
        unit_price=price, amount=line_amount(quantity, price), pay_type=_pay_type(pay_type),
        reserved_qty=Decimal(0), issued_qty=Decimal(0),
    )
    line.order, line.job = order, job
    tx.session.add(line)
    if job is None or job.status != JobStatus.DECLINED:
        reserve(tx.session, order.store_id, line)
    return line


def _job_on(order: RepairOrder, job_id: int | None) -> Job | None:
    if job_id is None:
        return None
    for job in order.jobs:
        if job.id == job_id:
            return job
    raise ValidationError("job", _("That job is not on this order."))


@service("estimate.add_part")
def add_part(
    tx: Tx, order_id: int, *, part_id: int, qty: Decimal | str = Decimal(1), pay_type: PayType | str = PayType.CUSTOMER,
    job_id: int | None = None, unit_price: Decimal | str | None = None, expected_version: int | None = None,
) -> PartLineRef:
    order = load_order(tx, order_id, expected_version)
    _start_estimate(tx, order)
    line = new_part_line(tx, order, part_id=part_id, qty=qty, pay_type=pay_type, job=_job_on(order, job_id), unit_price=unit_price)
    flush_for_id(tx.session, line)
    tx.audit("part_line", line.id, order_id=order.id, after=_part_fields(line))
    return PartLineRef.of(tx, line)


@service("estimate.update_job")
def update_job(
    tx: Tx, order_id: int, job_id: int, *, hours: Decimal | str | None = None, rate: Decimal | str | None = None,
    pay_type: PayType | str | None = None, safety: bool | None = None, description: str | None = None,
    origin: JobOrigin | str | None = None, expected_version: int | None = None,
) -> JobRef:
    order = load_order(tx, order_id, expected_version)
    _start_estimate(tx, order)
    job = _job_on(order, job_id)
    assert job is not None
    before = _job_fields(job)
    if origin is not None:
        # At the desk a job is what the customer asked for or what the advisor recommends;
        # "additional" work comes from the workshop, through its own service.
        allowed = {JobOrigin.REQUESTED.value, JobOrigin.RECOMMENDED.value}
        value = origin.value if isinstance(origin, JobOrigin) else str(origin)
        if value not in allowed or job.origin == JobOrigin.ADDITIONAL:
            raise ValidationError("origin", _("At the desk a job is either requested by the customer or recommended."))
        job.origin = _origin(value)
    if pay_type is not None:
        pay = _pay_type(pay_type)
        if rate is None:
            job.rate = billing.labor_rate(tx.settings, pay, (job.pay_type, job.rate))
        job.pay_type = pay
    if hours is not None:
        job.hours = parse_hours(hours)
    if rate is not None:
        job.rate = parse_money(rate, "rate")
    if safety is not None:
        job.safety = safety
    if description is not None:
        job.description = text(description, "description", max_len=200, required=True)
    job.amount = labor_amount(job.hours, job.rate)
    tx.audit("job", job.id, order_id=order.id, before=before, after=_job_fields(job))
    return JobRef.of(tx, job)


@service("estimate.update_part")
def update_part(
    tx: Tx, order_id: int, line_id: int, *, qty: Decimal | str | None = None, unit_price: Decimal | str | None = None,
    pay_type: PayType | str | None = None, expected_version: int | None = None,
) -> PartLineRef:
    order = load_order(tx, order_id, expected_version)
    _start_estimate(tx, order)
    line = _part_on(order, line_id)
    before = _part_fields(line)
    if qty is not None:
        line.qty = parse_quantity(qty)
        release(tx.session, order.store_id, line)
        reserve(tx.session, order.store_id, line)
    if unit_price is not None:
        line.unit_price = parse_money(unit_price)
    if pay_type is not None:
        line.pay_type = _pay_type(pay_type)
    line.amount = line_amount(line.qty, line.unit_price)
    tx.audit("part_line", line.id, order_id=order.id, before=before, after=_part_fields(line))
    return PartLineRef.of(tx, line)


def _part_on(order: RepairOrder, line_id: int) -> PartLine:
    for line in order.part_lines:
        if line.id == line_id:
            return line
    raise ValidationError("part_line", _("That part line is not on this order."))


@service("estimate.remove_line")
def remove_line(tx: Tx, order_id: int, *, job_id: int | None = None, part_line_id: int | None = None,
                expected_version: int | None = None) -> None:
    order = load_order(tx, order_id, expected_version)
    _start_estimate(tx, order)
    if (job_id is None) == (part_line_id is None):
        raise ValidationError("line", _("Pick one line to remove."))
    if part_line_id is not None:
        line = _part_on(order, part_line_id)
        release(tx.session, order.store_id, line)
        before = _part_fields(line)
        order.part_lines.remove(line)
        tx.session.delete(line)
        tx.audit("part_line", part_line_id, order_id=order.id, before=before)
        return
    job = _job_on(order, job_id)
    assert job is not None
    before = _job_fields(job)
    recommendation_records.job_removed(tx, job)
    for line in list(job.part_lines):
        release(tx.session, order.store_id, line)
        order.part_lines.remove(line)
        tx.session.delete(line)
    # Taking the job off the order deletes it (delete-orphan); deleting it as well made SQLAlchemy
    # fail the flush ("Failed to add object to the flush context"), so no job could ever be removed.
    order.jobs.remove(job)
    tx.audit("job", job_id, order_id=order.id, before=before)


@service("estimate.decline_job")
def decline_job(tx: Tx, order_id: int, job_id: int, expected_version: int | None = None) -> JobRef:
    """The customer declines a recommended item at the desk: kept for the next visit."""
    order = load_order(tx, order_id, expected_version)
    _start_estimate(tx, order)
    job = _job_on(order, job_id)
    assert job is not None
    decline(tx, job, decided_by=order.customer.name, channel=None)
    tx.audit("job", job.id, order_id=order.id, before={"status": "proposed"}, after={"status": job.status})
    return JobRef.of(tx, job)


def decline(tx: Tx, job: Job, *, decided_by: str, channel) -> None:  # type: ignore[no-untyped-def]
    """The customer's no: the job stays on the order as quoted, and is a recommendation for later."""
    transition_job(job, JobStatus.DECLINED)
    job.decision_by = decided_by
    job.decision_channel = channel
    job.decision_at = tx.now
    job.decision_recorded_by_id = tx.actor.user_id
    for line in job.part_lines:
        release(tx.session, job.order.store_id, line)
    recommendation_records.from_declined_job(tx, job, decided_by)


@service("estimate.terms")
def set_terms(
    tx: Tx, order_id: int, *, payment_method: PaymentMethod | str | None = None, old_parts: OldParts | str | None = None,
    wash: bool | None = None, promised_at: dt.datetime | None = None, expected_version: int | None = None,
) -> OrderRef:
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, EDITABLE, _("changing the work-order terms"))
    before = {"payment_method": order.payment_method, "old_parts": order.old_parts, "wash": order.wash, "promised_at": order.promised_at}
    try:
        if payment_method is not None:
            order.payment_method = PaymentMethod(payment_method)
        if old_parts is not None:
            order.old_parts = OldParts(old_parts)
    except ValueError:
        field = "payment_method" if payment_method is not None and payment_method not in set(PaymentMethod) else "old_parts"
        raise ValidationError(field, _("Pick one of the offered choices.")) from None
    if wash is not None:
        order.wash = wash
    if promised_at is not None:
        if promised_at <= tx.now:
            raise ValidationError("promised_at", _("The promised time must be in the future."))
        order.promised_at = promised_at
    touch(order)
    tx.audit("repair_order", order.id, order_id=order.id, before=before,
             after={"payment_method": order.payment_method, "old_parts": order.old_parts, "wash": order.wash, "promised_at": order.promised_at})
    return OrderRef.of(tx, order)


@service("order.authorise")
def authorise(tx: Tx, order_id: int, signed_by: str, expected_version: int | None = None) -> OrderRef:
    """The customer signs the work order: every open estimate line becomes approved work."""
    order = load_order(tx, order_id, expected_version)
    signer = text(signed_by, "signed_by", max_len=80, required=True)
    if order.status != OrderStatus.ESTIMATE:
        transition_order(order, OrderStatus.AUTHORISED, tx.now)  # raises with the reason
    if order.walkaround is None:
        raise ValidationError("walkaround", _("Do the walkaround with the customer before signing."))
    proposed = [j for j in order.jobs if j.status == JobStatus.PROPOSED]
    if not any(billing.bills(order.status, j.status) for j in order.jobs):  # proposed work bills on an estimate
        raise ValidationError("jobs", _("The estimate has no work to authorise."))
    if order.promised_at is None:
        raise ValidationError("promised_at", _("Set the promised completion time."))
    if order.payment_method is None:
        raise ValidationError("payment_method", _("Choose how the customer will pay."))
    for job in proposed:
        transition_job(job, JobStatus.APPROVED)
        job.decision_by, job.decision_at, job.decision_recorded_by_id = signer, tx.now, tx.actor.user_id
    before = transition_order(order, OrderStatus.AUTHORISED, tx.now)
    order.signed_by, order.signed_at = signer, tx.now
    totals = order_totals(order, tx.settings)
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": before},
             after={"status": order.status, "signed_by": signer, "total": totals.gross})
    return OrderRef.of(tx, order)


@service("order.reopen_estimate")
def reopen_estimate(tx: Tx, order_id: int, expected_version: int | None = None) -> OrderRef:
    order = load_order(tx, order_id, expected_version)
    before = transition_order(order, OrderStatus.ESTIMATE, tx.now)
    for job in order.jobs:
        if job.status == JobStatus.APPROVED:
            job.status = JobStatus.PROPOSED
    order.signed_by = order.signed_at = None
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": before}, after={"status": order.status})
    return OrderRef.of(tx, order)


@service("order.cancel")
def cancel_order(tx: Tx, order_id: int, reason: str, expected_version: int | None = None) -> OrderRef:
    order = load_order(tx, order_id, expected_version)
    why = text(reason, "reason", max_len=200, required=True)
    if any(j.clocked_seconds or j.running_since for j in order.jobs):
        raise IllegalTransition(_("Work has started on this order; it can no longer be cancelled."))
    before = transition_order(order, OrderStatus.CANCELLED, tx.now)
    for line in order.part_lines:
        release(tx.session, order.store_id, line)
    order.cancelled_at, order.cancel_reason = tx.now, why
    after = {"status": order.status, "reason": why}
    if reopened := campaigns.record_cancelled(tx, order):  # its recalls are open again for the next visit
        after["campaigns_reopened"] = reopened
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": before}, after=after)
    return OrderRef.of(tx, order)


# Totals -------------------------------------------------------------------------------


def bill_lines(order: RepairOrder) -> list[billing.Line]:
    """The order's lines as plain data, for ``billing`` to choose the ones that bill."""
    lines = [billing.Line("labor", j.pay_type, j.amount, j.status) for j in order.jobs]
    lines += [billing.Line("part", p.pay_type, p.amount, None if p.job is None else p.job.status)
              for p in order.part_lines]
    return lines


def order_totals(order: RepairOrder, settings: Settings, discount: Decimal | None = None, *,
                 keep_unfit_discount: bool = True, rounding: Decimal | None = None) -> Totals:
    """What the order bills now (``billing.totals``): with its own discount and 抹零 unless others are given.

    A discount above the customer share raises, unless ``keep_unfit_discount=False`` (then
    it is left out: for views of an order whose lines changed after its discount was given).
    """
    return billing.totals(order.status, bill_lines(order), settings.vat_rate,
                          order.discount if discount is None else discount, keep_unfit_discount=keep_unfit_discount,
                          rounding=(order.rounding or ZERO) if rounding is None else rounding)


# Promised time ------------------------------------------------------------------------


def workshop_load_hours(session: Session, store_id: int) -> Decimal:
    """Sold hours not yet finished on the cars already in the house."""
    open_statuses = [JobStatus.APPROVED, JobStatus.ASSIGNED, JobStatus.IN_PROGRESS, JobStatus.PAUSED]
    total = session.scalar(
        select(func.coalesce(func.sum(Job.hours), 0))
        .join(RepairOrder, RepairOrder.id == Job.order_id)
        .where(RepairOrder.store_id == store_id, Job.status.in_(open_statuses))
    )
    return Decimal(total or 0)


def suggest_promised_time(session: Session, store_id: int, hours: Decimal, now: dt.datetime) -> dt.datetime:
    """Queue the job behind the current load, spread over the store's technicians, in working hours."""
    techs = session.scalar(
        select(func.count()).select_from(Technician).where(Technician.store_id == store_id, Technician.active.is_(True))
    ) or 1
    queue = workshop_load_hours(session, store_id) / Decimal(techs)
    minutes = int(math.ceil((queue + hours) * 60)) + 30  # handover, road test, wash
    return add_working_minutes(now, minutes)


def add_working_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    current = start
    day_open = dt.datetime.combine(current.date(), WORKDAY_START)
    if current < day_open:
        current = day_open
    while True:
        day_close = dt.datetime.combine(current.date(), WORKDAY_END)
        room = int((day_close - current).total_seconds() // 60)
        if minutes <= room:
            result = current + dt.timedelta(minutes=minutes)
            # Round up to the next half hour: promises are made in half hours.
            extra = (30 - result.minute % 30) % 30
            return (result + dt.timedelta(minutes=extra)).replace(second=0, microsecond=0)
        minutes -= max(room, 0)
        current = dt.datetime.combine(current.date() + dt.timedelta(days=1), WORKDAY_START)


def suggest_promise(services: Services, actor: Actor, hours: Decimal) -> dt.datetime:
    """The promised time the estimate screen proposes for ``hours`` of new work."""
    with services.db.reader() as session:
        return suggest_promised_time(session, actor.store_id, hours, services.clock())
