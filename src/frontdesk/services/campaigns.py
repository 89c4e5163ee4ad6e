"""Recall and service campaigns at the desk: the flag, one key to add the work, each car's outcome.

A campaign car is known by its VIN (model/campaign.py): the maker's list names cars the store
may see for the first time years later, and a car booked by phone gets its VIN only at
check-in. So every lookup goes by VIN — :func:`open_for_vehicle` reads the vehicle's VIN
and asks by it — and ``vehicle_id`` is filled on the way (at import for known cars, when the
campaign is added to an order), never relied on.

A campaign is *open* for a car while its record is open and today is within the campaign's
dates (a campaign without dates always is): the maker's service campaigns end, and one not
yet started has no parts behind it.

Outcomes: *done here* is recorded by itself when the order the campaign was added to is
delivered (:func:`record_delivered`, called by ``delivery.deliver``) — the car has left with
the work done, whatever happens to the bill — and the link is dropped if that order is
cancelled (:func:`record_cancelled`, called by ``estimate.cancel_order``), so the car is open
again for its next visit. *Done elsewhere* and *not applicable* are the advisor's
(:func:`close`), the latter with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Appointment,
    Campaign,
    CampaignVehicle,
    Customer,
    RepairOrder,
    Vehicle,
)
from frontdesk.model.campaign import CampaignCarStatus, CampaignKind
from frontdesk.model.enums import (
    AppointmentStatus,
    JobOrigin,
    JobStatus,
    OrderStatus,
    PayType,
)

from .campaigns_flag import open_vins
from .common import load_order, text
from .context import (
    STOCK_LEVELS,
    Actor,
    Services,
    Tx,
    check_version,
    flush_for_id,
    require,
    service,
)
from .errors import ConflictError, NotFound, ValidationError
from .export_files import Export, ExportFile, export_file
from .refs import JobRef

#: A car is "in the house" from check-in until it is handed back.
IN_HOUSE = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP,
            OrderStatus.READY)
Outcome = Literal["done_elsewhere", "not_applicable"]


@dataclass(frozen=True, slots=True)
class CampaignFlag:
    """An open campaign of one car: what the desk shows and what the one key adds."""

    campaign_id: int
    code: str
    title: str
    kind: str  # 'recall' | 'service'
    campaign_vehicle_id: int
    order_id: int | None = None  # the order it is already on (added, not yet delivered)


@dataclass(frozen=True, slots=True)
class CampaignProgress:
    campaign_id: int
    code: str
    title: str
    kind: str
    starts: dt.date | None
    ends: dt.date | None
    listed: int  # cars on the maker's list
    done: int  # done here
    done_elsewhere: int
    not_applicable: int
    open: int
    in_house: int  # open cars in this store now

    @property
    def completion(self) -> Decimal:
        """Share of the list that is closed (done here, elsewhere, or not applicable)."""
        if not self.listed:
            return Decimal(0)
        return (Decimal(self.listed - self.open) / Decimal(self.listed)).quantize(Decimal("0.001"))


@dataclass(frozen=True, slots=True)
class CampaignCar:
    campaign_vehicle_id: int
    version: int
    vin: str
    status: str
    plate: str  # "" when the store does not know the car
    customer_name: str
    phone: str
    order_number: str
    reason: str
    closed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CallListRow:
    campaign_vehicle_id: int
    vin: str
    plate: str
    model: str
    customer_name: str
    phone: str


# Reads ------------------------------------------------------------------------------------------


def _in_window(on: dt.date) -> Any:
    return and_(or_(Campaign.starts.is_(None), Campaign.starts <= on), or_(Campaign.ends.is_(None), Campaign.ends >= on))


def open_for_vehicle(services: Services, *, vehicle_id: int | None = None, vin: str | None = None) -> list[CampaignFlag]:
    """The open campaigns of a car, by its VIN (``vehicle_id``'s VIN when only that is given)."""
    with services.db.reader() as session:
        return open_for_vehicle_in(session, services.clock().date(), vehicle_id=vehicle_id, vin=vin)


def open_for_vehicle_in(session: Session, on: dt.date, *, vehicle_id: int | None = None,
                        vin: str | None = None) -> list[CampaignFlag]:
    vins = {vin.strip().upper()} if vin and vin.strip() else set()
    if vehicle_id is not None:
        known = session.scalar(select(Vehicle.vin).where(Vehicle.id == vehicle_id))
        if known:
            vins.add(known)
    match = [CampaignVehicle.vin.in_(sorted(vins))] if vins else []
    if vehicle_id is not None:
        match.append(CampaignVehicle.vehicle_id == vehicle_id)
    if not match:
        return []
    rows = session.execute(
        select(Campaign.id, Campaign.code, Campaign.title, Campaign.kind, CampaignVehicle.id, CampaignVehicle.order_id)
        .join(Campaign, Campaign.id == CampaignVehicle.campaign_id)
        .where(or_(*match), CampaignVehicle.status == CampaignCarStatus.OPEN, _in_window(on))
        .order_by(Campaign.kind, Campaign.code))  # recalls first
    return [CampaignFlag(cid, code, title, CampaignKind(kind).value, cvid, oid) for cid, code, title, kind, cvid, oid in rows]


def progress(services: Services, actor: Actor) -> list[CampaignProgress]:
    """Every campaign with its counts; "in the house" counts this store's open orders."""
    require(actor, "campaign.view")
    with services.db.reader() as session:
        return progress_in(session, actor.store_id)


def progress_in(session: Session, store_id: int) -> list[CampaignProgress]:
    counts: dict[int, dict[str, int]] = {}
    for cid, status, n in session.execute(
            select(CampaignVehicle.campaign_id, CampaignVehicle.status, func.count())
            .group_by(CampaignVehicle.campaign_id, CampaignVehicle.status)):
        counts.setdefault(cid, {})[CampaignCarStatus(status).value] = n
    in_house = dict(session.execute(
        select(CampaignVehicle.campaign_id, func.count(func.distinct(CampaignVehicle.id)))
        .join(Vehicle, Vehicle.vin == CampaignVehicle.vin)
        .join(RepairOrder, RepairOrder.vehicle_id == Vehicle.id)
        .where(CampaignVehicle.status == CampaignCarStatus.OPEN, RepairOrder.store_id == store_id,
               RepairOrder.status.in_(IN_HOUSE))
        .group_by(CampaignVehicle.campaign_id)).all())
    out = []
    for c in session.scalars(select(Campaign).order_by(Campaign.kind, Campaign.code)):
        n = counts.get(c.id, {})
        out.append(CampaignProgress(
            c.id, c.code, c.title, c.kind.value, c.starts, c.ends, sum(n.values()), n.get("done_here", 0),
            n.get("done_elsewhere", 0), n.get("not_applicable", 0), n.get("open", 0), in_house.get(c.id, 0)))
    return out


def _owner_rows(session: Session, query: Any) -> Any:
    return session.execute(query.outerjoin(Vehicle, Vehicle.vin == CampaignVehicle.vin)
                           .outerjoin(Customer, Customer.id == Vehicle.customer_id))


def campaign_cars(services: Services, actor: Actor, campaign_id: int, *,
                  status: CampaignCarStatus | str | None = None, limit: int = 2000) -> list[CampaignCar]:
    """The cars of one campaign (open first), with the owner where the store knows the car."""
    require(actor, "campaign.view")
    with services.db.reader() as session:
        query = (select(CampaignVehicle.id, CampaignVehicle.version, CampaignVehicle.vin, CampaignVehicle.status,
                        Vehicle.plate, Customer.name, Customer.phone, RepairOrder.number, CampaignVehicle.reason,
                        CampaignVehicle.closed_at)
                 .where(CampaignVehicle.campaign_id == campaign_id)
                 .outerjoin(RepairOrder, RepairOrder.id == CampaignVehicle.order_id))
        if status is not None:
            query = query.where(CampaignVehicle.status == CampaignCarStatus(status))
        query = query.order_by(CampaignVehicle.status != CampaignCarStatus.OPEN, Vehicle.plate.is_(None),
                               CampaignVehicle.vin).limit(limit)
        return [CampaignCar(cvid, version, vin, CampaignCarStatus(st).value, plate or "", name or "", phone or "",
                            number or "", reason or "", closed)
                for cvid, version, vin, st, plate, name, phone, number, reason, closed in _owner_rows(session, query)]


def call_list(services: Services, actor: Actor, campaign_id: int) -> list[CallListRow]:
    """Open cars the store knows, not in the house and with no booking: whom to call in."""
    require(actor, "campaign.view")
    with services.db.reader() as session:
        return call_list_in(session, actor.store_id, campaign_id, services.clock())


def call_list_in(session: Session, store_id: int, campaign_id: int, now: dt.datetime) -> list[CallListRow]:
    if session.get(Campaign, campaign_id) is None:
        raise NotFound("campaign", _("No such campaign."))
    booked = (select(Appointment.id).where(Appointment.vehicle_id == Vehicle.id,
                                           Appointment.status == AppointmentStatus.BOOKED,
                                           Appointment.scheduled_at >= now - dt.timedelta(days=1)).exists())
    here = (select(RepairOrder.id).where(RepairOrder.vehicle_id == Vehicle.id, RepairOrder.store_id == store_id,
                                         RepairOrder.status.in_(IN_HOUSE)).exists())
    rows = session.execute(
        select(CampaignVehicle.id, CampaignVehicle.vin, Vehicle.plate, Vehicle.make, Vehicle.model, Customer.name,
               Customer.phone)
        .join(Vehicle, Vehicle.vin == CampaignVehicle.vin)
        .join(Customer, Customer.id == Vehicle.customer_id)
        .where(CampaignVehicle.campaign_id == campaign_id, CampaignVehicle.status == CampaignCarStatus.OPEN,
               CampaignVehicle.order_id.is_(None), ~booked, ~here)
        .order_by(Vehicle.plate, CampaignVehicle.vin))
    return [CallListRow(cvid, vin, plate or "", f"{make} {model}".strip(), name, phone)
            for cvid, vin, plate, make, model, name, phone in rows]


# Changes ----------------------------------------------------------------------------------------


def _car(tx: Tx, campaign_vehicle_id: int) -> CampaignVehicle:
    car = tx.session.get(CampaignVehicle, campaign_vehicle_id)
    if car is None:
        raise NotFound("campaign_vehicle", _("No such campaign car."))
    return car


def _campaign_ops(car: CampaignVehicle) -> set[int]:
    return {j.labor_op_id for j in car.campaign.jobs}


def _still_on(order: RepairOrder, ops: set[int]) -> bool:
    """The order still carries the campaign's work (not removed from the estimate, not declined)."""
    return any(j.labor_op_id in ops and j.status != JobStatus.DECLINED for j in order.jobs)


@service("campaign.add_to_order")
def add_to_order(tx: Tx, order_id: int, campaign_vehicle_id: int, expected_version: int | None = None) -> JobRef:
    """The campaign's jobs and their parts on the estimate, at the maker's pay type (warranty)."""
    from . import (
        estimate,  # the estimate's own rules for a new line (reservation, rates, status)
    )

    order = load_order(tx, order_id, expected_version)
    car = _car(tx, campaign_vehicle_id)
    campaign = car.campaign
    vin = order.vehicle.vin or ""
    if car.vin != vin:
        raise ValidationError("campaign", _("Campaign {code} is not for this car (VIN {vin}).").format(
            code=campaign.code, vin=car.vin))
    if car.status != CampaignCarStatus.OPEN:
        raise ValidationError("campaign", _("Campaign {code} is already closed for this car.").format(code=campaign.code))
    ops = _campaign_ops(car)
    if car.order_id is not None:
        linked = tx.session.get(RepairOrder, car.order_id)
        if linked is not None and linked.status != OrderStatus.CANCELLED and _still_on(linked, ops):
            raise ConflictError(_("Campaign {code} is already on order {number}.").format(
                code=campaign.code, number=linked.number))
    if not campaign.jobs:
        raise ValidationError("campaign", _("Campaign {code} lists no work.").format(code=campaign.code))
    estimate._start_estimate(tx, order)
    jobs: dict[int, Any] = {}
    parts = []
    for line in campaign.jobs:
        job = jobs.get(line.labor_op_id)
        if job is None:
            job = jobs[line.labor_op_id] = estimate.new_job(
                tx, order, labor_op_id=line.labor_op_id, description="", hours=None, pay_type=PayType.WARRANTY,
                origin=JobOrigin.REQUESTED, safety=None, status=JobStatus.PROPOSED)
            job.description = f"{campaign.code} {job.description}"[:200]
        if line.part_id is not None:
            parts.append(estimate.new_part_line(tx, order, part_id=line.part_id, qty=line.qty or Decimal(1),
                                                pay_type=PayType.WARRANTY, job=job, unit_price=None))
    car.order_id = order.id
    car.vehicle_id = order.vehicle_id
    tx.session.info[_ANY_LINKED] = True  # a batch asks again no more: this order carries one
    first = next(iter(jobs.values()))
    flush_for_id(tx.session, first)
    tx.audit("campaign_vehicle", car.id, order_id=order.id, after={
        "campaign": campaign.code, "vin": car.vin, "jobs": [j.id for j in jobs.values()],
        "parts": [p.id for p in parts], "pay_type": PayType.WARRANTY})
    return JobRef.of(tx, first)


@service("campaign.close")
def close(tx: Tx, campaign_vehicle_id: int, outcome: Outcome | str, reason: str = "",
          expected_version: int | None = None) -> int:
    """Done elsewhere (another dealer did it) or not applicable (why); returns the record's new version."""
    car = _car(tx, campaign_vehicle_id)
    check_version(car, expected_version)
    if outcome not in (CampaignCarStatus.DONE_ELSEWHERE.value, CampaignCarStatus.NOT_APPLICABLE.value):
        raise ValidationError("outcome", _("Close a campaign as done elsewhere or not applicable."))
    why = text(reason, "reason", max_len=200, required=outcome == CampaignCarStatus.NOT_APPLICABLE.value)
    if car.status != CampaignCarStatus.OPEN:
        raise ValidationError("campaign", _("Campaign {code} is already closed for this car.").format(
            code=car.campaign.code))
    if car.order_id is not None:
        order = tx.session.get(RepairOrder, car.order_id)
        if order is not None and order.status in IN_HOUSE and _still_on(order, _campaign_ops(car)):
            raise ValidationError("campaign", _("Campaign {code} is on order {number}: remove its work there "
                                                "first.").format(code=car.campaign.code, number=order.number))
    car.status = CampaignCarStatus(outcome)
    car.reason, car.closed_at, car.closed_by_id = why, tx.now, tx.actor.user_id
    tx.audit("campaign_vehicle", car.id, before={"status": "open"},
             after={"campaign": car.campaign.code, "vin": car.vin, "status": car.status, "reason": why})
    tx.session.flush()
    return car.version


_ANY_LINKED = "frontdesk.campaign_links"  # session.info in a batch: does any order carry a campaign?


def _linked(tx: Tx, order: RepairOrder) -> list[CampaignVehicle]:
    """The campaign cars on ``order``: one indexed query — in a batch (the demo's thousands of deliveries)
    asked once per batch whether any order carries a campaign at all."""
    info = tx.session.info
    if STOCK_LEVELS in info:
        if _ANY_LINKED not in info:
            info[_ANY_LINKED] = tx.session.scalar(
                select(CampaignVehicle.id).where(CampaignVehicle.order_id.is_not(None)).limit(1)) is not None
        if not info[_ANY_LINKED]:
            return []
    return list(tx.session.scalars(select(CampaignVehicle).where(CampaignVehicle.order_id == order.id)))


def record_delivered(tx: Tx, order: RepairOrder) -> list[int]:
    """Inside ``delivery.deliver``: the campaigns this order carried are done here. Their ids (for its audit)."""
    done = []
    for car in _linked(tx, order):
        if car.status != CampaignCarStatus.OPEN:
            continue
        if _still_on(order, _campaign_ops(car)):
            car.status, car.closed_at, car.closed_by_id = CampaignCarStatus.DONE_HERE, tx.now, tx.actor.user_id
            done.append(car.id)
        else:  # its work was taken off or declined: still open for the next visit
            car.order_id = None
    return done


def record_cancelled(tx: Tx, order: RepairOrder) -> list[int]:
    """Inside ``estimate.cancel_order``: the campaigns on the order are open again. Their ids (for its audit)."""
    reopened = []
    for car in _linked(tx, order):
        if car.status in (CampaignCarStatus.OPEN, CampaignCarStatus.DONE_HERE):
            car.status, car.order_id, car.closed_at, car.closed_by_id = CampaignCarStatus.OPEN, None, None, None
            reopened.append(car.id)
    return reopened


# The call list as a file ------------------------------------------------------------------------

def N_(message: str) -> str:
    return message


CALL_COLUMNS = (N_("Plate"), N_("VIN"), N_("Model"), N_("Customer"), N_("Phone"))


def export_call_list(services: Services, actor: Actor, campaign_id: int, path: Path | str) -> Any:
    """The call list written to .csv/.xlsx (0600, formula-safe cells), audited: it holds names and phones."""
    return export_file(services, actor, call_list_file, path, campaign_id)


@service("campaign.export")
def call_list_file(tx: Tx, out: ExportFile, campaign_id: int) -> Export:
    from .data_exports import _write

    campaign = tx.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign", _("No such campaign."))
    rows = [(r.plate, r.vin, r.model, r.customer_name, r.phone)
            for r in call_list_in(tx.session, tx.actor.store_id, campaign_id, tx.now)]
    done = _write(out, [_(c) for c in CALL_COLUMNS], rows, campaign.code, frozenset(range(len(CALL_COLUMNS))))
    tx.audit("campaign_call_list_export", campaign.id,
             after={"campaign": campaign.code, "path": str(done.path), "rows": done.rows})
    return done


# Figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    """Campaign completion for a report: what the store did in the range, and where the lists stand."""

    done_here: int  # closed as done here by this store's orders in the range
    closed_other: int  # closed as done elsewhere / not applicable in the range
    listed: int  # cars on the lists of campaigns running in the range
    open: int  # of those, still open now

    @property
    def completion(self) -> Decimal:
        if not self.listed:
            return Decimal(0)
        return (Decimal(self.listed - self.open) / Decimal(self.listed)).quantize(Decimal("0.001"))


def figures_in(session: Session, store_id: int, start: dt.datetime, end: dt.datetime) -> CampaignFigures:
    """``[start, end)``: done here by this store's orders, other closures, and the running lists' state."""
    done_here = session.scalar(
        select(func.count()).select_from(CampaignVehicle).join(RepairOrder, RepairOrder.id == CampaignVehicle.order_id)
        .where(CampaignVehicle.status == CampaignCarStatus.DONE_HERE, RepairOrder.store_id == store_id,
               CampaignVehicle.closed_at >= start, CampaignVehicle.closed_at < end)) or 0
    closed_other = session.scalar(
        select(func.count()).select_from(CampaignVehicle)
        .where(CampaignVehicle.status.in_([CampaignCarStatus.DONE_ELSEWHERE, CampaignCarStatus.NOT_APPLICABLE]),
               CampaignVehicle.closed_at >= start, CampaignVehicle.closed_at < end)) or 0
    running = and_(or_(Campaign.starts.is_(None), Campaign.starts < end.date() + dt.timedelta(days=1)),
                   or_(Campaign.ends.is_(None), Campaign.ends >= start.date()))
    listed, still_open = session.execute(
        select(func.count(), func.coalesce(func.sum(case((CampaignVehicle.status == CampaignCarStatus.OPEN, 1),
                                                         else_=0)), 0))
        .select_from(CampaignVehicle).join(Campaign, Campaign.id == CampaignVehicle.campaign_id).where(running)).one()
    return CampaignFigures(int(done_here), int(closed_other), int(listed or 0), int(still_open or 0))


__all__ = [
    "IN_HOUSE",
    "CallListRow",
    "CampaignCar",
    "CampaignFigures",
    "CampaignFlag",
    "CampaignProgress",
    "add_to_order",
    "call_list",
    "campaign_cars",
    "close",
    "export_call_list",
    "figures_in",
    "open_for_vehicle",
    "open_vins",
    "progress",
    "record_cancelled",
    "record_delivered",
]
