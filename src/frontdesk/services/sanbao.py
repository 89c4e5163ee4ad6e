"""三包: a family car's right to a replacement or refund, watched while the car is in its period.

China's rules on the repair, replacement and return of family cars (家用汽车产品修理更换退货
责任规定, 2021) give a car in its 三包 period (settings ``sanbao_years`` / ``sanbao_km``, from the
sale date, whichever ends first) the right to a replacement or refund when, among others, the
same serious fault (brakes, steering; the engine's or gearbox's main parts) has been repaired
``sanbao_repeat_limit`` times and comes back, or its repairs have kept it more than
``sanbao_days_limit`` days in total. The store must see that coming: the advisor at check-in
(screens/checkin.py) and the manager on the watch list (screens/sanbao.py).

What counts, decided here (the rules speak of repairs of quality faults):

* a *repair* is a job paid under warranty (the maker's quality repair: customer-paid wear and
  maintenance, accident repairs, internal work are not 三包 repairs) whose labour operation names
  a system (``LaborOperation.system``, copied to the job: routine work has none), approved or
  done (a proposal or a declined job is not);
* a visit (an order, cancelled ones aside) with at least one repair counts once per system it
  repaired, and its days count towards the total: from check-in to ready (the repair done), or
  to now while the car is still in; a started 24 hours is a day, a same-day repair one day (as
  the rules count 修理时间);
* only the serious systems (:data:`SERIOUS`) are flagged for repeats; the others are shown.

The state kept on the order (``RepairOrder.sanbao_status``): ``none`` out of the period (or
the sale date unknown), ``threshold`` when the days or a serious system's repeats have reached
their limit, ``warning`` at ``sanbao_days_warn`` days or one repair short of the repeat limit,
otherwise ``in_period``. It is set at check-in from the earlier visits and brought up to date,
this visit included, when the car is ready and when it is delivered (:func:`refresh_order`,
called by services/workshop.py and services/delivery.py). A car out of its period at check-in
stays ``none`` on that order: its mileage and age only grow.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from frontdesk.config import Settings
from frontdesk.i18n import N_, gettext as _, ngettext
from frontdesk.model import Customer, Job, RepairOrder, Vehicle
from frontdesk.model.enums import JobStatus, OrderStatus, PayType, SanbaoState, VehicleSystem

from .context import Actor, Services, Tx, require, unflushed
from .errors import ValidationError

S = VehicleSystem
#: The systems whose repeated repair gives the right to a replacement or refund (制动、转向; 发动机、变速器).
SERIOUS: frozenset[VehicleSystem] = frozenset({S.BRAKES, S.STEERING, S.ENGINE, S.TRANSMISSION})
SYSTEM_LABEL: dict[VehicleSystem, str] = {
    S.ENGINE: N_("Engine"), S.TRANSMISSION: N_("Transmission"), S.STEERING: N_("Steering"),
    S.BRAKES: N_("Brakes"), S.SUSPENSION: N_("Suspension"), S.DRIVE: N_("Axles and drive"),
    S.BODY: N_("Car body"), S.ELECTRICAL: N_("Electrical"), S.OTHER: N_("Other system"),
}
STATE_LABEL: dict[SanbaoState, str] = {
    SanbaoState.NONE: N_("Not in the 三包 period"), SanbaoState.IN_PERIOD: N_("In the 三包 period"),
    SanbaoState.WARNING: N_("Near a 三包 threshold"), SanbaoState.THRESHOLD: N_("三包 threshold reached"),
}
#: A labour operation's category (the demo's catalogue, a maker's labour-time table) → its system, when
#: the operation does not name one; routine categories (maintenance, tyres, inspection…) have none.
SYSTEM_OF_CATEGORY: dict[str, VehicleSystem] = {
    "engine": S.ENGINE, "transmission": S.TRANSMISSION, "steering": S.STEERING, "brakes": S.BRAKES,
    "suspension": S.SUSPENSION, "drive": S.DRIVE, "body": S.BODY, "paint": S.BODY, "glass": S.BODY,
    "electrical": S.ELECTRICAL, "new_energy": S.ELECTRICAL, "air_conditioning": S.OTHER,
    "发动机": S.ENGINE, "变速箱": S.TRANSMISSION, "变速器": S.TRANSMISSION, "转向": S.STEERING, "制动": S.BRAKES,
    "刹车": S.BRAKES, "悬架": S.SUSPENSION, "悬挂": S.SUSPENSION, "传动": S.DRIVE, "车身": S.BODY, "钣金": S.BODY,
    "喷漆": S.BODY, "电器": S.ELECTRICAL, "电气": S.ELECTRICAL,
}
#: Jobs that are not (yet) work on the car.
_NOT_WORK = (JobStatus.PROPOSED, JobStatus.DECLINED)


def system_of(category: str) -> VehicleSystem | None:
    return SYSTEM_OF_CATEGORY.get(category.strip().lower())


def system_label(system: VehicleSystem | str | None) -> str:
    return _(SYSTEM_LABEL[VehicleSystem(system)]) if system else ""


def parse_system(value: VehicleSystem | str) -> VehicleSystem | None:
    """A system as a file or a form gives it: its code, or its name in either language; blank: none."""
    raw = str(value).strip()
    if not raw:
        return None
    folded = raw.lower()
    for system, msgid in SYSTEM_LABEL.items():
        if folded in (system.value, msgid.lower(), _(msgid).lower()):
            return system
    if folded in SYSTEM_OF_CATEGORY:
        return SYSTEM_OF_CATEGORY[folded]
    raise ValidationError("system", _("Unknown vehicle system: {value} (engine, transmission, steering, brakes, "
                                      "suspension, drive, body, electrical, other).").format(value=raw))


# The rule, on plain data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One order's repairs, as the rule reads them."""

    order_id: int
    checked_in_at: dt.datetime
    done_at: dt.datetime | None  # ready (or delivered); None: still in the workshop
    systems: frozenset[VehicleSystem]


