"""What the follow-ups, complaints and reminders screens show, read in a few queries each.

Handed over as frozen dataclasses (screens never see ORM objects).

- The follow-up queue: calls due now or earlier (the oldest first, so what is overdue
  from an earlier day leads), then the rest of today's; beside them the calls escalated
  to the service manager after three misses. Any coming day can be looked at instead of
  today (a customer who asked to be called on Friday at three is on Friday's list at
  three), and an open call is found by plate, name or order number whatever its day.
- The complaint list: open and in-progress cases first (the oldest first: they have
  waited longest), then the cases resolved in the last :data:`RESOLVED_DAYS` days.
- The reminders list: vehicles whose next service is due within N days by date, or
  within N km by an estimate of today's mileage. The estimate takes the vehicle's own
  pace: the distance between its first and last odometer readings (taken at check-in)
  over the days between them, when they lie at least :data:`MIN_SPAN_DAYS` apart; else,
  with a sale date at least that long before its one reading, the reading over the days
  since the sale (a new car starts near zero); else :data:`DEFAULT_KM_PER_DAY` (about
  14 600 km a year, a typical private car here). Vehicles with an open order or a booked
  appointment are left out (they are coming), as are those reached by a reminder call in
  the last ``REMINDER_QUIET_DAYS`` days, and those more than :data:`LAPSED_DAYS` past due
  (a lapsed customer is a win-back campaign, not a reminder call).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Appointment,
    Complaint,
    Customer,
    FollowUp,
    OdometerReading,
    ReminderCall,
    RepairOrder,
    User,
    Vehicle,
)
from frontdesk.model.enums import AppointmentStatus, ComplaintStatus, FollowUpStatus, OrderStatus, Role
from frontdesk.model.recommendation import NOT_TAKEN_UP, Recommendation

from .aftercare import OWNER_ROLES, REMINDER_QUIET_DAYS, SCORE_FIELDS
from .context import Actor, Services
from .errors import NotFound, ValidationError
from .validation import normalise_plate, plate_search_key

RESOLVED_DAYS = 30
DEFAULT_KM_PER_DAY = 40
MIN_SPAN_DAYS = 7
LAPSED_DAYS = 90
FIND_LIMIT = 500  # calls in one list: a store's open calls are far fewer
DEFAULT_REMINDER_DAYS = 30
DEFAULT_REMINDER_KM = 1000
FINISHED = (OrderStatus.CLOSED, OrderStatus.CANCELLED)


def _day_end(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())


# The follow-up queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class CallItem:
    """One follow-up call to make (or escalated to the manager)."""

    id: int
    version: int
    status: FollowUpStatus
    due_at: dt.datetime
    overdue: bool  # it was due on an earlier day
    # The customer asked for this time at delivery: not the one the settlement offers by default
    # (follow_up_days after delivery at FOLLOW_UP_HOUR), which every settlement records as well.
    agreed: bool
    order_id: int
    order_number: str
    customer_name: str
    phone: str
    plate: str
    model: str
    delivered_at: dt.datetime | None
    advisor: str
    attempts: int
    last_attempt_at: dt.datetime | None
    last_caller: str
    last_note: str


@dataclass(frozen=True)
class FollowUpQueue:
    due: tuple[CallItem, ...]  # due now or earlier, oldest first
    later_today: tuple[CallItem, ...]
    escalated: tuple[CallItem, ...]  # the service manager's, oldest first
    taken_at: dt.datetime
    day: dt.date | None = None  # a coming day looked at instead of today: its calls are ``ahead``
    ahead: tuple[CallItem, ...] = ()
    find: str = ""  # what was searched for: the open calls it matches are ``found``
    found: tuple[CallItem, ...] = ()


def follow_up_queue(services: Services, actor: Actor, day: dt.date | None = None, find: str = "") -> FollowUpQueue:
    """Today's calls (or, with ``day`` after today, that day's), the escalated ones, and the open calls ``find`` matches.

    ``find`` is part of a plate (粤a12 finds 粤A12345), of the customer's name or of the order number.
    """
    now = services.clock()
    today = now.date()
    looking_ahead = day is not None and day > today
    wanted = find.strip()
    with services.db.reader() as s:
        days = services.settings.follow_up_days
        escalated = _calls(s, actor, now, days, FollowUp.status == FollowUpStatus.ESCALATED)
        found: list[CallItem] = []
        if wanted:
            plate = plate_search_key(wanted)
            found = _calls(s, actor, now, days, FollowUp.status.in_((FollowUpStatus.DUE, FollowUpStatus.ESCALATED)), or_(
                *([Vehicle.plate.contains(plate, autoescape=True)] if plate else []),
                Customer.name.contains(wanted, autoescape=True),
                RepairOrder.number.contains(wanted.upper(), autoescape=True)))
        ahead: list[CallItem] = []
        due: list[CallItem] = []
        later: list[CallItem] = []
        if looking_ahead:
            assert day is not None
            start = dt.datetime.combine(day, dt.time())
            ahead = _calls(s, actor, now, days, FollowUp.status == FollowUpStatus.DUE, FollowUp.due_at >= start,
                           FollowUp.due_at < start + dt.timedelta(days=1))
        else:
            for item in _calls(s, actor, now, days, FollowUp.status == FollowUpStatus.DUE,
                               FollowUp.due_at < _day_end(now)):
                (due if item.due_at <= now else later).append(item)
    return FollowUpQueue(tuple(due), tuple(later), tuple(escalated), now, day=day if looking_ahead else None,
                         ahead=tuple(ahead), find=wanted, found=tuple(found))


def _calls(s: Session, actor: Actor, now: dt.datetime, days: int, *where: ColumnElement[bool]) -> list[CallItem]:
    """The store's follow-up calls that meet ``where``, in the order they fall due."""
    from .cashier_views import FOLLOW_UP_HOUR

    def asked(at: dt.datetime | None, left: dt.datetime | None) -> bool:
        offered = None if left is None else dt.datetime.combine(left.date() + dt.timedelta(days=days),
                                                                dt.time(FOLLOW_UP_HOUR))
        return at is not None and at != offered

    advisor, caller = aliased(User), aliased(User)
    rows = s.execute(
        select(FollowUp, RepairOrder.number, RepairOrder.contact_phone, RepairOrder.delivered_at,
               RepairOrder.closed_at, RepairOrder.follow_up_at, Vehicle.plate, Vehicle.make, Vehicle.model,
               Customer.name, Customer.phone, advisor.display_name, caller.display_name)
        .join(RepairOrder, RepairOrder.id == FollowUp.order_id)
        .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
        .join(Customer, Customer.id == RepairOrder.customer_id)
        .join(advisor, advisor.id == RepairOrder.advisor_id)
        .outerjoin(caller, caller.id == FollowUp.caller_id)
        .where(FollowUp.store_id == actor.store_id, *where)
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(FIND_LIMIT)
    ).all()
    today = now.date()
    return [
        CallItem(
            f.id, f.version, f.status, f.due_at, f.due_at.date() < today, asked(agreed, delivered or closed),
            f.order_id, number, name,
            contact or phone, plate or "", f"{make} {model}", delivered or closed, adv, f.attempts, f.last_attempt_at,
            last_caller or "", f.comments,
        )
        for (f, number, contact, delivered, closed, agreed, plate, make, model, name, phone, adv, last_caller) in rows
    ]


