"""Recommendation records as the other services make them: kept apart from the services of
services/recommendations.py so that the estimate, the workshop and the settlement (which
those services build on) can record one without importing them back.

- :func:`found` makes one (who found it, at which step, on which order);
- :func:`from_declined_job` is the customer's no to a job quoted at the estimate or
  proposed by the workshop: the recommendation names the job and its price;
- :func:`acknowledge` / :func:`awaiting_acknowledgement`: a safety item the customer leaves
  undone is acknowledged on its own record before the settlement (it used to be one name
  on the order for all of them).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import inspect, select

from frontdesk.model import Job, JobCheck, RepairOrder
from frontdesk.model.enums import JobOrigin, OrderStatus, Role
from frontdesk.model.recommendation import (
    NOT_TAKEN_UP,
    Recommendation,
    RecommendationStatus,
    RecommendationStep,
)

from .context import Tx, unflushed

_AT_THE_DESK = frozenset({OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED})
_AT_DELIVERY = frozenset({OrderStatus.READY, OrderStatus.DELIVERED})
_BY_ROLE = {Role.TECHNICIAN: RecommendationStep.WORKSHOP, Role.SUPERVISOR: RecommendationStep.WORKSHOP,
            Role.TEAM_LEADER: RecommendationStep.LEADER_CHECK, Role.QC: RecommendationStep.QC}


def step_of(role: Role, status: OrderStatus) -> RecommendationStep:
    """The step follows from who records it and where the car is: the screen need not say."""
    if role in _BY_ROLE:
        return _BY_ROLE[role]
    if status in _AT_THE_DESK:
        return RecommendationStep.ESTIMATE
    if status in _AT_DELIVERY:
        return RecommendationStep.DELIVERY
    return RecommendationStep.WORKSHOP


def found(
    tx: Tx, order: RepairOrder, *, description: str, reason: str = "", safety: bool = False,
    price: Decimal | None = None, step: RecommendationStep | None = None, job: Job | None = None,
    check: JobCheck | None = None, status: RecommendationStatus = RecommendationStatus.OPEN,
    found_by_id: int | None = None,
) -> Recommendation:
    rec = Recommendation(
        store_id=order.store_id, vehicle_id=order.vehicle_id, description=description, reason=reason,
        safety=safety, price=price, step=step or step_of(tx.actor.role, order.status),
        found_by_id=found_by_id or tx.actor.user_id, found_at=tx.now, status=status, version=1,
    )
    tx.session.add(rec)
    with tx.session.no_autoflush:  # linked first, written whole
        rec.order, rec.job, rec.check = order, job, check
    # The keys as well as the links: a batch's audit rows and look-ups (context.unflushed) read them before the write.
    rec.order_id = order.id
    if job is not None and job.id is not None:
        rec.job_id = job.id
    return rec


def quoted_price(job: Job) -> Decimal:
    """Labor and the job's parts, as the estimate priced them."""
    return job.amount + sum((p.amount for p in job.part_lines), Decimal("0.00"))


def naming_job(tx: Tx, job: Job) -> Recommendation | None:
    """The recommendation this job was quoted for or became (on this order or an earlier one)."""
    mine = next((r for r in job.order.recommendations if r.job is job), None)
    if mine is not None or job.id is None:
        return mine
    new = next(iter(unflushed(tx.session, Recommendation, job_id=job.id)), None)
    if new is not None or inspect(job).pending:  # a job not written yet: no written record can name it
        return new
    return tx.session.scalars(select(Recommendation).where(Recommendation.job_id == job.id)).first()


def from_declined_job(tx: Tx, job: Job, decided_by: str) -> Recommendation:
    """The customer said no to a quoted or proposed job: it is (again) a recommendation for later."""
    rec = naming_job(tx, job)
    if rec is None:
        step = RecommendationStep.WORKSHOP if job.origin == JobOrigin.ADDITIONAL else RecommendationStep.ESTIMATE
        rec = found(tx, job.order, description=job.description, reason=job.proposal_note, safety=job.safety,
                    price=quoted_price(job), step=step, job=job, found_by_id=job.proposed_by_id)
    rec.status = RecommendationStatus.DECLINED
    rec.decided_by, rec.decided_at, rec.decision_recorded_by_id = decided_by, tx.now, tx.actor.user_id
    return rec


def job_removed(tx: Tx, job: Job) -> None:
    """A line taken off the estimate: a recommendation it was quoted for forgets it.

    Declined on this very estimate, it was the advisor's own idea and goes with the line;
    taken up from an earlier visit, it is offered again.
    """
    rec = naming_job(tx, job)
    if rec is None:
        return
    if rec.order_id == job.order_id and rec.step == RecommendationStep.ESTIMATE:
        job.order.recommendations.remove(rec)
        tx.session.delete(rec)
        return
    rec.job = None
    rec.status = RecommendationStatus.DECLINED if rec.decided_by else RecommendationStatus.OPEN


def pending(order: RepairOrder) -> list[Recommendation]:
    """What the customer leaves undone this visit (open or declined), in the order found."""
    return [r for r in order.recommendations if r.status in NOT_TAKEN_UP]


def awaiting_acknowledgement(order: RepairOrder) -> list[Recommendation]:
    return [r for r in order.recommendations if r.needs_acknowledgement]


def acknowledge(tx: Tx, order: RepairOrder, customer: str) -> list[Recommendation]:
    """The customer acknowledges every safety item left undone, on each record (again: the latest name holds)."""
    waiting = [r for r in pending(order) if r.safety]
    for rec in waiting:
        rec.acknowledged_by, rec.acknowledged_at = customer, tx.now
    return waiting


__all__ = ["acknowledge", "awaiting_acknowledgement", "found", "from_declined_job", "job_removed", "naming_job",
           "pending", "quoted_price", "step_of"]
