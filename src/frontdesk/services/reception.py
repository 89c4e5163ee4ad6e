"""Reception (issue 20): the arrival register, the queue, the advisor rotation and the figures.

The receptionist (前台接待) registers each car at the door before any order exists: the
plate, why it came, the roof number (车顶号) and key tag handed out. The rules, where the
issue left them to us:

- **Appointment match.** Today's booked appointment of the car with that plate is matched
  by itself (the one nearest to now, when there are two). Within ``ON_TIME_MINUTES`` either
  side of the booked time the car is on time, earlier is early, later is late; the minutes
  are kept. A pick-up or an enquiry is not the booked visit and matches nothing.
- **One wait per plate.** A plate already waiting is refused (the receptionist sees who has
  it); a roof number is unique among the cars waiting, and when none is typed the smallest
  free one is handed out.
- **Who receives the customer.** The appointment's advisor; otherwise the next in the
  rotation: round robin, in the order of the advisors' ids, after the advisor the rotation
  gave the last car to today. The rotation runs among the advisors **on duty**: active
  advisors of the store who signed in today (before anyone has signed in, all active
  advisors, so the first car of the morning is not left without one). An advisor is
  **busy** (skipped) while with a customer: they took an arrival in the last
  ``BUSY_MINUTES`` minutes and have not checked that car in yet, or checked a car in within
  that time that is still at check-in or estimate. When every advisor is busy the rotation
  gives the car to the next one anyway (the customer waits for them). The desk lead (the
  workshop supervisor or the service manager) may give a car to another advisor: audited.
- **Take next.** An advisor takes their own next customer (the oldest waiting for them, then
  the oldest waiting for nobody); a service manager, the oldest of all; a named one on
  request. The answer (:class:`TakenArrival`) is what the check-in is pre-filled with.

Waiting times count from ``arrived_at`` to ``taken_at`` (to now while still waiting); the
queue shows today's waiting arrivals, so a car left waiting overnight drops out of it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from frontdesk.i18n import gettext as _
from frontdesk.model import Appointment, Customer, RepairOrder, User, Vehicle
from frontdesk.model.arrival import Arrival
from frontdesk.model.enums import (
    AppointmentStatus,
    ArrivalPurpose,
    ArrivalStatus,
    OrderStatus,
    Role,
    Timeliness,
)

from .common import get, text
from .context import Tx, check_version, flush_for_id, service
from .errors import NotFound, ValidationError
from .refs import flushed
from .runtime import Actor, Services
from .validation import normalise_plate

#: Within this many minutes either side of the booked time, a car is on time.
ON_TIME_MINUTES = 15
#: An advisor who took a customer (or checked a car in) this recently is with them still.
BUSY_MINUTES = 30
#: Who arranges the reception (前台车辆接待工作的安排): may give a car to another advisor.
LEAD_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
#: Purposes that are not the booked visit: they match no appointment.
_NOT_A_VISIT = frozenset({ArrivalPurpose.PICK_UP, ArrivalPurpose.ENQUIRY})
_WITH_CUSTOMER = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE)


@dataclass(frozen=True)
class ArrivalInput:
    """What the receptionist types: a plate, or a car found by the desk search (``vehicle_id``)."""

    plate: str = ""
    vehicle_id: int | None = None
    purpose: ArrivalPurpose | str | None = None  # None: appointment when one is matched, else walk-in
    roof_number: str = ""  # blank: the smallest free one
    key_tag: str = ""


@dataclass(frozen=True)
class ArrivalRef:
    id: int
    version: int
    plate: str
    status: ArrivalStatus
    purpose: ArrivalPurpose
    roof_number: str
    advisor_id: int | None
    advisor: str  # the advisor's name, for the receptionist's confirmation
    appointment_id: int | None
    timeliness: Timeliness | None
    timeliness_minutes: int | None


@dataclass(frozen=True)
class TakenArrival:
    """The customer an advisor has taken: what the check-in is pre-filled with."""

    arrival_id: int
    vehicle_id: int | None
    plate: str
    customer_id: int | None
    appointment_id: int | None
    roof_number: str
    key_tag: str
    #: Why the car came (an accident: the check-in offers the insurer's claim record next).
    purpose: ArrivalPurpose = ArrivalPurpose.WALK_IN


@dataclass(frozen=True)
class QueueRow:
    arrival_id: int
    version: int
    plate: str
    arrived_at: dt.datetime
    waiting_minutes: int
    purpose: ArrivalPurpose
    roof_number: str
    key_tag: str
    advisor_id: int | None
    advisor: str
    appointment_id: int | None
    appointment_at: dt.datetime | None
    timeliness: Timeliness | None
    timeliness_minutes: int | None
    vehicle_id: int | None
    customer_name: str
    model: str
    campaign: bool = False  # an open recall or service campaign for the car (services/campaigns.py)


@dataclass(frozen=True)
class AdvisorOnDuty:
    id: int
    name: str
    busy: bool
    waiting: int  # customers waiting for them
    on_duty: bool = True  # in the rotation today (the lead may still give a customer to one who is not)


@dataclass(frozen=True)
class ReceptionFigures:
    start: dt.date
    end: dt.date  # inclusive
    arrivals: int
    per_hour: tuple[tuple[int, int], ...]  # (hour of day, arrivals), the hours with any
    average_wait_minutes: Decimal | None
    longest_wait_minutes: int | None
    waiting_now: int
    left: int  # went without being served
    booked: int  # appointments in the range (cancelled ones left out)
    showed: int  # of them, the ones that came (到店)

    @property
    def show_rate(self) -> Decimal | None:
        """到店率, percent."""
        if not self.booked:
            return None
        return (Decimal(self.showed) * 100 / self.booked).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ReceptionView:
    """The reception screen in one read."""

    queue: tuple[QueueRow, ...]
    advisors: tuple[AdvisorOnDuty, ...]
    figures: ReceptionFigures
    red_minutes: int


# Rules ------------------------------------------------------------------------------


def day_start(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date(), dt.time())


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def timeliness(scheduled_at: dt.datetime, arrived_at: dt.datetime) -> tuple[Timeliness, int]:
    """Early, on time or late, and the minutes after the booked time (negative: early)."""
    minutes = round((arrived_at - scheduled_at).total_seconds() / 60)
    if minutes < -ON_TIME_MINUTES:
        return Timeliness.EARLY, minutes
    if minutes > ON_TIME_MINUTES:
        return Timeliness.LATE, minutes
    return Timeliness.ON_TIME, minutes


def _purpose(value: ArrivalPurpose | str | None) -> ArrivalPurpose | None:
    if value is None or value == "":
        return None
    try:
        return ArrivalPurpose(value)
    except ValueError:
        raise ValidationError("purpose", _("Unknown purpose of the visit: {value}.").format(value=value)) from None


def _waiting_today(session: Session, store_id: int, now: dt.datetime) -> list[Arrival]:
    return list(session.scalars(
        select(Arrival).where(Arrival.store_id == store_id, Arrival.status == ArrivalStatus.WAITING,
                              Arrival.arrived_at >= day_start(now))
        .order_by(Arrival.arrived_at, Arrival.id)))


def _todays_appointment(session: Session, store_id: int, vehicle_id: int, now: dt.datetime) -> Appointment | None:
    start = day_start(now)
    booked = session.scalars(
        select(Appointment).where(Appointment.store_id == store_id, Appointment.vehicle_id == vehicle_id,
                                  Appointment.status == AppointmentStatus.BOOKED,
                                  Appointment.scheduled_at >= start,
                                  Appointment.scheduled_at < start + dt.timedelta(days=1))).all()
    return min(booked, key=lambda a: (abs((a.scheduled_at - now).total_seconds()), a.id), default=None)


def _free_roof_number(taken: set[str]) -> str:
    number = 1
    while str(number) in taken:
        number += 1
    return str(number)


def _active_advisors(session: Session, store_id: int) -> list[User]:
    return list(session.scalars(
        select(User).where(User.store_id == store_id, User.role == Role.ADVISOR, User.active.is_(True))
        .order_by(User.id)))


def advisors_on_duty(session: Session, store_id: int, now: dt.datetime) -> list[User]:
    """Active advisors who signed in today; before anyone has, every active advisor."""
    advisors = _active_advisors(session, store_id)
    start = day_start(now)
    signed_in = [u for u in advisors if u.last_login_at is not None and u.last_login_at >= start]
    return signed_in or advisors


def _order_since(arrival: type[Arrival] | Arrival, advisor_column):  # type: ignore[no-untyped-def]
    """An order this advisor checked in for the arrival's car since they took it."""
    return exists().where(
        RepairOrder.advisor_id == advisor_column, RepairOrder.checked_in_at >= arrival.taken_at,
        RepairOrder.vehicle_id == Vehicle.id, Vehicle.plate == arrival.plate)