@dataclass(frozen=True)
class CallOutcome:
    """What recording a call left: done (maybe with a complaint), a retry time, or escalated."""

    follow_up_id: int
    status: FollowUpStatus
    reached: bool | None
    attempts: int
    due_at: dt.datetime
    scores: tuple[int | None, ...]  # in SCORE_FIELDS order
    complaint_id: int | None  # the case this call opened


def call_outcome(services: Services, actor: Actor, follow_up_id: int) -> CallOutcome:
    with services.db.reader() as s:
        f = s.get(FollowUp, follow_up_id)
        if f is None or f.store_id != actor.store_id:
            raise NotFound("follow_up", _("No such follow-up call in this store."))
        complaint_id = None
        if f.reached and f.last_attempt_at is not None:
            complaint_id = s.scalar(select(Complaint.id).where(
                Complaint.order_id == f.order_id, Complaint.opened_at == f.last_attempt_at,
                Complaint.opened_by_id == f.caller_id).order_by(Complaint.id.desc()).limit(1))
        return CallOutcome(f.id, f.status, f.reached, f.attempts, f.due_at,
                           tuple(getattr(f, f"score_{name}") for name in SCORE_FIELDS), complaint_id)


# Complaints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintItem:
    id: int
    version: int
    status: ComplaintStatus
    opened_at: dt.datetime
    age_days: int  # open cases: days since opened; resolved: days it took
    description: str
    order_id: int | None
    order_number: str
    plate: str
    customer_name: str
    phone: str
    advisor: str  # the order's advisor
    owner_id: int | None
    owner: str
    opened_by: str
    resolution: str
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class Owner:
    """A user who may own a complaint case."""

    id: int
    name: str
    role: Role


