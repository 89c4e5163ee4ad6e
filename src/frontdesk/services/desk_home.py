"""The desk home's four lists, read straight from the driver (``frontdesk.dbapi``), not the ORM.

The desk home is the first screen an advisor sees and the one they come back to all day:
it must be on the screen fast on a cheap terminal, and it holds no ORM objects anyway. So
its lists are four plain SELECTs (and one for the jobs behind the workshop stage), written
once for SQLite and PostgreSQL, and the workshop stage is derived by the same
:func:`~frontdesk.services.lifecycle.board_stage` the wall board uses, over plain rows.

Another advisor's check-in, a dispatch, a car made ready: the desk follows them the way the
board does, by the store's change counter (``store.change_seq``, moved by every service
call). :func:`desk_home_since` reads that one integer and the lists only when it moved, so a
terminal asking every second costs one indexed single-row read while nothing happens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from frontdesk.dbapi import Columns, Cursor, as_datetime, in_list, quoted
from frontdesk.model.enums import (
    AppointmentStatus,
    FollowUpStatus,
    JobStatus,
    OrderStatus,
    PartOrderState,
    PauseReason,
)

from .lifecycle import BoardStage, board_stage
from .runtime import Actor, Services

IN_HOUSE = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP)
AWAITING_DELIVERY = (OrderStatus.READY, OrderStatus.DELIVERED, OrderStatus.SETTLED)


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    status: OrderStatus
    plate: str
    model: str
    customer_name: str
    advisor: str
    checked_in_at: dt.datetime
    promised_at: dt.datetime | None
    overdue: bool
    stage: BoardStage | None
    version: int = 0
    pickup_at: dt.datetime | None = None  # agreed with the customer (约定交车时间)


@dataclass(frozen=True)
class BookedAppointment:
    """A booked appointment as a desk list shows it: the day's list here, the reminder calls (capacity.py)."""

    id: int
    version: int
    scheduled_at: dt.datetime
    vehicle_id: int
    plate: str
    model: str
    customer_name: str
    phone: str
    requested_work: str
    advisor: str


@dataclass(frozen=True)
class AppointmentRow(BookedAppointment):
    status: AppointmentStatus


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    version: int
    order_id: int
    order_number: str
    plate: str
    customer_name: str
    phone: str
    due_at: dt.datetime
    attempts: int
    status: FollowUpStatus


@dataclass(frozen=True)
class DeskHome:
    appointments: tuple[AppointmentRow, ...]
    in_house: tuple[OrderRow, ...]
    ready: tuple[OrderRow, ...]
    follow_ups: tuple[FollowUpRow, ...]
    seq: int = 0  # the store's change counter when the lists were read
    #: Customers waiting at reception today (services/reception.py), and of them the ones waiting for this user.
    reception_waiting: int = 0
    waiting_for_me: int = 0