def busy_advisors(session: Session, store_id: int, now: dt.datetime) -> set[int]:
    """Advisors with a customer now (see the module's docstring)."""
    since = now - dt.timedelta(minutes=BUSY_MINUTES)
    taken = session.scalars(
        select(Arrival.taken_by_id).where(
            Arrival.store_id == store_id, Arrival.status == ArrivalStatus.TAKEN, Arrival.taken_at >= since,
            Arrival.order_id.is_(None), ~_order_since(Arrival, Arrival.taken_by_id))).all()
    checking_in = session.scalars(
        select(RepairOrder.advisor_id).where(
            RepairOrder.store_id == store_id, RepairOrder.checked_in_at >= since,
            RepairOrder.status.in_(_WITH_CUSTOMER))).all()
    return {i for i in (*taken, *checking_in) if i is not None}


def next_in_rotation(session: Session, store_id: int, now: dt.datetime) -> User | None:
    """The advisor the rotation gives the next car without an appointment to (None: no advisor at all)."""
    advisors = advisors_on_duty(session, store_id, now)
    if not advisors:
        return None
    last = session.scalar(
        select(Arrival.rotation_advisor_id).where(Arrival.store_id == store_id, Arrival.arrived_at >= day_start(now),
                                                  Arrival.rotation_advisor_id.is_not(None))
        .order_by(Arrival.arrived_at.desc(), Arrival.id.desc()).limit(1))
    after = next((i for i, u in enumerate(advisors) if last is not None and u.id > last), 0)
    order = advisors[after:] + advisors[:after]
    busy = busy_advisors(session, store_id, now)
    return next((u for u in order if u.id not in busy), order[0])


