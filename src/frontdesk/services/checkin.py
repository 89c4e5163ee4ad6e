"""Reception: customers, vehicles, appointments, check-in and the walkaround."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from sqlalchemy import bindparam, inspect, select

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    Appointment,
    Customer,
    OdometerReading,
    OrderCounter,
    PanelMark,
    RepairOrder,
    Store,
    Vehicle,
    Walkaround,
)
from frontdesk.model.enums import AppointmentStatus, Damage, OrderStatus, Panel, SanbaoState, WarrantyStatus

from . import account_desk, capacity, sanbao
from .auth import ManagerApproval
from .common import get, load_order, positive_int, text, touch
from .context import Tx, check_version, flush_for_id, service, unflushed
from .errors import ValidationError
from .lifecycle import require_order_status
from .refs import AppointmentRef, OrderRef, Versioned
from .validation import is_new_energy_plate, normalise_phone, normalise_plate, normalise_vin

MAX_ODOMETER = 2_000_000
FIRST_MODEL_YEAR = 1980  # the VIN's year code starts its cycle here (ISO 3779)
_FINISHED = (OrderStatus.CLOSED, OrderStatus.CANCELLED)
# Asked at every check-in and new vehicle: built once.
# (Spelled without NOT IN, whose list SQLAlchemy expands into the SQL again at every call.)
_OPEN_ORDER = select(RepairOrder.number).where(
    RepairOrder.vehicle_id == bindparam("vehicle_id"), *(RepairOrder.status != status for status in _FINISHED)
)
_VEHICLE_WITH = {name: select(Vehicle.id).where(getattr(Vehicle, name) == bindparam("value")) for name in ("plate", "vin")}


@dataclass(frozen=True)
class CustomerInput:
    name: str
    phone: str
    is_company: bool = False
    address: str = ""
    notes: str = ""


@dataclass(frozen=True)
class VehicleInput:
    plate: str
    vin: str
    make: str
    model: str
    colour: str = ""
    sale_date: dt.date | None = None
    warranty_months: int | None = None
    warranty_km: int | None = None
    new_energy: bool = False
    # The advisor saw the VIN check-digit warning and confirmed the VIN as read off the car.
    confirm_vin_check_digit: bool = False
    model_year: int | None = None  # decoded from the VIN (services/vin_decode.py), confirmed or corrected


@service("customer.save")
def save_customer(tx: Tx, data: CustomerInput, customer_id: int | None = None, expected_version: int | None = None) -> Versioned:
    name = text(data.name, "name", max_len=120, required=True)
    phone = normalise_phone(data.phone)
    if customer_id is None:
        customer = Customer(
            name=name, phone=phone, is_company=data.is_company, address=text(data.address, "address"),
            notes=text(data.notes, "notes"), created_at=tx.now,
        )
        tx.session.add(customer)
        before = None
    else:
        customer = get(tx.session, Customer, customer_id, "customer")
        check_version(customer, expected_version)
        before = {"name": customer.name, "phone": customer.phone}
        customer.name, customer.phone = name, phone
        customer.is_company = data.is_company
        customer.address = text(data.address, "address")
        customer.notes = text(data.notes, "notes")
    flush_for_id(tx.session, customer)
    tx.audit("customer", customer.id, before=before, after={"name": name, "phone": phone})
    return Versioned.of(tx, customer)


@service("vehicle.save")
def save_vehicle(
    tx: Tx, customer_id: int, data: VehicleInput, vehicle_id: int | None = None, expected_version: int | None = None
) -> Versioned:
    customer = get(tx.session, Customer, customer_id, "customer")
    plate = normalise_plate(data.plate)
    vin = normalise_vin(data.vin)
    if not vin.check_digit_ok and not data.confirm_vin_check_digit:
        raise ValidationError(
            "vin",
            _("The VIN's check digit is {got}, expected {expected}: read it off the car again and confirm.").format(
                got=vin.vin[8], expected=vin.expected
            ),
        )
    make = text(data.make, "make", max_len=40, required=True)
    model = text(data.model, "model", max_len=80, required=True)
    for field_name, value in (("plate", plate), ("vin", vin.vin)):
        # (Core on the session's connection: nothing changed yet to flush, and a third of the ORM's cost)
        clash = tx.session.connection().execute(_VEHICLE_WITH[field_name], {"value": value}).scalar()
        if clash is None:  # a batch's vehicles not yet written
            clash = next((v.id for v in unflushed(tx.session, Vehicle, **{field_name: value})), None)
        if clash is not None and clash != vehicle_id:
            message = _("Another vehicle already has this plate.") if field_name == "plate" else _("Another vehicle already has this VIN.")
            raise ValidationError(field_name, message)
    months = data.warranty_months if data.warranty_months is not None else tx.settings.warranty_months
    km = data.warranty_km if data.warranty_km is not None else tx.settings.warranty_km
    if data.sale_date is not None and data.sale_date > tx.now.date():
        raise ValidationError("sale_date", _("The sale date cannot be in the future."))
    if data.model_year is not None and not FIRST_MODEL_YEAR <= data.model_year <= tx.now.year + 1:
        raise ValidationError("model_year", _("The model year must be between {first} and {last}.").format(
            first=FIRST_MODEL_YEAR, last=tx.now.year + 1))
    values = dict(
        customer_id=customer_id, plate=plate, vin=vin.vin, vin_check_confirmed=not vin.check_digit_ok,
        make=make, model=model, colour=text(data.colour, "colour", max_len=40), sale_date=data.sale_date,
        warranty_months=positive_int(months, "warranty_months", maximum=240),
        warranty_km=positive_int(km, "warranty_km", maximum=2_000_000), new_energy=data.new_energy,
        model_year=data.model_year,
    )
    if vehicle_id is None:
        vehicle = Vehicle(**values, customer=customer, created_at=tx.now)
        tx.session.add(vehicle)
        before = None
    else:
        vehicle = get(tx.session, Vehicle, vehicle_id, "vehicle")
        check_version(vehicle, expected_version)
        before = {"plate": vehicle.plate, "vin": vehicle.vin, "customer_id": vehicle.customer_id}
        for key, value in values.items():
            setattr(vehicle, key, value)
    flush_for_id(tx.session, vehicle)
    tx.audit("vehicle", vehicle.id, before=before, after={"plate": plate, "vin": vin.vin, "customer_id": customer_id})
    return Versioned.of(tx, vehicle)


class WarrantyTerms(Protocol):
    """What the warranty depends on: a vehicle's record, or the check-in form's preview of one (plain data)."""

    @property
    def sale_date(self) -> dt.date | None: ...
    @property
    def warranty_months(self) -> int: ...
    @property
    def warranty_km(self) -> int: ...


def warranty_status(vehicle: WarrantyTerms, odometer_km: int, on: dt.date) -> WarrantyStatus:
    """Within the maker's warranty by age and mileage; unknown sale date cannot be decided here."""
    if vehicle.sale_date is None:
        return WarrantyStatus.UNDETERMINED
    months = (on.year - vehicle.sale_date.year) * 12 + (on.month - vehicle.sale_date.month)
    if on.day < vehicle.sale_date.day:
        months -= 1
    if months < vehicle.warranty_months and odometer_km <= vehicle.warranty_km:
        return WarrantyStatus.IN_WARRANTY
    return WarrantyStatus.OUT_OF_WARRANTY