@dataclass(frozen=True)
class ComplaintBoard:
    active: tuple[ComplaintItem, ...]  # open and in progress, oldest first
    resolved: tuple[ComplaintItem, ...]  # resolved in the last RESOLVED_DAYS days, newest first
    owners: tuple[Owner, ...]
    taken_at: dt.datetime

    @property
    def items(self) -> tuple[ComplaintItem, ...]:
        return self.active + self.resolved


def complaint_board(services: Services, actor: Actor) -> ComplaintBoard:
    now = services.clock()
    since = now - dt.timedelta(days=RESOLVED_DAYS)
    owner, opener, advisor = aliased(User), aliased(User), aliased(User)
    with services.db.reader() as s:
        rows = s.execute(
            select(Complaint, RepairOrder.number, RepairOrder.contact_phone, Vehicle.plate, Customer.name,
                   Customer.phone, advisor.display_name, owner.display_name, opener.display_name)
            .join(Customer, Customer.id == Complaint.customer_id)
            .outerjoin(RepairOrder, RepairOrder.id == Complaint.order_id)
            .outerjoin(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
            .outerjoin(advisor, advisor.id == RepairOrder.advisor_id)
            .outerjoin(owner, owner.id == Complaint.owner_id)
            .outerjoin(opener, opener.id == Complaint.opened_by_id)
            .where(Complaint.store_id == actor.store_id, or_(
                Complaint.status != ComplaintStatus.RESOLVED, Complaint.resolved_at >= since))
            .order_by(Complaint.opened_at, Complaint.id)
        ).all()
        owners = tuple(Owner(i, n, r) for i, n, r in s.execute(
            select(User.id, User.display_name, User.role)
            .where(User.store_id == actor.store_id, User.active.is_(True), User.role.in_(list(OWNER_ROLES)))
            .order_by(User.role != Role.MANAGER, User.display_name)
        ).all())
    active: list[ComplaintItem] = []
    resolved: list[ComplaintItem] = []
    for c, number, contact, plate, name, phone, adv, owner_name, opener_name in rows:
        end = c.resolved_at if c.status == ComplaintStatus.RESOLVED and c.resolved_at else now
        item = ComplaintItem(
            c.id, c.version, c.status, c.opened_at, (end.date() - c.opened_at.date()).days, c.description, c.order_id,
            number or "", plate or "", name, contact or phone, adv or "", c.owner_id, owner_name or "",
            opener_name or "", c.resolution, c.resolved_at,
        )
        (resolved if c.status == ComplaintStatus.RESOLVED else active).append(item)
    resolved.sort(key=lambda i: (i.resolved_at or now, i.id), reverse=True)
    return ComplaintBoard(tuple(active), tuple(resolved), owners, now)


@dataclass(frozen=True)
class OrderRef:
    """The order a new complaint is about."""

    order_id: int
    number: str
    plate: str
    customer_name: str
    checked_in_at: dt.datetime


def complaint_order(services: Services, actor: Actor, text: str) -> OrderRef:
    """The order named by its number, or the car's latest order here when a plate is typed."""
    wanted = " ".join(text.split()).upper()
    if not wanted:
        raise ValidationError("order", _("Type the order number or the plate."))
    with services.db.reader() as s:
        stmt = (select(RepairOrder.id, RepairOrder.number, Vehicle.plate, Customer.name, RepairOrder.checked_in_at)
                .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id).join(Customer, Customer.id == RepairOrder.customer_id)
                .where(RepairOrder.store_id == actor.store_id, RepairOrder.status != OrderStatus.CANCELLED))
        row = s.execute(stmt.where(RepairOrder.number == wanted)).first()
        if row is None:
            try:
                plate = normalise_plate(wanted)
            except ValidationError:
                plate = None
            if plate is not None:
                row = s.execute(stmt.where(Vehicle.plate == plate)
                                .order_by(RepairOrder.checked_in_at.desc()).limit(1)).first()
    if row is None:
        raise NotFound("order", _("No order {text} in this store.").format(text=wanted))
    return OrderRef(*row)