def _link_orders(tx: Tx) -> None:
    """Taken arrivals of today get the order their advisor checked the car in on (the figures and the busy rule read it)."""
    pending = tx.session.scalars(
        select(Arrival).where(Arrival.store_id == tx.actor.store_id, Arrival.status == ArrivalStatus.TAKEN,
                              Arrival.order_id.is_(None), Arrival.arrived_at >= day_start(tx.now))).all()
    for arrival in pending:
        arrival.order_id = tx.session.scalar(
            select(RepairOrder.id).join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .where(Vehicle.plate == arrival.plate, RepairOrder.advisor_id == arrival.taken_by_id,
                   RepairOrder.checked_in_at >= arrival.taken_at)
            .order_by(RepairOrder.id).limit(1))


def _ref(tx: Tx, arrival: Arrival) -> ArrivalRef:
    flushed(tx)
    advisor = tx.session.get(User, arrival.advisor_id) if arrival.advisor_id is not None else None
    return ArrivalRef(arrival.id, arrival.version, arrival.plate, arrival.status, arrival.purpose, arrival.roof_number,
                      arrival.advisor_id, advisor.display_name if advisor else "", arrival.appointment_id,
                      arrival.timeliness, arrival.timeliness_minutes)


def _load(tx: Tx, arrival_id: int, expected_version: int | None) -> Arrival:
    arrival = tx.session.get(Arrival, arrival_id)
    if arrival is None or arrival.store_id != tx.actor.store_id:
        raise NotFound("arrival", _("No such arrival in this store."))
    check_version(arrival, expected_version)
    return arrival


