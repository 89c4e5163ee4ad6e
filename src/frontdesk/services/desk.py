"""What the desk screens show, read in short sessions and handed over as plain dataclasses.

Screens never see ORM objects (they would lazy-load from a closed session in the UI
thread); every function here opens a read-only session, reads what one screen needs in
a few queries, and returns frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from frontdesk.dbapi import as_decimal, escape_like, in_list
from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Job,
    OdometerReading,
    RepairOrder,
    StockLevel,
    Vehicle,
)
from frontdesk.model.enums import (
    JobStatus,
    OrderStatus,
    WarrantyStatus,
)
from frontdesk.model.recommendation import RecommendationStatus
from frontdesk.walkaround_items import WalkaroundItems, items_of

from . import catalog_use, recommendations
from .aftercare_views import Pace, pace
from .checkin import warranty_status
from .common import read_order
from .context import Actor, Services
from .desk_home import IN_HOUSE, AppointmentRow, appointments_between
from .estimate import order_totals
from .money import Totals

# The desk home's lists are read without the ORM (services/desk_home.py); their rows are shared here.


# One vehicle and its customer (check-in) --------------------------------------------


@dataclass(frozen=True)
class VehicleCard:
    vehicle_id: int
    version: int
    customer_id: int
    customer_version: int
    customer_name: str
    phone: str
    is_company: bool
    plate: str
    vin: str
    make: str
    model: str
    colour: str
    sale_date: dt.date | None
    warranty_months: int
    warranty_km: int
    last_odometer_km: int
    next_service_date: dt.date | None
    next_service_km: int | None
    warranty_today: WarrantyStatus
    open_order_id: int | None
    model_year: int | None = None  # decoded from the VIN or typed at check-in; None: not known


def vehicle_card(services: Services, vehicle_id: int) -> VehicleCard:
    with services.db.reader() as s:
        v = s.get(Vehicle, vehicle_id, options=[joinedload(Vehicle.customer)])
        if v is None:
            from .errors import NotFound

            raise NotFound("vehicle", _("No such vehicle."))
        open_id = s.scalar(select(RepairOrder.id).where(
            RepairOrder.vehicle_id == v.id, RepairOrder.status.not_in([OrderStatus.CLOSED, OrderStatus.CANCELLED])))
        return VehicleCard(
            v.id, v.version, v.customer_id, v.customer.version, v.customer.name, v.customer.phone, v.customer.is_company,
            v.plate or "", v.vin or "", v.make, v.model, v.colour, v.sale_date, v.warranty_months, v.warranty_km,
            v.last_odometer_km, v.next_service_date, v.next_service_km,
            warranty_status(v, v.last_odometer_km, services.clock().date()), open_id, v.model_year,
        )


# The order as the estimate builder shows it ------------------------------------------


@dataclass(frozen=True)
class LineView:
    kind: str  # "labor" | "part"
    id: int
    job_id: int | None
    code: str
    description: str
    quantity: Decimal  # hours for labor, quantity for parts
    unit_price: Decimal  # rate for labor
    amount: Decimal
    pay_type: str
    status: JobStatus | None  # the job's status (a part follows its job)
    origin: str
    safety: bool
    on_hand: Decimal | None = None
    reserved: Decimal | None = None  # reserved for this line
    short: bool = False  # not enough in stock for this line


@dataclass(frozen=True)
class WalkaroundView(WalkaroundItems):
    marks: tuple[tuple[str, str], ...]  # (panel, damage)
    tyres_note: str
    signed_by: str | None


@dataclass(frozen=True)
class OrderView:
    id: int
    version: int
    number: str
    status: OrderStatus
    store_id: int
    vehicle_id: int
    customer_name: str
    phone: str
    plate: str
    vin: str
    model: str
    colour: str
    odometer_km: int
    fuel_eighths: int
    concerns: str
    brought_by_name: str
    warranty_status: WarrantyStatus
    checked_in_at: dt.datetime
    promised_at: dt.datetime | None
    payment_method: str | None
    old_parts: str
    wash: bool
    signed_by: str | None
    advisor: str
    lines: tuple[LineView, ...]
    totals: Totals
    walkaround: WalkaroundView | None


def order_view(services: Services, order_id: int) -> OrderView:
    with services.db.reader() as s:
        view = _order_view(s, services, order_id)
    catalog_use.warm(services, view.store_id)  # counted before the estimate's first picker keystroke
    return view


def _order_view(s: Session, services: Services, order_id: int) -> OrderView:
    o = read_order(s, order_id)
    levels = {
        lvl.part_id: lvl for lvl in s.scalars(select(StockLevel).where(
            StockLevel.store_id == o.store_id, StockLevel.part_id.in_([p.part_id for p in o.part_lines])))
    }
    lines: list[LineView] = []
    for job in o.jobs:
        lines.append(LineView("labor", job.id, job.id, job.code, job.description, job.hours, job.rate, job.amount,
                              job.pay_type.value, job.status, job.origin.value, job.safety))
        for p in job.part_lines:
            lines.append(_part_view(p, job, levels))
    for p in o.part_lines:
        if p.job is None:
            lines.append(_part_view(p, None, levels))
    w = o.walkaround
    walk = None if w is None else WalkaroundView(
        marks=tuple((m.panel.value, m.damage.value) for m in w.marks), tyres_note=w.tyres_note, signed_by=w.signed_by,
        **items_of(w))
    return OrderView(
        o.id, o.version, o.number, o.status, o.store_id, o.vehicle_id, o.customer.name, o.contact_phone or o.customer.phone,
        o.vehicle.plate, o.vehicle.vin, f"{o.vehicle.make} {o.vehicle.model}", o.vehicle.colour, o.odometer_km,
        o.fuel_eighths, o.concerns, o.brought_by_name, o.warranty_status, o.checked_in_at, o.promised_at,
        o.payment_method.value if o.payment_method else None, o.old_parts.value, o.wash, o.signed_by,
        o.advisor.display_name, tuple(lines), order_totals(o, services.settings), walk,
    )


def _part_view(p, job, levels) -> LineView:  # type: ignore[no-untyped-def]
    lvl = levels.get(p.part_id)
    on_hand = lvl.on_hand if lvl else Decimal(0)
    need = p.qty - p.issued_qty
    return LineView("part", p.id, p.job_id, p.number, p.name, p.qty, p.unit_price, p.amount, p.pay_type.value,
                    job.status if job else None, job.origin.value if job else "requested", False,
                    on_hand=on_hand, reserved=p.reserved_qty, short=need > 0 and p.reserved_qty < need)


# Catalog search (code, name, pinyin initials) ------------------------------------------


@dataclass(frozen=True)
class LaborOpHit:
    id: int
    code: str
    name: str
    name_en: str
    std_hours: Decimal
    safety: bool
    category: str


@dataclass(frozen=True)
class PartHit:
    id: int
    number: str
    name: str
    name_en: str
    unit: str
    price: Decimal
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def find_labor_ops(services: Services, text: str, *, limit: int = 30, store_id: int | None = None) -> list[LaborOpHit]:
    """By code prefix, name fragment or pinyin initials (``jy`` finds 更换机油…), what this store uses
    most first (services/catalog_use.py), then by how well it matches; ``store_id`` defaults to
    this terminal's store."""
    store = store_id if store_id is not None else catalog_use.store_of(services)
    used = catalog_use.weights(services, store, "labour")
    rows = _catalog_rows(services, _LABOUR_SQL, text, catalog_use.top_ids(services, store, "labour"), limit, {})
    return [LaborOpHit(r[0], r[1], r[2], r[3], as_decimal(r[4], 2) or Decimal(0), bool(r[5]), r[6])
            for r in catalog_use.rank(rows, used, key_id=_row_id, quality=_row_quality)[:limit]]