def prefill_fields(typed: str) -> dict[str, str]:
    """Which field a search text that found nothing belongs in: a whole plate, a mobile number or a name.

    The check-in form and the new caller's booking both start from what the advisor searched for.
    """
    try:
        return {"plate": normalise_plate(typed)}
    except ValidationError:
        pass
    digits = "".join(ch for ch in typed if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1") and not any(ch.isalpha() for ch in typed):
        return {"phone": digits}
    if not any(ch.isdigit() for ch in typed) and any(not ch.isascii() for ch in typed):
        return {"name": typed}
    return {}


# Appointments -------------------------------------------------------------------------


@dataclass(frozen=True)
class CallerInput:
    """A first-time caller, as said on the phone: who, the mobile, and the plate and/or the model.

    The VIN (and the plate of a car that has none yet) is read off the car at check-in, which
    completes the vehicle; until then it is a booked car, found by search like any other.
    """

    name: str
    phone: str
    plate: str = ""
    model: str = ""  # as the caller names it: "卡罗拉", "丰田 卡罗拉"


def _caller_vehicle(tx: Tx, caller: CallerInput) -> Vehicle:
    """The caller's customer (one already on file with this name and mobile is used again) and a booked car."""
    name = text(caller.name, "name", max_len=120, required=True)
    phone = normalise_phone(caller.phone)
    plate = normalise_plate(caller.plate) if caller.plate.strip() else None
    model = text(caller.model, "model", max_len=80)
    if plate is None and not model:
        raise ValidationError("plate", _("Give the car's plate or its model."))
    if plate is not None and tx.session.scalar(_VEHICLE_WITH["plate"], {"value": plate}) is not None:
        raise ValidationError("plate", _("A car with this plate is on file: find it by its plate."))
    customer = tx.session.scalar(select(Customer).where(Customer.phone == phone, Customer.name == name)
                                 .order_by(Customer.id).limit(1))
    if customer is None:
        customer = Customer(name=name, phone=phone, created_at=tx.now)
        tx.session.add(customer)
    vehicle = Vehicle(
        customer=customer, plate=plate, vin=None, make="", model=model, new_energy=plate is not None and is_new_energy_plate(plate),
        warranty_months=tx.settings.warranty_months, warranty_km=tx.settings.warranty_km, created_at=tx.now,
    )
    tx.session.add(vehicle)
    flush_for_id(tx.session, vehicle)
    return vehicle


@service("appointment.book")
def book_appointment(
    tx: Tx, vehicle_id: int | None, scheduled_at: dt.datetime, requested_work: str = "",
    advisor_id: int | None = None, duration_minutes: int = 60, caller: CallerInput | None = None,
    work_hours: Decimal | str | None = None, trade: str | None = None, override_by: ManagerApproval | None = None,
) -> AppointmentRef:
    """Book a car on file (``vehicle_id``), or a first-time caller's (``caller``: saved as a booked car).

    Within capacity (services/capacity.py) or over it on ``override_by``, a supervisor's or manager's password.
    """
    when = capacity.bookable_time(scheduled_at, tx.now, tx.settings)
    work = capacity.estimate_work(tx.session, requested_work, work_hours, trade or None)
    advisor_id = advisor_id if advisor_id is not None else tx.actor.user_id
    refusal = capacity.check(tx, when, advisor_id, work)
    if vehicle_id is not None:
        vehicle = get(tx.session, Vehicle, vehicle_id, "vehicle")
    elif caller is not None:
        vehicle = _caller_vehicle(tx, caller)
    else:
        raise ValidationError("vehicle", _("Find and pick the car first."))
    appt = Appointment(
        store_id=tx.actor.store_id, customer_id=vehicle.customer_id, vehicle_id=vehicle.id,
        advisor_id=advisor_id,
        scheduled_at=when,
        duration_minutes=positive_int(duration_minutes, "duration_minutes", maximum=24 * 60, allow_zero=False),
        requested_work=text(requested_work, "requested_work", max_len=2000), created_at=tx.now,
        work_hours=work.hours, trade=work.trade, status=AppointmentStatus.BOOKED,
    )
    overridden = capacity.admit(tx, appt, refusal, override_by)
    tx.session.add(appt)
    flush_for_id(tx.session, appt)
    after = {"vehicle_id": vehicle.id, "scheduled_at": appt.scheduled_at, "work_hours": work.hours,
             "trade": work.trade, **overridden}
    if caller is not None:  # the booked car and its customer were made here: the one event says so
        after.update(customer_id=vehicle.customer_id, name=vehicle.customer.name, phone=vehicle.customer.phone,
                     plate=vehicle.plate, model=vehicle.model)
    tx.audit("appointment", appt.id, after=after)
    return AppointmentRef.of(tx, appt)


@service("appointment.move")
def move_appointment(tx: Tx, appointment_id: int, scheduled_at: dt.datetime, expected_version: int | None = None,
                     override_by: ManagerApproval | None = None) -> AppointmentRef:
    appt = capacity.open_appointment(tx, appointment_id, expected_version)
    before = {"scheduled_at": appt.scheduled_at}
    when = capacity.bookable_time(scheduled_at, tx.now, tx.settings)
    work = capacity.WorkEstimate(appt.work_hours or capacity.DEFAULT_HOURS, appt.trade or "mechanical", True, ())
    overridden = capacity.admit(tx, appt, capacity.check(tx, when, appt.advisor_id, work, skip=appt.id), override_by)
    appt.scheduled_at = when
    tx.audit("appointment", appt.id, before=before, after={"scheduled_at": appt.scheduled_at, **overridden})
    return AppointmentRef.of(tx, appt)


@service("appointment.cancel")
def cancel_appointment(tx: Tx, appointment_id: int, no_show: bool = False, expected_version: int | None = None) -> AppointmentRef:
    appt = capacity.open_appointment(tx, appointment_id, expected_version)
    appt.status = AppointmentStatus.NO_SHOW if no_show else AppointmentStatus.CANCELLED
    tx.audit("appointment", appt.id, before={"status": "booked"}, after={"status": appt.status})
    return AppointmentRef.of(tx, appt)


# Check-in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInInput:
    vehicle_id: int
    odometer_km: int | str
    fuel_eighths: int
    concerns: str
    brought_by_name: str = ""
    brought_by_phone: str = ""
    contact_phone: str = ""
    appointment_id: int | None = None
    # The advisor saw that the reading is below the last one and confirmed it (new cluster...).
    confirm_lower_odometer: bool = False


def next_order_number(tx: Tx) -> str:
    store = tx.session.get(Store, tx.actor.store_id)
    assert store is not None
    day = tx.now.strftime("%Y%m%d")
    # SQLite writers queue behind BEGIN IMMEDIATE; PostgreSQL needs the row lock, or two desks
    # checking in at the same moment draw the same number and one of them sees a conflict.
    lock = {} if tx.session.get_bind().dialect.name == "sqlite" else {"with_for_update": True}
    counter = tx.session.get(OrderCounter, (store.id, day), **lock)
    if counter is None:
        counter = OrderCounter(store_id=store.id, day=day, last=0)
        tx.session.add(counter)
    counter.last += 1
    return f"{store.code}-{day}-{counter.last:04d}"


@service("order.check_in")
def check_in(tx: Tx, data: CheckInInput) -> OrderRef:
    vehicle = get(tx.session, Vehicle, data.vehicle_id, "vehicle")
    if vehicle.vin is None or vehicle.plate is None or not vehicle.make:
        raise ValidationError("vin", _("A car booked by phone is completed at check-in: its plate, VIN and make."))
    odometer = positive_int(data.odometer_km, "odometer_km", maximum=MAX_ODOMETER)
    if odometer < vehicle.last_odometer_km and not data.confirm_lower_odometer:
        raise ValidationError(
            "odometer_km",
            _("The odometer reads less than at the last visit ({last} km). Check it and confirm.").format(
                last=vehicle.last_odometer_km
            ),
        )
    fuel = positive_int(data.fuel_eighths, "fuel_eighths", maximum=8)
    # Optional (issue 19): a routine service's work is the estimate's package, not words to type.
    concerns = text(data.concerns, "concerns", max_len=4000)
    # A vehicle a batch has not written yet has no orders in the database either.
    open_order = None if inspect(vehicle).pending else tx.session.connection().execute(
        _OPEN_ORDER, {"vehicle_id": vehicle.id}).scalar()  # (Core: nothing changed yet to flush)
    if open_order is None:  # a batch's orders not yet written
        open_order = next((o.number for o in unflushed(tx.session, RepairOrder, vehicle_id=vehicle.id)
                           if o.status not in _FINISHED), None)
    if open_order is not None:
        raise ValidationError("vehicle", _("This vehicle already has an open order: {number}.").format(number=open_order))
    phones = {}
    for name in ("brought_by_phone", "contact_phone"):
        raw = getattr(data, name)
        phones[name] = normalise_phone(raw) if str(raw).strip() else ""
    order = RepairOrder(
        store_id=tx.actor.store_id, number=next_order_number(tx), status=OrderStatus.CHECK_IN,
        status_changed_at=tx.now, customer_id=vehicle.customer_id, vehicle_id=vehicle.id,
        advisor_id=tx.actor.user_id, odometer_km=odometer, fuel_eighths=fuel, concerns=concerns,
        brought_by_name=text(data.brought_by_name, "brought_by_name", max_len=80),
        brought_by_phone=phones["brought_by_phone"],
        contact_phone=phones["contact_phone"] or vehicle.customer.phone,
        warranty_status=warranty_status(vehicle, odometer, tx.now.date()), checked_in_at=tx.now,
    )
    order.customer = vehicle.customer
    tx.session.add(order)
    flush_for_id(tx.session, order)
    if data.appointment_id is not None:
        appt = capacity.open_appointment(tx, data.appointment_id, None)
        if appt.vehicle_id != vehicle.id:
            raise ValidationError("appointment", _("The appointment is for another vehicle."))
        appt.status = AppointmentStatus.ARRIVED
        appt.order_id = order.id
        order.appointment_id = appt.id
    vehicle.last_odometer_km = max(vehicle.last_odometer_km, odometer) if not data.confirm_lower_odometer else odometer
    tx.session.add(OdometerReading(vehicle_id=vehicle.id, order_id=order.id, km=odometer, read_at=tx.now))
    sanbao.check_in_status(tx, order, vehicle)
    tx.audit(
        "repair_order", order.id, order_id=order.id,
        after={"number": order.number, "status": order.status, "vehicle_id": vehicle.id, "odometer_km": odometer,
               **account_desk.sender_note(tx.session, tx.actor.store_id, vehicle, order.brought_by_name),
               **({"sanbao_status": order.sanbao_status} if order.sanbao_status != SanbaoState.NONE else {})},
    )
    return OrderRef.of(tx, order)


@dataclass(frozen=True)
class WalkaroundInput:
    marks: tuple[tuple[Panel | str, Damage | str], ...] = ()
    covers_fitted: bool = False
    warning_lights: tuple[str, ...] = ()
    valuables: str = ""
    spare_tyre: bool = False
    tool_kit: bool = False
    warning_triangle: bool = False
    tyres_note: str = ""
    photos_ref: str = ""
    signed_by: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@service("order.walkaround")
def record_walkaround(tx: Tx, order_id: int, data: WalkaroundInput, expected_version: int | None = None) -> OrderRef:
    """Save (or replace) the walkaround; signing it records the customer's name and time.

    Answers with the order (its version moved on: the walkaround is part of what the customer signs).
    """
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE), _("the walkaround"))
    marks: set[tuple[Panel, Damage]] = set()
    for panel, damage in data.marks:
        try:
            marks.add((Panel(panel), Damage(damage)))
        except ValueError:
            raise ValidationError("marks", _("Unknown panel or damage: {panel} / {damage}.").format(panel=panel, damage=damage)) from None
    signer = text(data.signed_by, "signed_by", max_len=80)
    values = dict(
        covers_fitted=data.covers_fitted,
        warning_lights=[text(w, "warning_lights", max_len=60) for w in data.warning_lights],
        valuables=text(data.valuables, "valuables", max_len=400),
        spare_tyre=data.spare_tyre, tool_kit=data.tool_kit, warning_triangle=data.warning_triangle,
        tyres_note=text(data.tyres_note, "tyres_note", max_len=400),
        photos_ref=text(data.photos_ref, "photos_ref", max_len=400),
        signed_by=signer or None, signed_at=tx.now if signer else None, recorded_at=tx.now,
    )
    walk = order.walkaround
    before = None
    if walk is None:
        walk = Walkaround(**values)
        walk.order = order
        tx.session.add(walk)
    else:
        before = {"marks": sorted(f"{m.panel.value}:{m.damage.value}" for m in walk.marks)}
        walk.marks.clear()
        tx.session.flush()
        for key, value in values.items():
            setattr(walk, key, value)
    for panel, damage in sorted(marks):
        walk.marks.append(PanelMark(panel=panel, damage=damage))
    touch(order)
    tx.audit(
        "walkaround", walk, order_id=order.id, before=before,
        after={"marks": sorted(f"{p.value}:{d.value}" for p, d in marks), "signed_by": signer},
    )
    return OrderRef.of(tx, order)


@service("order.update_check_in")
def update_concerns(tx: Tx, order_id: int, concerns: str, expected_version: int | None = None) -> OrderRef:
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE), _("changing the concerns"))
    before = {"concerns": order.concerns}
    order.concerns = text(concerns, "concerns", max_len=4000, required=True)
    tx.audit("repair_order", order.id, order_id=order.id, before=before, after={"concerns": order.concerns})
    return OrderRef.of(tx, order)