def _still_waiting(arrival: Arrival) -> None:
    if arrival.status != ArrivalStatus.WAITING:
        raise ValidationError("arrival", _("{plate} is no longer waiting.").format(plate=arrival.plate))


# Changes -----------------------------------------------------------------------------


@service("arrival.register")
def register_arrival(tx: Tx, data: ArrivalInput) -> ArrivalRef:
    """Register a car at the door: matched with today's appointment, given an advisor and a roof number."""
    store_id = tx.actor.store_id
    vehicle: Vehicle | None = None
    if data.vehicle_id is not None:
        vehicle = get(tx.session, Vehicle, data.vehicle_id, "vehicle")
        if not vehicle.plate:
            raise ValidationError("plate", _("This car has no plate on file yet: type the plate."))
        plate = vehicle.plate
    else:
        plate = normalise_plate(data.plate)
        vehicle = tx.session.scalar(select(Vehicle).where(Vehicle.plate == plate))
    purpose = _purpose(data.purpose)
    roof = text(data.roof_number, "roof_number", max_len=12)
    key_tag = text(data.key_tag, "key_tag", max_len=20)
    waiting = _waiting_today(tx.session, store_id, tx.now)
    same = next((a for a in waiting if a.plate == plate), None)
    if same is not None:
        raise ValidationError("plate", _("{plate} is already waiting (arrived {time}, roof number {roof}).").format(
            plate=plate, time=same.arrived_at.strftime("%H:%M"), roof=same.roof_number or "-"))
    roofs = {a.roof_number for a in waiting if a.roof_number}
    if roof and roof in roofs:
        holder = next(a.plate for a in waiting if a.roof_number == roof)
        raise ValidationError("roof_number", _("Roof number {roof} is on {plate}, still waiting: give another.").format(
            roof=roof, plate=holder))
    roof = roof or _free_roof_number(roofs)
    appointment = None
    if vehicle is not None and purpose not in _NOT_A_VISIT:
        appointment = _todays_appointment(tx.session, store_id, vehicle.id, tx.now)
    if purpose is None or (appointment is not None and purpose == ArrivalPurpose.WALK_IN):
        purpose = ArrivalPurpose.APPOINTMENT if appointment is not None else ArrivalPurpose.WALK_IN
    when, minutes = timeliness(appointment.scheduled_at, tx.now) if appointment is not None else (None, None)
    rotation: int | None = None
    if appointment is not None and appointment.advisor_id is not None:
        advisor_id: int | None = appointment.advisor_id
    else:
        picked = next_in_rotation(tx.session, store_id, tx.now)
        advisor_id = rotation = picked.id if picked is not None else None
    _link_orders(tx)
    arrival = Arrival(
        store_id=store_id, plate=plate, vehicle_id=vehicle.id if vehicle else None,
        customer_id=vehicle.customer_id if vehicle else None, arrived_at=tx.now, purpose=purpose,
        roof_number=roof, key_tag=key_tag, appointment_id=appointment.id if appointment else None,
        timeliness=when, timeliness_minutes=minutes, advisor_id=advisor_id, rotation_advisor_id=rotation,
        registered_by_id=tx.actor.user_id,
        status=ArrivalStatus.WAITING,
    )
    tx.session.add(arrival)
    flush_for_id(tx.session, arrival)
    tx.audit("arrival", arrival.id, after={
        "plate": plate, "purpose": purpose, "roof_number": roof, "key_tag": key_tag, "advisor_id": advisor_id,
        "appointment_id": arrival.appointment_id, "timeliness": when, "timeliness_minutes": minutes})
    return _ref(tx, arrival)