def find_parts(services: Services, actor: Actor, text: str, *, limit: int = 30) -> list[PartHit]:
    """As ``find_labor_ops``: what this store fits most first, then by match, with its stock."""
    used = catalog_use.weights(services, actor.store_id, "part")
    rows = _catalog_rows(services, _PARTS_SQL, text, catalog_use.top_ids(services, actor.store_id, "part"), limit,
                         {"store": actor.store_id})
    return [PartHit(r[0], r[1], r[2], r[3], r[4], as_decimal(r[5], 2) or Decimal(0), as_decimal(r[6], 2) or Decimal(0),
                    as_decimal(r[7], 2) or Decimal(0))
            for r in catalog_use.rank(rows, used, key_id=_row_id, quality=_row_quality)[:limit]]


# The pickers search at every keystroke, so they read through the driver (no ORM, one statement):
# the store's most used items first whatever their code (ranked by use after), then the best
# matches (catalog_use's match quality: initials or name prefix, code prefix, anywhere) by code —
# as many more than shown as there are most used items, so the cut after ranking loses none.
_MATCH = ("({code} {ilike} :start ESCAPE '\\' OR {t}.name LIKE :inside ESCAPE '\\' "
          "OR {t}.initials LIKE :lowered_inside ESCAPE '\\' OR {t}.name_en {ilike} :inside ESCAPE '\\')")
