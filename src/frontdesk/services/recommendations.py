"""Recommendations (建议维修项目): recorded at any step, put to the customer at delivery.

Whoever finds something — the technician at the car, the team leader or the QC inspector
at their check, the advisor at the estimate or at delivery — records it here until the
order is settled (``recommendation.add``). At delivery the advisor goes through them with
the customer: taken up now (a job on this order: still at the desk, a recommended line on
the estimate; once signed, approved work, and a car that was ready goes back to the
workshop), booked for another day (an appointment), or declined — a declined safety item
is acknowledged by the customer on the record, at once or at the settlement. What was not
taken up prints on the settlement statement and comes back on the vehicle's next estimate
and on the reminder call (:func:`still_open`); taken up from there, it becomes a line of
the new estimate.

Every state change is one service; the views answer frozen rows, never records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from frontdesk.i18n import gettext as _
from frontdesk.model import Appointment, Job, RepairOrder
from frontdesk.model.enums import AppointmentStatus, DecisionChannel, JobOrigin, JobStatus, OrderStatus, PayType
from frontdesk.model.recommendation import (
    NOT_TAKEN_UP,
    Recommendation,
    RecommendationStatus,
    RecommendationStep,
)

from .common import get, load_order, text, touch
from .context import Tx, check_version, flush_for_id, service
from .errors import IllegalTransition, NotFound, ValidationError
from .estimate import new_job
from .lifecycle import transition_order
from .money import parse_money
from .names import user_names
from .recommendation_records import found
from .refs import Ref
from .runtime import Actor, Services

S = RecommendationStatus

#: Until the bill is fixed anyone may still add one; after it, it would print on nothing.
OPEN_ORDER = frozenset({OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED,
                        OrderStatus.IN_WORKSHOP, OrderStatus.READY, OrderStatus.DELIVERED})
_AT_THE_DESK = frozenset({OrderStatus.CHECK_IN, OrderStatus.ESTIMATE})
_SIGNED = frozenset({OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP, OrderStatus.READY})


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return message


STEP_NAMES = {
    RecommendationStep.ESTIMATE: N_("at the estimate"),
    RecommendationStep.WORKSHOP: N_("in the workshop"),
    RecommendationStep.LEADER_CHECK: N_("at the team leader's check"),
    RecommendationStep.QC: N_("at QC"),
    RecommendationStep.DELIVERY: N_("at delivery"),
}
STATUS_NAMES = {S.OPEN: N_("to decide"), S.ACCEPTED: N_("taken up"), S.BOOKED: N_("booked"),
                S.DECLINED: N_("declined")}


def step_label(step: RecommendationStep) -> str:
    return _(STEP_NAMES[step])


def status_label(status: RecommendationStatus) -> str:
    return _(STATUS_NAMES[status])


@dataclass(frozen=True, slots=True)
class RecommendationRef(Ref):
    """A recommendation after the change: where it stands, and what it became."""

    id: int
    order_id: int
    version: int
    status: RecommendationStatus
    job_id: int | None
    appointment_id: int | None
    description: str


# Changes ---------------------------------------------------------------------------------


def _load(tx: Tx, recommendation_id: int, expected_version: int | None) -> Recommendation:
    rec = get(tx.session, Recommendation, recommendation_id, "recommendation")
    if rec.store_id != tx.actor.store_id:
        raise NotFound("recommendation", _("No such recommendation in this store."))
    check_version(rec, expected_version)
    return rec


def _undecided(rec: Recommendation) -> None:
    if rec.status not in NOT_TAKEN_UP:
        raise IllegalTransition(_("\u201c{what}\u201d is {status} already.").format(
            what=rec.description, status=status_label(rec.status)))


def _price(value: Decimal | str | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    price = value if isinstance(value, Decimal) else parse_money(value, "price")
    if price < 0:
        raise ValidationError("price", _("A price cannot be negative."))
    return price


def _customer(rec: Recommendation, decided_by: str) -> str:
    return text(decided_by, "decided_by", max_len=80) or rec.order.customer.name


@service("recommendation.add")
def add(
    tx: Tx, order_id: int, *, description: str, reason: str = "", safety: bool = False,
    price: Decimal | str | None = None, step: str | None = None,
) -> RecommendationRef:
    """Something the customer should have done: recorded by whoever found it, at any step until settlement."""
    order = load_order(tx, order_id)
    if order.status not in OPEN_ORDER:
        raise IllegalTransition(_("Order {number} is settled: recommend it on the next visit.").format(
            number=order.number))
    try:
        at = RecommendationStep(step) if step is not None else None
    except ValueError:
        raise ValidationError("step", _("Unknown step {value}.").format(value=step)) from None
    rec = found(tx, order, description=text(description, "description", max_len=400, required=True),
                reason=text(reason, "reason", max_len=2000), safety=bool(safety), price=_price(price), step=at)
    touch(order)
    flush_for_id(tx.session, rec)
    tx.audit("recommendation", rec, order_id=order.id, after={
        "description": rec.description, "safety": rec.safety, "price": rec.price, "step": rec.step})
    return RecommendationRef.of(tx, rec)


def _job_for(tx: Tx, rec: Recommendation, order: RepairOrder, who: str, hours: Decimal | str | None) -> Job:
    quoted = rec.job
    if hours is None and quoted is not None:
        hours = quoted.hours
    labor_op_id = quoted.labor_op_id if quoted is not None else None
    pay = quoted.pay_type if quoted is not None else PayType.CUSTOMER
    if order.status in _AT_THE_DESK:
        if order.status == OrderStatus.CHECK_IN:  # its first line starts the estimate, as any line does
            transition_order(order, OrderStatus.ESTIMATE, tx.now)
        return new_job(tx, order, labor_op_id=labor_op_id, description=rec.description, hours=hours, pay_type=pay,
                       origin=JobOrigin.RECOMMENDED, safety=rec.safety, status=JobStatus.PROPOSED)
    job = new_job(tx, order, labor_op_id=labor_op_id, description=rec.description, hours=hours, pay_type=pay,
                  origin=JobOrigin.ADDITIONAL, safety=rec.safety, status=JobStatus.APPROVED)
    job.proposed_by_id, job.proposed_at, job.proposal_note = rec.found_by_id, rec.found_at, rec.reason[:2000]
    job.decision_by, job.decision_channel, job.decision_at = who, DecisionChannel.IN_PERSON, tx.now
    job.decision_recorded_by_id = tx.actor.user_id
    if order.status == OrderStatus.READY:  # the car goes back in for it
        transition_order(order, OrderStatus.IN_WORKSHOP, tx.now)
        order.ready_at = None
    return job


@service("recommendation.accept")
def accept(
    tx: Tx, recommendation_id: int, *, decided_by: str = "", order_id: int | None = None,
    hours: Decimal | str | None = None, expected_version: int | None = None,
) -> RecommendationRef:
    """Taken up now: a job on this visit's order (``order_id``: a later visit's estimate)."""
    rec = _load(tx, recommendation_id, expected_version)
    _undecided(rec)
    order = rec.order if order_id is None else load_order(tx, order_id)
    if order.vehicle_id != rec.vehicle_id:
        raise ValidationError("order", _("That order is for another vehicle."))
    if order.status not in _AT_THE_DESK | _SIGNED:
        raise IllegalTransition(_("Order {number} is handed over: book \u201c{what}\u201d for another day.").format(
            number=order.number, what=rec.description))
    who = _customer(rec, decided_by)
    before = {"status": rec.status}
    job = _job_for(tx, rec, order, who, hours)
    flush_for_id(tx.session, job)
    rec.job = job
    rec.status = S.ACCEPTED
    rec.decided_by, rec.decided_at, rec.decision_recorded_by_id = who, tx.now, tx.actor.user_id
    touch(order)
    tx.audit("recommendation", rec, order_id=order.id, before=before,
             after={"status": rec.status, "job_id": job.id, "decided_by": who, "order_status": order.status})
    return RecommendationRef.of(tx, rec)


@service("recommendation.book")
def book(
    tx: Tx, recommendation_id: int, *, scheduled_at: dt.datetime, decided_by: str = "",
    expected_version: int | None = None,
) -> RecommendationRef:
    """Taken up for another day: an appointment for the car, with the work named."""
    rec = _load(tx, recommendation_id, expected_version)
    _undecided(rec)
    if scheduled_at <= tx.now:
        raise ValidationError("scheduled_at", _("An appointment cannot be in the past."))
    who = _customer(rec, decided_by)
    order = rec.order
    appt = Appointment(
        store_id=rec.store_id, customer_id=order.customer_id, vehicle_id=rec.vehicle_id,
        advisor_id=tx.actor.user_id, scheduled_at=scheduled_at.replace(second=0, microsecond=0),
        duration_minutes=60, requested_work=rec.description, status=AppointmentStatus.BOOKED, created_at=tx.now,
    )
    tx.session.add(appt)
    flush_for_id(tx.session, appt)
    before = {"status": rec.status}
    rec.appointment_id = appt.id
    rec.status = S.BOOKED
    rec.decided_by, rec.decided_at, rec.decision_recorded_by_id = who, tx.now, tx.actor.user_id
    tx.audit("recommendation", rec, order_id=rec.order_id, before=before,
             after={"status": rec.status, "appointment_id": appt.id, "scheduled_at": appt.scheduled_at})
    return RecommendationRef.of(tx, rec)


@service("recommendation.decline")
def decline(
    tx: Tx, recommendation_id: int, *, decided_by: str = "", acknowledged: bool = False,
    expected_version: int | None = None,
) -> RecommendationRef:
    """Not this time; a safety item the customer acknowledges here, or at the settlement."""
    rec = _load(tx, recommendation_id, expected_version)
    if rec.status != S.OPEN:
        _undecided(rec)
    who = _customer(rec, decided_by)
    before = {"status": rec.status}
    rec.status = S.DECLINED
    rec.decided_by, rec.decided_at, rec.decision_recorded_by_id = who, tx.now, tx.actor.user_id
    if rec.safety and acknowledged:
        rec.acknowledged_by, rec.acknowledged_at = who, tx.now
    tx.audit("recommendation", rec, order_id=rec.order_id, before=before,
             after={"status": rec.status, "decided_by": who, "acknowledged_by": rec.acknowledged_by})
    return RecommendationRef.of(tx, rec)


# Views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationRow:
    id: int
    version: int
    order_id: int
    order_number: str
    on: dt.date
    description: str
    reason: str
    safety: bool
    price: Decimal | None
    step: RecommendationStep
    found_by: str
    found_at: dt.datetime
    status: RecommendationStatus
    decided_by: str
    acknowledged_by: str
    acknowledged_at: dt.datetime | None
    job_id: int | None  # the job quoted for it, or the one it became
    labor_op_id: int | None
    hours: Decimal | None  # as quoted
    appointment_at: dt.datetime | None

    @property
    def step_label(self) -> str:
        return step_label(self.step)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def open(self) -> bool:
        return self.status in NOT_TAKEN_UP


def _rows(s: Session, recs: list[Recommendation]) -> tuple[RecommendationRow, ...]:
    names = user_names(s, {r.found_by_id for r in recs})
    appts = {a.id: a.scheduled_at for a in s.scalars(select(Appointment).where(
        Appointment.id.in_({r.appointment_id for r in recs if r.appointment_id})))} if any(
        r.appointment_id for r in recs) else {}
    return tuple(RecommendationRow(
        r.id, r.version, r.order_id, r.order.number, r.found_at.date(), r.description, r.reason, r.safety, r.price,
        r.step, names.get(r.found_by_id, ""), r.found_at, r.status, r.decided_by or "", r.acknowledged_by or "",
        r.acknowledged_at, r.job_id, r.job.labor_op_id if r.job else None, r.job.hours if r.job else None,
        appts.get(r.appointment_id or 0)) for r in recs)


def for_order(services: Services, actor: Actor, order_id: int) -> tuple[RecommendationRow, ...]:
    """This visit's recommendations, in the order they were found."""
    with services.db.reader() as s:
        recs = s.scalars(select(Recommendation).where(
            Recommendation.order_id == order_id, Recommendation.store_id == actor.store_id)
            .options(selectinload(Recommendation.order), selectinload(Recommendation.job))
            .order_by(Recommendation.id)).all()
        return _rows(s, list(recs))


