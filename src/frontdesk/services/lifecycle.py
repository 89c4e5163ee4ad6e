"""The two state machines: one table each of allowed transitions, nothing else decides.

The board's stage is derived from these states (see :func:`board_stage`), never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from frontdesk.i18n import gettext as _
from frontdesk.labels import STATUS, label
from frontdesk.model.enums import JobStatus, OrderStatus, PartOrderState, PauseReason

from .errors import IllegalTransition

if TYPE_CHECKING:
    from frontdesk.model import Job, RepairOrder

O = OrderStatus
J = JobStatus

ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    O.CHECK_IN: frozenset({O.ESTIMATE, O.CANCELLED}),
    O.ESTIMATE: frozenset({O.AUTHORISED, O.CANCELLED}),
    # Before any work starts the customer may change their mind: back to the estimate.
    O.AUTHORISED: frozenset({O.IN_WORKSHOP, O.ESTIMATE, O.CANCELLED}),
    O.IN_WORKSHOP: frozenset({O.READY}),
    # The internal delivery check can find the fault still there: back to the workshop.
    O.READY: frozenset({O.DELIVERED, O.IN_WORKSHOP}),
    O.DELIVERED: frozenset({O.SETTLED}),
    O.SETTLED: frozenset({O.CLOSED}),
    O.CLOSED: frozenset(),
    O.CANCELLED: frozenset(),
}

JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    J.PROPOSED: frozenset({J.APPROVED, J.DECLINED}),
    J.APPROVED: frozenset({J.ASSIGNED}),
    J.DECLINED: frozenset(),
    J.ASSIGNED: frozenset({J.IN_PROGRESS}),
    J.IN_PROGRESS: frozenset({J.PAUSED, J.FINISHED}),
    J.PAUSED: frozenset({J.IN_PROGRESS}),
    J.FINISHED: frozenset({J.SELF_CHECKED}),
    # A team leader who is not satisfied sends the job back without it counting as rework.
    J.SELF_CHECKED: frozenset({J.LEADER_CHECKED, J.IN_PROGRESS}),
    # A failed final QC sends it back and counts one rework.
    J.LEADER_CHECKED: frozenset({J.QC_PASSED, J.IN_PROGRESS}),
    J.QC_PASSED: frozenset(),
}


def _label(status: StrEnum) -> str:
    return status_label(status)


def status_label(status: StrEnum) -> str:
    """The user-facing name of a status, translated."""
    return label(STATUS, status)




def can_transition_order(current: OrderStatus, target: OrderStatus) -> bool:
    return target in ORDER_TRANSITIONS[current]


def _illegal(says: str, current: StrEnum, target: StrEnum, **names: str) -> IllegalTransition:
    """The refusal of a move the table does not allow, naming both statuses."""
    return IllegalTransition(says.format(current=_label(current), target=_label(target), **names))


def transition_order(order: RepairOrder, target: OrderStatus, now: dt.datetime) -> OrderStatus:
    """Move an order to ``target`` or raise IllegalTransition; returns the old status."""
    current = order.status
    if target not in ORDER_TRANSITIONS[current]:
        raise _illegal(_("Order {number} is {current}; it cannot become {target}."), current, target,
                       number=order.number)
    order.status = target
    order.status_changed_at = now
    return current


def transition_job(job: Job, target: JobStatus) -> JobStatus:
    current = job.status
    if target not in JOB_TRANSITIONS[current]:
        raise _illegal(_("Job \u201c{job}\u201d is {current}; it cannot become {target}."), current, target,
                       job=job.description)
    job.status = target
    return current


def require_order_status(order: RepairOrder, allowed: Iterable[OrderStatus], doing: str) -> None:
    allowed = tuple(allowed)
    if order.status not in allowed:
        raise IllegalTransition(
            _("Order {number} is {current}: {doing} is only possible when it is {allowed}.").format(
                number=order.number,
                current=_label(order.status),
                doing=doing,
                allowed=" / ".join(_label(s) for s in allowed),
            )
        )


# Jobs that count towards the bill and the workshop's work.
BILLABLE = frozenset(set(JobStatus) - {J.PROPOSED, J.DECLINED})
WORK_DONE = frozenset({J.QC_PASSED})


class BoardStage(StrEnum):
    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    WAITING_PARTS = "waiting_parts"
    WAITING_APPROVAL = "waiting_approval"
    CHECKS = "checks"
    WASH = "wash"
    READY = "ready"


# What the stage is derived from. The board passes ORM objects, the desk home plain rows
# (it runs without SQLAlchemy): both satisfy these, so both are checked against one shape.
# Read-only properties, so a mapped attribute and a dataclass field alike fit.


class StagedPartOrder(Protocol):
    @property
    def state(self) -> PartOrderState: ...


class StagedJob(Protocol):
    @property
    def status(self) -> JobStatus: ...
    @property
    def pause_reason(self) -> PauseReason | None: ...
    @property
    def clocked_seconds(self) -> int: ...
    @property
    def part_orders(self) -> Sequence[StagedPartOrder]: ...


class StagedOrder(Protocol):
    @property
    def status(self) -> OrderStatus: ...
    @property
    def wash(self) -> bool: ...
    @property
    def washed_at(self) -> dt.datetime | None: ...
    @property
    def jobs(self) -> Sequence[StagedJob]: ...


def waiting_parts(job: StagedJob) -> bool:
    """Paused for parts, or not started (or paused) while a part ordered for it has not arrived."""
    if job.status == J.PAUSED and job.pause_reason == PauseReason.WAITING_PARTS:
        return True
    return job.status in (J.APPROVED, J.ASSIGNED, J.PAUSED) and any(
        o.state != PartOrderState.ARRIVED for o in job.part_orders)


def board_stage(order: StagedOrder) -> BoardStage:
    """Where a car in the workshop stands, derived from its order and jobs."""
    if order.status == O.READY:
        return BoardStage.READY
    jobs = [j for j in order.jobs if j.status != J.DECLINED]
    if any(j.status == J.PROPOSED for j in jobs):
        return BoardStage.WAITING_APPROVAL
    if any(j.status == J.PAUSED and j.pause_reason == PauseReason.WAITING_APPROVAL for j in jobs):
        return BoardStage.WAITING_APPROVAL
    if any(waiting_parts(j) for j in jobs):
        return BoardStage.WAITING_PARTS
    if jobs and all(j.status == J.QC_PASSED for j in jobs):
        return BoardStage.WASH if order.wash and order.washed_at is None else BoardStage.READY
    if jobs and all(
        j.status in (J.FINISHED, J.SELF_CHECKED, J.LEADER_CHECKED, J.QC_PASSED) for j in jobs
    ):
        return BoardStage.CHECKS
    if any(j.status in (J.IN_PROGRESS, J.PAUSED) or j.clocked_seconds > 0 for j in jobs):
        return BoardStage.IN_PROGRESS
    return BoardStage.WAITING