@service("arrival.assign")
def assign(tx: Tx, arrival_id: int, advisor_id: int, expected_version: int | None = None) -> ArrivalRef:
    """The desk lead gives a waiting customer to another advisor (前台车辆接待工作的安排)."""
    arrival = _load(tx, arrival_id, expected_version)
    _still_waiting(arrival)
    advisor = tx.session.get(User, advisor_id)
    if (advisor is None or advisor.store_id != tx.actor.store_id or not advisor.active
            or advisor.role not in (Role.ADVISOR, Role.MANAGER)):
        raise ValidationError("advisor", _("Pick an active service advisor of this store."))
    before = {"advisor_id": arrival.advisor_id}
    arrival.advisor_id = advisor.id
    tx.audit("arrival", arrival.id, before=before, after={"advisor_id": advisor.id, "plate": arrival.plate})
    return _ref(tx, arrival)


@service("arrival.take")
def take_next(tx: Tx, arrival_id: int | None = None, expected_version: int | None = None) -> TakenArrival:
    """The advisor takes their next customer (or the one named): the check-in opens pre-filled with it."""
    if arrival_id is not None:
        arrival = _load(tx, arrival_id, expected_version)
        _still_waiting(arrival)
    else:
        waiting = _waiting_today(tx.session, tx.actor.store_id, tx.now)
        if not waiting:
            raise ValidationError("queue", _("No customer is waiting."))
        mine = [a for a in waiting if a.advisor_id == tx.actor.user_id]
        anyone = [a for a in waiting if a.advisor_id is None]
        pool = mine or anyone or (waiting if tx.actor.role == Role.MANAGER else [])
        if not pool:
            raise ValidationError("queue", _("No customer is waiting for you ({n} waiting for other advisors).").format(
                n=len(waiting)))
        arrival = pool[0]
    _link_orders(tx)
    before = {"status": arrival.status, "advisor_id": arrival.advisor_id}
    arrival.status = ArrivalStatus.TAKEN
    arrival.taken_at = tx.now
    arrival.taken_by_id = tx.actor.user_id
    arrival.advisor_id = tx.actor.user_id
    appointment_id = arrival.appointment_id
    if appointment_id is not None:
        appointment = tx.session.get(Appointment, appointment_id)
        if appointment is None or appointment.status != AppointmentStatus.BOOKED:
            appointment_id = None  # cancelled or checked in meanwhile: the check-in goes without it
    tx.audit("arrival", arrival.id, before=before, after={
        "status": arrival.status, "advisor_id": arrival.advisor_id, "plate": arrival.plate,
        "waited_minutes": minutes_between(arrival.arrived_at, tx.now)})
    flushed(tx)
    return TakenArrival(arrival.id, arrival.vehicle_id, arrival.plate, arrival.customer_id, appointment_id,
                        arrival.roof_number, arrival.key_tag, arrival.purpose)


@service("arrival.take")
def give_back(tx: Tx, arrival_id: int) -> ArrivalRef:
    """The advisor left the check-in of a taken customer without an order: the customer waits again.

    Back in their original place (the queue is in arrival order), for the same advisor; the
    taking is cleared so the busy rule and the figures do not count it. Refused once an order
    was checked in for the car since it was taken (the customer was served)."""
    arrival = _load(tx, arrival_id, None)
    if arrival.status != ArrivalStatus.TAKEN:
        raise ValidationError("arrival", _("{plate} is not taken: nothing to give back.").format(plate=arrival.plate))
    _link_orders(tx)
    served = arrival.order_id is not None or tx.session.scalar(
        select(RepairOrder.id).join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
        .where(Vehicle.plate == arrival.plate, RepairOrder.advisor_id == arrival.taken_by_id,
               RepairOrder.checked_in_at >= arrival.taken_at).limit(1)) is not None
    if served:
        raise ValidationError("arrival", _("{plate} was checked in already: it cannot wait again.").format(
            plate=arrival.plate))
    before = {"status": arrival.status, "taken_by_id": arrival.taken_by_id,
              "taken_at": arrival.taken_at.isoformat() if arrival.taken_at else None}
    arrival.status = ArrivalStatus.WAITING
    arrival.taken_at = None
    arrival.taken_by_id = None
    tx.audit("arrival", arrival.id, before=before, after={"status": arrival.status, "plate": arrival.plate})
    return _ref(tx, arrival)


