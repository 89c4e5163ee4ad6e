"""The workshop progress board: what it shows, and the cheap question "did anything change?".

The board runs without a login on a wall screen, so it carries no customer names or phone
numbers at all — the rows are built from plate, model and advisor only. Every service call
bumps ``store.change_seq``; the board asks for that one integer each second and reloads
only when it moved, so an idle board costs one indexed single-row read per tick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from frontdesk.model import ClockEvent, Job, JobCheck, RepairOrder, Store
from frontdesk.model.enums import JobStatus, OrderStatus

from .context import Services
from .lifecycle import BoardStage, board_stage
from .reception import ReceptionStrip, strip_in

ON_BOARD = (OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP, OrderStatus.READY)
OPEN_WORK = (JobStatus.APPROVED, JobStatus.ASSIGNED, JobStatus.IN_PROGRESS, JobStatus.PAUSED)


@dataclass(frozen=True)
class BoardRow:
    """One car on the board. Deliberately no customer: the board is seen by everyone."""

    order_id: int
    plate: str
    model: str
    advisor: str
    stage: BoardStage
    since: dt.datetime  # last change that could have moved the car's stage
    promised_at: dt.datetime | None
    remaining_hours: Decimal
    overdue: bool
    at_risk: bool
    pickup_at: dt.datetime | None = None  # 约定交车时间: when the customer comes for the car (agreed by phone)


@dataclass(frozen=True)
class BoardSnapshot:
    rows: tuple[BoardRow, ...]
    counts: dict[BoardStage, int]
    seq: int
    taken_at: dt.datetime
    reception: ReceptionStrip | None = None  # who waits at reception (plates only; services/reception.py)


def store_id_for(services: Services) -> int:
    with services.db.reader() as s:
        store_id = s.scalar(select(Store.id).where(Store.code == services.settings.store_code))
        if store_id is None:
            raise LookupError(f"no store with code {services.settings.store_code}")
        return store_id


def change_seq(services: Services, store_id: int) -> int:
    """The store's change counter: the whole cost of an idle board tick."""
    with services.db.reader() as s:
        return s.scalar(select(Store.change_seq).where(Store.id == store_id)) or 0


def snapshot(services: Services, store_id: int) -> BoardSnapshot:
    now = services.clock()
    with services.db.reader() as s:
        seq = s.scalar(select(Store.change_seq).where(Store.id == store_id)) or 0
        orders = s.scalars(
            select(RepairOrder)
            .where(RepairOrder.store_id == store_id, RepairOrder.status.in_(ON_BOARD))
            .options(joinedload(RepairOrder.vehicle), joinedload(RepairOrder.advisor), selectinload(RepairOrder.jobs))
            .order_by(RepairOrder.promised_at.is_(None), RepairOrder.promised_at, RepairOrder.id)
        ).all()
        ids = [o.id for o in orders]
        last_clock = dict(s.execute(
            select(Job.order_id, func.max(ClockEvent.at)).join(ClockEvent, ClockEvent.job_id == Job.id)
            .where(Job.order_id.in_(ids)).group_by(Job.order_id)).all()) if ids else {}
        last_check = dict(s.execute(
            select(Job.order_id, func.max(JobCheck.at)).join(JobCheck, JobCheck.job_id == Job.id)
            .where(Job.order_id.in_(ids)).group_by(Job.order_id)).all()) if ids else {}
        rows = []
        for o in orders:
            stage = board_stage(o) if o.status != OrderStatus.AUTHORISED else BoardStage.WAITING
            moments = [o.status_changed_at, last_clock.get(o.id), last_check.get(o.id), o.washed_at]
            moments += [j.proposed_at for j in o.jobs] + [j.decision_at for j in o.jobs]
            since = max(m for m in moments if m is not None)
            remaining = sum((j.hours for j in o.jobs if j.status in OPEN_WORK), Decimal(0))
            overdue = o.promised_at is not None and o.promised_at < now and stage != BoardStage.READY
            at_risk = (not overdue and o.promised_at is not None and stage != BoardStage.READY
                       and now + dt.timedelta(minutes=int(remaining * 60)) > o.promised_at)
            rows.append(BoardRow(o.id, o.vehicle.plate, f"{o.vehicle.make} {o.vehicle.model}", o.advisor.display_name,
                                 stage, since, o.promised_at, remaining, overdue, at_risk, pickup_at=o.pickup_at))
        reception = strip_in(s, store_id, now)
    counts = {stage: 0 for stage in BoardStage}
    for row in rows:
        counts[row.stage] += 1
    return BoardSnapshot(tuple(rows), counts, seq, now, reception=reception)