_QUALITY_SQL = ("CASE WHEN {t}.initials LIKE :lowered_start ESCAPE '\\' OR {t}.name LIKE :start ESCAPE '\\' THEN 0 "
                "WHEN {code} {ilike} :start ESCAPE '\\' THEN 1 ELSE 2 END")
_LABOUR_SQL = (("SELECT l.id, l.code, l.name, l.name_en, l.std_hours, l.safety, l.category, {quality} AS quality "
                "FROM labor_operation l WHERE l.active{match} ORDER BY {used}quality, l.code LIMIT {limit}"),
               "l", "l.code")
_PARTS_SQL = (("SELECT p.id, p.number, p.name, p.name_en, p.unit, p.price, s.on_hand, s.reserved, {quality} AS quality "
               "FROM part p LEFT JOIN stock_level s ON s.part_id = p.id AND s.store_id = :store "
               "WHERE p.active{match} ORDER BY {used}quality, p.number LIMIT {limit}"), "p", "p.number")


def _row_id(row: Sequence[Any]) -> int:
    return int(row[0])


def _row_quality(row: Sequence[Any]) -> int:
    return int(row[-1])


def _catalog_rows(services: Services, sql: tuple[str, str, str], text: str, top: tuple[int, ...], limit: int,
                  params: dict[str, Any]) -> list[Sequence[Any]]:
    template, table, code = sql
    q = text.strip()
    used, ids = in_list("u", list(top))
    with services.db.plain_transaction() as cur:
        ilike = "LIKE" if cur.is_sqlite else "ILIKE"  # SQLite's LIKE ignores ASCII case already
        if q:
            escaped = escape_like(q)
            params = dict(params, start=escaped + "%", inside=f"%{escaped}%", lowered_start=escaped.lower() + "%",
                          lowered_inside=f"%{escaped.lower()}%")
        statement = template.format(
            quality=_QUALITY_SQL.format(t=table, code=code, ilike=ilike) if q else "0",
            match=" AND " + _MATCH.format(t=table, code=code, ilike=ilike) if q else "",
            used=f"CASE WHEN {table}.id IN {used} THEN 0 ELSE 1 END, " if top else "",
            limit=int(limit) + len(top))
        return cur.all(statement, {**params, **ids})


# History and recommendations ----------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    order_id: int
    number: str
    checked_in_at: dt.datetime
    odometer_km: int
    status: OrderStatus
    total: Decimal | None
    jobs: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    """Something the car still needs, from an earlier visit or this one (services/recommendations.py)."""

    id: int
    job_id: int | None  # the job it was quoted as, if it was
    order_number: str
    on: dt.date
    description: str
    labor_op_id: int | None
    hours: Decimal | None
    safety: bool
    reason: str = ""
    found_by: str = ""
    step: str = ""  # where it was found, as the screen says it
    price: Decimal | None = None
    declined: bool = False  # the customer said no before (else it was never put to them)


@dataclass(frozen=True)
class History:
    visits: tuple[Visit, ...]
    declined: tuple[Recommendation, ...]
    next_service_date: dt.date | None
    next_service_km: int | None