@service("arrival.register")
def mark_left(tx: Tx, arrival_id: int, expected_version: int | None = None) -> ArrivalRef:
    """The customer went without being served: off the queue, counted in the figures."""
    arrival = _load(tx, arrival_id, expected_version)
    _still_waiting(arrival)
    arrival.status = ArrivalStatus.LEFT
    arrival.left_at = tx.now
    tx.audit("arrival", arrival.id, before={"status": ArrivalStatus.WAITING},
             after={"status": arrival.status, "plate": arrival.plate,
                    "waited_minutes": minutes_between(arrival.arrived_at, tx.now)})
    return _ref(tx, arrival)


# Reads -------------------------------------------------------------------------------


def _campaign_plates(services: Services, vins: dict[str, str]) -> set[str]:
    """Plates whose VIN has an open campaign; nothing when campaigns are not installed."""
    if not vins:
        return set()
    try:
        from . import campaigns  # issue 20, item 3 (services/campaigns.py)
    except ImportError:
        return set()
    flagged = campaigns.open_vins(services, set(vins))
    return {plate for plate, vin in vins.items() if vin in flagged}


def _queue(s: Session, services: Services, store_id: int, now: dt.datetime) -> list[QueueRow]:
    advisor = aliased(User)
    rows = s.execute(
        select(Arrival, advisor.display_name, Appointment.scheduled_at, Customer.name, Vehicle.make, Vehicle.model,
               Vehicle.vin)
        .outerjoin(advisor, advisor.id == Arrival.advisor_id)
        .outerjoin(Appointment, Appointment.id == Arrival.appointment_id)
        .outerjoin(Customer, Customer.id == Arrival.customer_id)
        .outerjoin(Vehicle, Vehicle.id == Arrival.vehicle_id)
        .where(Arrival.store_id == store_id, Arrival.status == ArrivalStatus.WAITING,
               Arrival.arrived_at >= day_start(now))
        .order_by(Arrival.arrived_at, Arrival.id)).all()
    flagged = _campaign_plates(services, {a.plate: vin for a, *_rest, vin in rows if vin})
    return [
        QueueRow(a.id, a.version, a.plate, a.arrived_at, minutes_between(a.arrived_at, now), a.purpose, a.roof_number,
                 a.key_tag, a.advisor_id, name or "", a.appointment_id, at, a.timeliness, a.timeliness_minutes,
                 a.vehicle_id, customer or "", f"{make or ''} {model or ''}".strip(), a.plate in flagged)
        for a, name, at, customer, make, model, _vin in rows
    ]


def queue(services: Services, actor: Actor) -> list[QueueRow]:
    """Who is waiting, in arrival order, with the waiting time and the advisor."""
    with services.db.reader() as s:
        return _queue(s, services, actor.store_id, services.clock())