# Reminders -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderItem:
    vehicle_id: int
    plate: str
    model: str
    customer_name: str
    phone: str
    last_visit: dt.datetime  # the last check-in at this store
    last_odometer_km: int
    last_reading_on: dt.date | None
    km_per_day: int  # the pace the estimate uses (rounded for display)
    pace_source: str  # "readings" | "sale" | "default"
    estimated_km: int  # today's mileage, estimated
    next_service_date: dt.date | None
    next_service_km: int | None
    days_left: int | None  # to the next service date (negative: overdue)
    km_left: int | None  # to the next service mileage, from the estimate (negative: over)
    due_on: dt.date  # the earlier of the date and the day the mileage is reached at this pace
    by_date: bool
    by_km: bool
    last_call_at: dt.datetime | None
    last_call_reached: bool | None
    last_call_result: str  # a REMINDER_RESULTS code, "" when never called
    last_call_notes: str
    #: What the car still needs, found on its visits and not done ("⚠" before a safety item): said on the call.
    recommended: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemindersList:
    items: tuple[ReminderItem, ...]  # soonest due first
    days: int
    km: int
    taken_at: dt.datetime


class Pace(NamedTuple):
    """Kilometres per day as a fraction (exact arithmetic: the estimate is whole kilometres)."""

    km: int
    days: int
    source: str

    def over(self, days: int) -> int:
        return self.km * days // self.days

    def days_for(self, km: int) -> int:
        """Days to cover ``km`` at this pace (rounded up); 0 when there is nothing left."""
        if km <= 0:
            return 0
        if self.km <= 0:
            return 10 ** 5  # the car does not move: the mileage never comes
        return -(-km * self.days // self.km)

    @property
    def per_day(self) -> int:
        return (self.km + self.days // 2) // self.days if self.km > 0 else 0


def pace(readings: int, first_km: int | None, last_km: int | None, first_on: dt.date | None,
         last_on: dt.date | None, sale_date: dt.date | None) -> Pace:
    """The vehicle's mileage per day, from its readings, else its sale date, else the default."""
    if readings >= 2 and first_on and last_on and first_km is not None and last_km is not None:
        span = (last_on - first_on).days
        if span >= MIN_SPAN_DAYS:
            return Pace(max(last_km - first_km, 0), span, "readings")
    if last_on and last_km is not None and sale_date is not None:
        span = (last_on - sale_date).days
        if span >= MIN_SPAN_DAYS:
            return Pace(max(last_km, 0), span, "sale")
    return Pace(DEFAULT_KM_PER_DAY, 1, "default")


def _still_recommended(s: Session, store_id: int, ids: Select) -> dict[int, tuple[str, ...]]:  # type: ignore[type-arg]
    """The recommendations not taken up, by vehicle, in one query (services/recommendations.py)."""
    found: dict[int, list[str]] = {}
    for vehicle_id, description, safety in s.execute(
            select(Recommendation.vehicle_id, Recommendation.description, Recommendation.safety)
            .where(Recommendation.vehicle_id.in_(ids), Recommendation.store_id == store_id,
                   Recommendation.status.in_(NOT_TAKEN_UP)).order_by(Recommendation.found_at, Recommendation.id)):
        found.setdefault(vehicle_id, []).append(f"⚠ {description}" if safety else description)
    return {k: tuple(v) for k, v in found.items()}


def reminders(services: Services, actor: Actor, days: int = DEFAULT_REMINDER_DAYS,
              km: int = DEFAULT_REMINDER_KM) -> RemindersList:
    """Vehicles to call about their next service: due within ``days`` days or ``km`` kilometres."""
    now = services.clock()
    today = now.date()
    horizon = today + dt.timedelta(days=days)
    lapsed = today - dt.timedelta(days=LAPSED_DAYS)
    with services.db.reader() as s:
        visits = (
            select(RepairOrder.vehicle_id.label("vehicle_id"), func.max(RepairOrder.checked_in_at).label("last_visit"))
            .where(RepairOrder.store_id == actor.store_id, RepairOrder.status != OrderStatus.CANCELLED)
            .group_by(RepairOrder.vehicle_id).subquery()
        )
        wanted = _reminder_candidates(visits, today, lapsed, days)
        candidates = s.execute(wanted).all()
        if not candidates:
            return RemindersList((), days, km, now)
        ids = select(wanted.subquery().c.id)  # the same vehicles, named to the database by the query itself
        readings = _readings(s, ids)
        calls = _last_calls(s, actor.store_id, ids)
        recommended = _still_recommended(s, actor.store_id, ids)
    quiet_since = now - dt.timedelta(days=REMINDER_QUIET_DAYS)
    items: list[ReminderItem] = []
    for row in candidates:
        call = calls.get(row.id)
        if call is not None and call.reached and call.at >= quiet_since:
            continue
        n, first_on, km_first, last_on, km_last = readings.get(row.id, (0, None, None, None, None))
        p = pace(n, km_first, km_last, first_on, last_on, row.sale_date)
        base_km = row.last_odometer_km
        since = (today - last_on).days if last_on else (today - row.last_visit.date()).days
        estimated = base_km + p.over(max(since, 0))
        days_left = (row.next_service_date - today).days if row.next_service_date else None
        km_left = row.next_service_km - estimated if row.next_service_km is not None else None
        by_date = row.next_service_date is not None and row.next_service_date <= horizon
        by_km = km_left is not None and km_left <= km
        if not (by_date or by_km):
            continue
        dues = [row.next_service_date] if row.next_service_date else []
        if km_left is not None:
            dues.append(today + dt.timedelta(days=p.days_for(km_left)))
        due_on = min(dues)
        if due_on < lapsed:
            continue
        items.append(ReminderItem(
            row.id, row.plate, f"{row.make} {row.model}", row.name, row.phone, row.last_visit, base_km, last_on,
            p.per_day, p.source, estimated, row.next_service_date, row.next_service_km, days_left, km_left, due_on,
            by_date, by_km, call.at if call else None, call.reached if call else None, call.result if call else "",
            call.notes if call else "", recommended.get(row.id, ()),
        ))
    items.sort(key=lambda i: (i.due_on, i.plate))
    return RemindersList(tuple(items), days, km, now)


def _reminder_candidates(visits, today: dt.date, lapsed: dt.date, days: int) -> Select:  # type: ignore[no-untyped-def, type-arg]
    """Vehicles this store serviced with a next service recorded, not coming in already.

    By date the window is bounded in SQL; by mileage the estimate needs Python, so every
    vehicle with a next mileage and a visit recent enough to matter is read.
    """
    open_order = exists().where(RepairOrder.vehicle_id == Vehicle.id, RepairOrder.status.not_in(FINISHED))
    booked = exists().where(Appointment.vehicle_id == Vehicle.id, Appointment.status == AppointmentStatus.BOOKED,
                            Appointment.scheduled_at >= dt.datetime.combine(today, dt.time()))
    horizon = today + dt.timedelta(days=days)
    recent = dt.datetime.combine(lapsed - dt.timedelta(days=365), dt.time())
    return (
        select(Vehicle.id, Vehicle.plate, Vehicle.make, Vehicle.model, Vehicle.sale_date, Vehicle.last_odometer_km,
               Vehicle.next_service_date, Vehicle.next_service_km, Customer.name, Customer.phone, visits.c.last_visit)
        .join(visits, visits.c.vehicle_id == Vehicle.id)
        .join(Customer, Customer.id == Vehicle.customer_id)
        .where(or_(
            and_(Vehicle.next_service_date >= lapsed, Vehicle.next_service_date <= horizon),
            # Due by mileage before the date: only a date still ahead (a date long past is lapsed either way).
            and_(Vehicle.next_service_km.is_not(None), visits.c.last_visit >= recent,
                 or_(Vehicle.next_service_date.is_(None), Vehicle.next_service_date > horizon)),
        ), ~open_order, ~booked)
    )


def _readings(s: Session, ids: Select) -> dict[int, tuple[int, dt.date, int, dt.date, int]]:  # type: ignore[type-arg]
    """Per vehicle: how many readings, the first (day, km) and the last (day, km)."""
    out: dict[int, tuple[int, dt.date, int, dt.date, int]] = {}
    for vehicle_id, at, km in s.execute(
        select(OdometerReading.vehicle_id, OdometerReading.read_at, OdometerReading.km)
        .where(OdometerReading.vehicle_id.in_(ids))
        .order_by(OdometerReading.vehicle_id, OdometerReading.read_at, OdometerReading.id)
    ):
        seen = out.get(vehicle_id)
        if seen is None:
            out[vehicle_id] = (1, at.date(), km, at.date(), km)
        else:
            out[vehicle_id] = (seen[0] + 1, seen[1], seen[2], at.date(), km)
    return out


def _last_calls(s: Session, store_id: int, ids: Select) -> dict[int, ReminderCall]:
    latest = (select(func.max(ReminderCall.id)).where(ReminderCall.store_id == store_id, ReminderCall.vehicle_id.in_(ids))
              .group_by(ReminderCall.vehicle_id))
    return {c.vehicle_id: c for c in s.scalars(select(ReminderCall).where(ReminderCall.id.in_(latest)))}