def vehicle_history(services: Services, vehicle_id: int, *, limit: int = 20) -> History:
    """Earlier visits and the recommendations not taken up: the advisor recommends from them."""
    with services.db.reader() as s:
        vehicle = s.get(Vehicle, vehicle_id)
        orders = s.scalars(
            select(RepairOrder).where(RepairOrder.vehicle_id == vehicle_id)
            .order_by(RepairOrder.checked_in_at.desc()).limit(limit)
        ).all()
        ids = [o.id for o in orders]
        jobs = s.scalars(select(Job).where(Job.order_id.in_(ids)).order_by(Job.seq)).all() if ids else []
        by_order: dict[int, list[Job]] = {}
        for j in jobs:
            by_order.setdefault(j.order_id, []).append(j)
        visits = tuple(
            Visit(o.id, o.number, o.checked_in_at, o.odometer_km, o.status, o.total_amount,
                  tuple(j.description for j in by_order.get(o.id, []) if j.status not in (JobStatus.DECLINED, JobStatus.PROPOSED)))
            for o in orders
        )
        next_date, next_km = (vehicle.next_service_date, vehicle.next_service_km) if vehicle else (None, None)
    declined = tuple(
        Recommendation(r.id, r.job_id, r.order_number, r.on, r.description, r.labor_op_id, r.hours, r.safety,
                       r.reason, r.found_by, r.step_label, r.price, r.status == RecommendationStatus.DECLINED)
        for r in recommendations.still_open(services, vehicle_id))
    return History(visits, declined, next_date, next_km)


def day_load(services: Services, actor: Actor, day: dt.date) -> list[AppointmentRow]:
    """The appointments of one day, for booking by phone with the load in view."""
    start = dt.datetime.combine(day, dt.time())
    with services.db.plain_transaction() as cur:
        return appointments_between(cur, actor.store_id, start, start + dt.timedelta(days=1))


def count_open_orders(services: Services, actor: Actor) -> int:
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(RepairOrder).where(
            RepairOrder.store_id == actor.store_id, RepairOrder.status.in_(IN_HOUSE))) or 0


# Check-in screen (screens/checkin.py): what vehicle_card leaves out but saving the customer and
# the vehicle back must keep (an update replaces every field, so the form must hold them all).


@dataclass(frozen=True)
class CheckInRecord:
    card: VehicleCard
    address: str
    notes: str
    new_energy: bool
    vin_check_confirmed: bool
    # The returning customer's short path (issue 19): the last order's contact and sender are offered
    # again, and the new reading is weighed against the last one and the car's pace.
    last_contact_phone: str = ""
    last_brought_by_name: str = ""
    last_brought_by_phone: str = ""
    last_reading_on: dt.date | None = None
    pace: Pace | None = None  # km over days (aftercare_views.pace: readings, else the sale date, else the default)

    @property
    def model_year(self) -> int | None:
        """The form's model-year field (saved back with the vehicle: VehicleInput.model_year)."""
        return self.card.model_year


def checkin_record(services: Services, vehicle_id: int) -> CheckInRecord:
    card = vehicle_card(services, vehicle_id)
    with services.db.reader() as s:
        v = s.get(Vehicle, vehicle_id, options=[joinedload(Vehicle.customer)])
        assert v is not None  # vehicle_card raised NotFound otherwise; vehicles are never deleted
        last = s.execute(select(RepairOrder.contact_phone, RepairOrder.brought_by_name, RepairOrder.brought_by_phone)
                         .where(RepairOrder.vehicle_id == vehicle_id, RepairOrder.status != OrderStatus.CANCELLED)
                         .order_by(RepairOrder.checked_in_at.desc(), RepairOrder.id.desc()).limit(1)).first()
        readings = s.execute(select(func.count(), func.min(OdometerReading.read_at), func.max(OdometerReading.read_at))
                             .where(OdometerReading.vehicle_id == vehicle_id)).one()
        count, first_at, last_at = readings
        first_km = last_km = None
        if count:
            first_km, last_km = (s.scalar(select(OdometerReading.km).where(OdometerReading.vehicle_id == vehicle_id)
                                          .order_by(order, OdometerReading.id).limit(1))
                                 for order in (OdometerReading.read_at, OdometerReading.read_at.desc()))
        return CheckInRecord(
            card, v.customer.address, v.customer.notes, v.new_energy, v.vin_check_confirmed,
            last_contact_phone=last.contact_phone if last else "", last_brought_by_name=last.brought_by_name if last else "",
            last_brought_by_phone=last.brought_by_phone if last else "",
            last_reading_on=last_at.date() if last_at else None,
            pace=pace(count, first_km, last_km, first_at.date() if first_at else None,
                      last_at.date() if last_at else None, v.sale_date) if count else None,
        )