def _figures(s: Session, store_id: int, start: dt.date, end: dt.date, now: dt.datetime) -> ReceptionFigures:
    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    arrivals = s.execute(
        select(Arrival.arrived_at, Arrival.taken_at, Arrival.status)
        .where(Arrival.store_id == store_id, Arrival.arrived_at >= lo, Arrival.arrived_at < hi)).all()
    waits = []
    for arrived, taken, status in arrivals:
        if status == ArrivalStatus.TAKEN and taken is not None:
            waits.append(minutes_between(arrived, taken))
        elif status == ArrivalStatus.WAITING and arrived >= day_start(now):
            waits.append(minutes_between(arrived, now))
    hours = Counter(arrived.hour for arrived, _t, _s in arrivals)
    matched = select(Arrival.id).where(Arrival.appointment_id == Appointment.id).exists()
    appointments = s.execute(
        select(Appointment.status, matched)
        .where(Appointment.store_id == store_id, Appointment.scheduled_at >= lo, Appointment.scheduled_at < hi,
               Appointment.status != AppointmentStatus.CANCELLED)).all()
    return ReceptionFigures(
        start=start, end=end, arrivals=len(arrivals), per_hour=tuple(sorted(hours.items())),
        average_wait_minutes=(Decimal(sum(waits)) / len(waits)).quantize(Decimal("0.1"), ROUND_HALF_UP) if waits else None,
        longest_wait_minutes=max(waits) if waits else None,
        waiting_now=sum(1 for arrived, _t, status in arrivals
                        if status == ArrivalStatus.WAITING and arrived >= day_start(now)),
        left=sum(1 for _a, _t, status in arrivals if status == ArrivalStatus.LEFT),
        booked=len(appointments),
        showed=sum(1 for status, came in appointments if came or status == AppointmentStatus.ARRIVED),
    )


figures_in = _figures  # services/reports.py reads them in its own session


def figures(services: Services, actor: Actor, start: dt.date, end: dt.date) -> ReceptionFigures:
    """Arrivals per hour, average and longest wait, appointment show rate (到店率), from ``start`` to ``end``."""
    if end < start:
        raise ValidationError("end", _("The end date is before the start date."))
    with services.db.reader() as s:
        return _figures(s, actor.store_id, start, end, services.clock())


def reception_view(services: Services, actor: Actor) -> ReceptionView:
    """The queue, the store's advisors (on duty or not, busy or free, customers waiting for each), today's figures."""
    now = services.clock()
    with services.db.reader() as s:
        rows = _queue(s, services, actor.store_id, now)
        busy = busy_advisors(s, actor.store_id, now)
        waiting = Counter(r.advisor_id for r in rows)
        on_duty = {u.id for u in advisors_on_duty(s, actor.store_id, now)}
        advisors = tuple(AdvisorOnDuty(u.id, u.display_name, u.id in busy, waiting.get(u.id, 0), u.id in on_duty)
                         for u in _active_advisors(s, actor.store_id))
        today = now.date()
        return ReceptionView(tuple(rows), advisors, _figures(s, actor.store_id, today, today, now),
                             services.settings.reception_wait_red_minutes)


@dataclass(frozen=True)
class ReceptionStrip:
    """The wall board's strip: how many wait and the longest wait, plates only (no names on the board)."""

    waiting: int
    longest_minutes: int | None
    plates: tuple[str, ...]  # in arrival order: the first has waited longest
    first_arrived_at: dt.datetime | None = None  # the board counts the longest wait on from it


def strip_in(s: Session, store_id: int, now: dt.datetime) -> ReceptionStrip:
    """The strip, read in the caller's session (the board's snapshot)."""
    rows = s.execute(
        select(Arrival.plate, Arrival.arrived_at)
        .where(Arrival.store_id == store_id, Arrival.status == ArrivalStatus.WAITING,
               Arrival.arrived_at >= day_start(now))
        .order_by(Arrival.arrived_at, Arrival.id)).all()
    first = rows[0][1] if rows else None
    return ReceptionStrip(len(rows), minutes_between(first, now) if first else None,
                          tuple(plate for plate, _at in rows), first)


def board_strip(services: Services, store_id: int) -> ReceptionStrip:
    with services.db.reader() as s:
        return strip_in(s, store_id, services.clock())


__all__ = [
    "BUSY_MINUTES", "LEAD_ROLES", "ON_TIME_MINUTES", "AdvisorOnDuty", "ArrivalInput", "ArrivalRef", "QueueRow",
    "ReceptionFigures", "ReceptionStrip", "ReceptionView", "TakenArrival", "assign", "board_strip", "busy_advisors",
    "figures", "figures_in", "give_back", "mark_left", "next_in_rotation", "queue", "reception_view", "register_arrival", "strip_in", "take_next",
    "timeliness",
]