@dataclass(frozen=True)
class SanbaoStatus:
    vehicle_id: int
    state: SanbaoState
    in_period: bool
    #: The last day of the period by age (its mileage end is ``settings.sanbao_km``).
    period_ends_on: dt.date | None
    days: int  # days in the workshop for repairs within the period
    repeats: tuple[tuple[VehicleSystem, int], ...]  # repairs per system, most first
    alert: str  # "" when there is nothing to flag


@dataclass(frozen=True)
class SanbaoRow:
    """A car of the manager's watch list."""

    vehicle_id: int
    plate: str
    customer: str
    phone: str
    model: str
    sale_date: dt.date
    period_ends_on: dt.date
    odometer_km: int
    days: int
    repeats: tuple[tuple[VehicleSystem, int], ...]
    state: SanbaoState
    alert: str


def period_end(sale_date: dt.date, years: int) -> dt.date:
    """The last day of the period: the day before the sale date's anniversary (29 February: 28th)."""
    try:
        anniversary = sale_date.replace(year=sale_date.year + years)
    except ValueError:
        anniversary = sale_date.replace(year=sale_date.year + years, day=28)
    return anniversary - dt.timedelta(days=1)


def in_period(sale_date: dt.date | None, odometer_km: int, on: dt.date, settings: Settings) -> bool:
    return sale_date is not None and sale_date <= on <= period_end(sale_date, settings.sanbao_years) \
        and odometer_km <= settings.sanbao_km


def visit_days(visit: Visit, now: dt.datetime) -> int:
    """Days a repair kept the car: a started 24 hours counts one day, so a same-day repair is one."""
    end = visit.done_at if visit.done_at is not None and visit.done_at <= now else now
    seconds = (end - visit.checked_in_at).total_seconds()
    return max(1, math.ceil(seconds / 86400))


def evaluate(vehicle_id: int, sale_date: dt.date | None, odometer_km: int, visits: Iterable[Visit],
             now: dt.datetime, settings: Settings) -> SanbaoStatus:
    """The car's standing under 三包 from its visits with repairs (see the module's docstring)."""
    on = now.date()
    if sale_date is None or not in_period(sale_date, odometer_km, on, settings):
        ends = period_end(sale_date, settings.sanbao_years) if sale_date else None
        return SanbaoStatus(vehicle_id, SanbaoState.NONE, False, ends, 0, (), "")
    # Visits begun by ``now`` (an earlier moment asked about sees the visits of then).
    counted = [v for v in visits if v.systems and sale_date <= v.checked_in_at.date() and v.checked_in_at <= now]
    days = sum(visit_days(v, now) for v in counted)
    per_system = Counter(s for v in counted for s in v.systems)
    repeats = tuple(sorted(per_system.items(), key=lambda item: (-item[1], list(S).index(item[0]))))
    serious = [(s, n) for s, n in repeats if s in SERIOUS]
    worst = max((n for _s, n in serious), default=0)
    limit, warn, repeat_limit = settings.sanbao_days_limit, settings.sanbao_days_warn, settings.sanbao_repeat_limit
    if days >= limit or worst >= repeat_limit:
        state = SanbaoState.THRESHOLD
    elif days >= warn or (worst and worst >= repeat_limit - 1):
        state = SanbaoState.WARNING
    else:
        state = SanbaoState.IN_PERIOD
    return SanbaoStatus(vehicle_id, state, True, period_end(sale_date, settings.sanbao_years), days, repeats,
                        _alert(state, days, serious, settings))