def _unsigned(s: Session, order_id: int) -> bool:
    return s.get(RepairOrder, order_id).status in _AT_THE_DESK  # type: ignore[union-attr]


def still_open(services: Services, vehicle_id: int, *, store_id: int | None = None,
               limit: int = 50) -> tuple[RecommendationRow, ...]:
    """What the car still needs: found on any visit and not taken up, the latest first.

    A quoted job whose catalog operation was done on a later visit (elsewhere on the
    estimate, not through the recommendation) is not offered again.
    """
    with services.db.reader() as s:
        # Taken up on an estimate not signed yet counts as not done: it shows there as "on the estimate".
        query = (select(Recommendation).outerjoin(Job, Job.id == Recommendation.job_id)
                 .where(Recommendation.vehicle_id == vehicle_id,
                        or_(Recommendation.status.in_(NOT_TAKEN_UP),
                            and_(Recommendation.status == S.ACCEPTED, Job.status == JobStatus.PROPOSED)))
                 .options(selectinload(Recommendation.order), selectinload(Recommendation.job))
                 .order_by(Recommendation.found_at.desc(), Recommendation.id.desc()).limit(limit))
        if store_id is not None:
            query = query.where(Recommendation.store_id == store_id)
        recs = [r for r in s.scalars(query).all()
                if r.status in NOT_TAKEN_UP or (r.job is not None and _unsigned(s, r.job.order_id))]
        ops = {r.job.labor_op_id for r in recs if r.job and r.job.labor_op_id}
        done = s.execute(select(Job.labor_op_id, RepairOrder.checked_in_at).join(RepairOrder).where(
            RepairOrder.vehicle_id == vehicle_id, Job.labor_op_id.in_(ops), Job.status == JobStatus.QC_PASSED)).all() \
            if ops else []
        recs = [r for r in recs if not (r.job and any(
            op == r.job.labor_op_id and at.date() > r.found_at.date() for op, at in done))]
        return _rows(s, recs)


__all__ = ["RecommendationRef", "RecommendationRow", "accept", "add", "book", "decline", "for_order",
           "status_label", "step_label", "still_open"]
