"""The returning customer's check-in record (issue 19, item 4): the last visit's people and the car's pace.

``desk.checkin_record`` hands the check-in form what it pre-fills (the last order's contact
and sender) and what it weighs a new reading against (the last reading's day, the car's
pace); ``check_in`` takes an order without concerns (a routine service's work is its package).
"""

from __future__ import annotations

import datetime as dt

from frontdesk.model.enums import Role
from frontdesk.services import checkin, desk

from .factories import customer_and_vehicle


def _visit(services, advisor, vehicle: int, km: int, **people: str) -> int:  # type: ignore[no-untyped-def]
    order = checkin.check_in(services, advisor, checkin.CheckInInput(
        vehicle_id=vehicle, odometer_km=km, fuel_eighths=4, concerns="", **people))
    return order.id


def test_the_record_brings_the_last_visits_sender_contact_and_the_cars_pace(services, actors, clock):
    from frontdesk.services import estimate

    adv = actors[Role.ADVISOR]
    _, vehicle = customer_and_vehicle(services, adv)  # 张伟, sold 2024-05-01
    fresh = desk.checkin_record(services, vehicle)
    assert (fresh.last_contact_phone, fresh.last_brought_by_name, fresh.last_reading_on, fresh.pace) == ("", "", None, None)

    clock.now = dt.datetime(2026, 5, 1, 9, 0)
    first = _visit(services, adv, vehicle, 10_000, brought_by_name="张伟")
    estimate.cancel_order(services, adv, first, "customer left")  # its reading stays: the car's pace counts it
    clock.now = dt.datetime(2026, 11, 1, 9, 0)
    _visit(services, adv, vehicle, 17_300, brought_by_name="王强", brought_by_phone="13698765432",
           contact_phone="13698765432")
    record = desk.checkin_record(services, vehicle)
    assert (record.last_brought_by_name, record.last_brought_by_phone, record.last_contact_phone) == (
        "王强", "13698765432", "13698765432")
    assert record.last_reading_on == dt.date(2026, 11, 1)
    assert record.pace is not None and record.pace.source == "readings"
    assert (record.pace.km, record.pace.days) == (7_300, 184)  # about 40 km a day
    assert record.card.last_odometer_km == 17_300


def test_an_order_is_opened_without_concerns(services, actors):
    adv = actors[Role.ADVISOR]
    _, vehicle = customer_and_vehicle(services, adv)
    order = _visit(services, adv, vehicle, 5_000)
    view = desk.order_view(services, order)
    assert (view.concerns, view.odometer_km) == ("", 5_000)