def _alert(state: SanbaoState, days: int, serious: list[tuple[VehicleSystem, int]], settings: Settings) -> str:
    if state not in (SanbaoState.WARNING, SanbaoState.THRESHOLD):
        return ""
    parts = [ngettext("{system} repaired {n} time (limit {limit})", "{system} repaired {n} times (limit {limit})",
                      n).format(system=system_label(s), n=n, limit=settings.sanbao_repeat_limit)
             for s, n in serious if n >= settings.sanbao_repeat_limit - 1]
    if days >= settings.sanbao_days_warn or not parts:
        parts.append(_("{days} of {limit} days in the workshop").format(days=days, limit=settings.sanbao_days_limit))
    head = _("三包 threshold reached") if state == SanbaoState.THRESHOLD else _("三包: near a threshold")
    return _("{head}: {what}").format(head=head, what="; ".join(parts))


def repeats_text(repeats: Iterable[tuple[VehicleSystem, int]]) -> str:
    """"Brakes 2 · Engine 1": the repairs per system on one line."""
    return " · ".join(f"{system_label(s)} {n}" for s, n in repeats)


# Reading the visits ---------------------------------------------------------------------------


def _visit_query():  # type: ignore[no-untyped-def]
    """Each repair job with its order's times; the caller narrows it to its cars."""
    return (select(RepairOrder.vehicle_id, RepairOrder.id, RepairOrder.store_id, RepairOrder.checked_in_at,
                   RepairOrder.ready_at, RepairOrder.delivered_at, Job.system)
            .join(Job, Job.order_id == RepairOrder.id)
            .where(RepairOrder.status != OrderStatus.CANCELLED, Job.system.is_not(None),
                   Job.pay_type == PayType.WARRANTY, Job.status.not_in(_NOT_WORK)))


def _visits(rows: Iterable[Row]) -> dict[int, dict[int, Visit]]:
    """vehicle id → order id → visit, from :func:`_visit_query`'s rows."""
    systems: dict[int, set[VehicleSystem]] = {}
    heads: dict[int, tuple[int, dt.datetime, dt.datetime | None]] = {}
    for vehicle_id, order_id, _store, checked_in_at, ready_at, delivered_at, system in rows:
        heads[order_id] = (vehicle_id, checked_in_at, ready_at or delivered_at)
        systems.setdefault(order_id, set()).add(VehicleSystem(system))
    out: dict[int, dict[int, Visit]] = {}
    for order_id, (vehicle_id, checked_in_at, done_at) in heads.items():
        out.setdefault(vehicle_id, {})[order_id] = Visit(order_id, checked_in_at, done_at,
                                                         frozenset(systems[order_id]))
    return out


def order_visit(order: RepairOrder) -> Visit:
    """An order as it stands in this session (its jobs as loaded, changes not yet written included)."""
    systems = frozenset(VehicleSystem(j.system) for j in order.jobs if j.system is not None
                        and j.pay_type == PayType.WARRANTY and j.status not in _NOT_WORK)
    return Visit(order.id, order.checked_in_at, order.ready_at or order.delivered_at, systems)


def _vehicle_visits(session: Session, vehicle: Vehicle, current: RepairOrder | None) -> list[Visit]:
    assert vehicle.sale_date is not None
    found = _visits(session.execute(_visit_query().where(
        RepairOrder.vehicle_id == vehicle.id,
        RepairOrder.checked_in_at >= dt.datetime.combine(vehicle.sale_date, dt.time())))).get(vehicle.id, {})
    for order in unflushed(session, RepairOrder, vehicle_id=vehicle.id):  # a batch's, not written yet
        if order.status != OrderStatus.CANCELLED:
            found[order.id] = order_visit(order)
    if current is not None:
        found[current.id] = order_visit(current)
    return list(found.values())