def day_of(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight around ``now``."""
    start = dt.datetime.combine(now.date(), dt.time())
    return start, start + dt.timedelta(days=1)


def desk_home(services: Services, actor: Actor) -> DeskHome:
    with services.db.plain_transaction() as cur:
        return _read(cur, services, actor, change_seq_in(cur, actor.store_id))


def desk_home_since(services: Services, actor: Actor, seen: int | None) -> DeskHome | None:
    """The lists, when the store changed since the reading that saw counter ``seen`` (else None)."""
    with services.db.plain_transaction() as cur:
        seq = change_seq_in(cur, actor.store_id)
        return None if seq == seen else _read(cur, services, actor, seq)


def change_seq_in(cur: Cursor, store_id: int) -> int:
    """The store's change counter, read first: a change committed while the lists are read moves it again."""
    row = cur.one("SELECT change_seq FROM store WHERE id = :store", {"store": store_id})
    return int(row[0]) if row else 0


def _read(cur: Cursor, services: Services, actor: Actor, seq: int) -> DeskHome:
    now = services.clock()
    start, end = day_of(now)
    return DeskHome(
        appointments=tuple(appointments_between(cur, actor.store_id, start, end)),
        in_house=tuple(_orders(cur, actor.store_id, IN_HOUSE, now)),
        ready=tuple(_orders(cur, actor.store_id, AWAITING_DELIVERY, now)),
        follow_ups=tuple(_follow_ups_due(cur, actor.store_id, end)),
        seq=seq,
        **_reception(cur, actor, start),
    )


def _reception(cur: Cursor, actor: Actor, start: dt.datetime) -> dict[str, int]:
    """Who waits at reception (one indexed read): the advisor takes the next customer with N."""
    rows = cur.all("SELECT advisor_id FROM arrival WHERE store_id = :store AND status = :waiting"
                   " AND arrived_at >= :start", {"store": actor.store_id, "waiting": "waiting", "start": start})
    return {"reception_waiting": len(rows), "waiting_for_me": sum(1 for (advisor,) in rows if advisor == actor.user_id)}


# What each list reads of each table, in this order (tests/test_plain_columns.py checks every name against the model).
_VEHICLE = Columns("vehicle", "plate", "make", "model", alias="v")
_ADVISOR = Columns("app_user", "display_name", alias="u")
_APPOINTMENT = Columns("appointment", "id", "version", "scheduled_at", "vehicle_id", "requested_work", "status",
                       alias="a")
_APPOINTMENT_CUSTOMER = Columns("customer", "name", "phone", alias="c")


def appointments_between(cur: Cursor, store_id: int, start: dt.datetime, end: dt.datetime) -> list[AppointmentRow]:
    rows = cur.all(
        f"SELECT {_APPOINTMENT}, {_VEHICLE}, {_APPOINTMENT_CUSTOMER}, {_ADVISOR}"
        " FROM appointment a JOIN vehicle v ON v.id = a.vehicle_id JOIN customer c ON c.id = a.customer_id"
        " LEFT JOIN app_user u ON u.id = a.advisor_id"
        " WHERE a.store_id = :store AND a.scheduled_at >= :start AND a.scheduled_at < :end AND a.status = :booked"
        " ORDER BY a.scheduled_at, a.id",
        {"store": store_id, "start": start, "end": end, "booked": AppointmentStatus.BOOKED.value},
    )
    return [
        AppointmentRow(id_, version, as_datetime(at) or start, vehicle_id, plate or "", f"{make} {model}".strip(), name, phone,
                       work, advisor or "", AppointmentStatus(status))
        for id_, version, at, vehicle_id, work, status, plate, make, model, name, phone, advisor in rows
    ]


@dataclass
class _Job:
    """What :func:`board_stage` reads of a job (a :class:`~.lifecycle.StagedJob`, as the ORM's ``Job`` is)."""

    status: JobStatus
    pause_reason: PauseReason | None
    clocked_seconds: int
    part_orders: list[_PartOrder] = field(default_factory=list)


@dataclass
class _PartOrder:
    state: PartOrderState


@dataclass
class _Order:
    """What :func:`board_stage` reads of an order (a :class:`~.lifecycle.StagedOrder`)."""

    status: OrderStatus
    wash: bool
    washed_at: dt.datetime | None
    jobs: list[_Job] = field(default_factory=list)


_ORDER = Columns("repair_order", "id", "number", "status", "checked_in_at", "promised_at", "wash", "washed_at",
                 "version", "pickup_at", alias="o")
_ORDER_CUSTOMER = Columns("customer", "name", alias="c")
_JOB = Columns("job", "id", "order_id", "status", "pause_reason", "clocked_seconds")
_PART_ORDER = Columns("part_order", "job_id", "state", alias="p")


def _orders(cur: Cursor, store_id: int, statuses: tuple[OrderStatus, ...], now: dt.datetime) -> list[OrderRow]:
    rows = cur.all(
        f"SELECT {_ORDER}, {_VEHICLE}, {_ORDER_CUSTOMER}, {_ADVISOR}"
        " FROM repair_order o JOIN vehicle v ON v.id = o.vehicle_id JOIN customer c ON c.id = o.customer_id"
        " JOIN app_user u ON u.id = o.advisor_id"
        f" WHERE o.store_id = :store AND o.status IN {quoted([s.value for s in statuses])}"
        " ORDER BY o.promised_at IS NULL, o.promised_at, o.checked_in_at, o.id",
        {"store": store_id},
    )
    staged = {id_: _Order(OrderStatus(status), bool(wash), as_datetime(washed))
              for id_, _number, status, _checked_in, _promised, wash, washed, _version, _pickup, *_rest in rows
              if status in (OrderStatus.IN_WORKSHOP, OrderStatus.READY)}
    _read_jobs(cur, staged)
    out = []
    for id_, number, status, checked_in, promised, _wash, _washed, version, pickup, plate, make, model, name, advisor \
            in rows:
        state = OrderStatus(status)
        promised_at = as_datetime(promised)
        overdue = promised_at is not None and promised_at < now and state in IN_HOUSE + (OrderStatus.READY,)
        stage = board_stage(staged[id_]) if id_ in staged else None
        out.append(OrderRow(id_, number, state, plate, f"{make} {model}", name, advisor,
                            as_datetime(checked_in) or now, promised_at, overdue, stage, version, as_datetime(pickup)))
    return out


def _read_jobs(cur: Cursor, orders: dict[int, _Order]) -> None:
    """The jobs (and their part orders) of the cars in the workshop, two queries for them all."""
    if not orders:
        return
    ids, params = in_list("o", list(orders))
    jobs: dict[int, _Job] = {}
    for job_id, order_id, status, reason, seconds in cur.all(
        f"SELECT {_JOB} FROM job WHERE order_id IN {ids} ORDER BY id",
        params,
    ):
        job = _Job(JobStatus(status), PauseReason(reason) if reason else None, seconds or 0)
        jobs[job_id] = job
        orders[order_id].jobs.append(job)
    for job_id, state in cur.all(
        f"SELECT {_PART_ORDER} FROM part_order p JOIN job j ON j.id = p.job_id WHERE j.order_id IN {ids}",
        params,
    ):
        jobs[job_id].part_orders.append(_PartOrder(PartOrderState(state)))


_FOLLOW_UP = Columns("follow_up", "id", "version", "order_id", "due_at", "attempts", "status", alias="f")
_CALLED_ORDER = Columns("repair_order", "number", alias="o")
_CALLED_VEHICLE = Columns("vehicle", "plate", alias="v")
_CALLED_CUSTOMER = Columns("customer", "name", "phone", alias="c")


def _follow_ups_due(cur: Cursor, store_id: int, until: dt.datetime) -> list[FollowUpRow]:
    rows = cur.all(
        f"SELECT {_FOLLOW_UP}, {_CALLED_ORDER}, {_CALLED_VEHICLE}, {_CALLED_CUSTOMER}"
        " FROM follow_up f JOIN repair_order o ON o.id = f.order_id JOIN vehicle v ON v.id = o.vehicle_id"
        " JOIN customer c ON c.id = o.customer_id"
        " WHERE f.store_id = :store AND f.status = :due AND f.due_at < :until ORDER BY f.due_at, f.id",
        {"store": store_id, "due": FollowUpStatus.DUE.value, "until": until},
    )
    out: list[FollowUpRow] = []
    for id_, version, order_id, due, attempts, status, number, plate, name, phone in rows:
        due_at: Any = as_datetime(due)
        out.append(FollowUpRow(id_, version, order_id, number, plate, name, phone, due_at, attempts,
                               FollowUpStatus(status)))
    return out