def vehicle_status(session: Session, vehicle: Vehicle, odometer_km: int, now: dt.datetime, settings: Settings,
                   current: RepairOrder | None = None) -> SanbaoStatus:
    """The car's status in a session: its visits read only when it is in its period."""
    if vehicle.sale_date is None or not in_period(vehicle.sale_date, odometer_km, now.date(), settings):
        return evaluate(vehicle.id, vehicle.sale_date, odometer_km, (), now, settings)
    return evaluate(vehicle.id, vehicle.sale_date, odometer_km, _vehicle_visits(session, vehicle, current), now,
                    settings)


def status_for_vehicle(services: Services, actor: Actor, vehicle_id: int, *, odometer_km: int | None = None,
                       on: dt.datetime | dt.date | None = None) -> SanbaoStatus | None:
    """The car's 三包 standing now (or ``on``), at its last reading or ``odometer_km``; None: no sale date known."""
    require(actor, "sanbao.view")
    now = _moment(services, on)
    with services.db.reader() as session:
        vehicle = session.get(Vehicle, vehicle_id)
        if vehicle is None or vehicle.sale_date is None:
            return None
        km = vehicle.last_odometer_km if odometer_km is None else odometer_km
        return vehicle_status(session, vehicle, km, now, services.settings)


def watch_list(services: Services, actor: Actor, *, on: dt.datetime | dt.date | None = None) -> list[SanbaoRow]:
    """Cars in their period near or over a threshold that this store has repaired: the worst first.

    One query: the repair jobs of the cars sold within the period's years that have a repair at
    this store (visits at the group's other stores count too: the period is the car's).
    """
    require(actor, "sanbao.view")
    now = _moment(services, on)
    settings = services.settings
    since = now.date() - dt.timedelta(days=366 * settings.sanbao_years + 1)  # every car still in its period
    with services.db.reader() as session:
        rows = session.execute(_visit_query().where(RepairOrder.vehicle_id.in_(
            select(Vehicle.id).where(Vehicle.sale_date >= since)))).all()
        here = {r[0] for r in rows if r[2] == actor.store_id}
        by_vehicle = _visits(r for r in rows if r[0] in here)
        cars = session.execute(select(Vehicle.id, Vehicle.plate, Vehicle.model, Vehicle.sale_date,
                                      Vehicle.last_odometer_km, Customer.name, Customer.phone)
                               .join(Customer, Customer.id == Vehicle.customer_id)
                               .where(Vehicle.id.in_(sorted(here)))).all() if here else []
    out = []
    for vehicle_id, plate, model, sale_date, km, name, phone in cars:
        status = evaluate(vehicle_id, sale_date, km, by_vehicle.get(vehicle_id, {}).values(), now, settings)
        if status.state in (SanbaoState.WARNING, SanbaoState.THRESHOLD):
            out.append(SanbaoRow(vehicle_id, plate or "", name, phone, model, sale_date,
                                 period_end(sale_date, settings.sanbao_years), km, status.days, status.repeats,
                                 status.state, status.alert))
    rank = {SanbaoState.THRESHOLD: 0, SanbaoState.WARNING: 1}
    out.sort(key=lambda r: (rank[r.state], -max((n for s, n in r.repeats if s in SERIOUS), default=0), -r.days,
                            r.plate))
    return out


def _moment(services: Services, on: dt.datetime | dt.date | None) -> dt.datetime:
    if on is None:
        return services.clock()
    if isinstance(on, dt.datetime):
        return on
    return dt.datetime.combine(on, dt.time(23, 59))


# Kept on the order --------------------------------------------------------------------------------


def check_in_status(tx: Tx, order: RepairOrder, vehicle: Vehicle) -> None:
    """At check-in: where the car stands from its earlier visits (this one has no work yet)."""
    order.sanbao_status = vehicle_status(tx.session, vehicle, order.odometer_km, tx.now, tx.settings).state


def refresh_order(tx: Tx, order: RepairOrder) -> SanbaoState:
    """Ready or delivered: the status again with this visit's repairs and days (orders out of the period stay)."""
    if order.sanbao_status != SanbaoState.NONE:
        vehicle = tx.session.get(Vehicle, order.vehicle_id)  # (a batch's order may not carry its relations)
        assert vehicle is not None
        order.sanbao_status = vehicle_status(tx.session, vehicle, order.odometer_km, tx.now, tx.settings,
                                             current=order).state
    return order.sanbao_status


__all__ = ["SERIOUS", "SYSTEM_LABEL", "SYSTEM_OF_CATEGORY", "SanbaoRow", "SanbaoStatus", "Visit", "evaluate",
           "in_period", "parse_system", "period_end", "refresh_order", "repeats_text", "status_for_vehicle",
           "system_label", "system_of", "watch_list"]
