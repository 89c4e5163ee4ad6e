"""Issue 18, items 1, 6, 7 and 11, at the services (SQLite and PostgreSQL): a booked car without a VIN,
the agreed pickup time, the follow-up calls of a coming day or found by search, the desk's change counter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, Customer, RepairOrder, Vehicle
from frontdesk.model.enums import Role
from frontdesk.services import aftercare_views, checkin, pickup
from frontdesk.services import search as search_service
from frontdesk.services.checkin import CallerInput
from frontdesk.services.desk_home import desk_home, desk_home_since
from frontdesk.services.errors import IllegalTransition, ValidationError

from .factories import VIN, customer_and_vehicle, order_through, seed_shop

TOMORROW_0930 = dt.datetime(2026, 11, 25, 9, 30)


def _e_book(services, actors, **caller: str):
    data = CallerInput(**{"name": "王建国", "phone": "13912345678", **caller})
    return checkin.book_appointment(services, actors[Role.ADVISOR], None, TOMORROW_0930, "常规保养", caller=data)


def test_a_caller_is_booked_as_a_customer_and_a_car_without_a_vin_found_by_search(services, actors):
    appt = _e_book(services, actors, model="卡罗拉")
    with services.db.reader() as s:
        vehicle = s.scalars(select(Vehicle).join(Customer).where(Customer.name == "王建国")).one()
        assert (vehicle.plate, vehicle.vin, vehicle.make, vehicle.model) == (None, None, "", "卡罗拉")
        audit = s.scalars(select(AuditEvent).where(AuditEvent.entity == "appointment",
                                                   AuditEvent.entity_id == appt.id)).one()
        assert audit.after["name"] == "王建国" and audit.after["vehicle_id"] == vehicle.id
    for typed in ("王建国", "5678", "13912345678"):
        [hit] = [h for h in search_service.search(services, typed) if h.vehicle_id == vehicle.id]
        assert (hit.plate, hit.vin, hit.model) == ("", "", "卡罗拉")

    # A second booking of the same caller, now with the plate: the customer is the same one.
    _e_book(services, actors, plate="粤a 88888")
    with services.db.reader() as s:
        assert len(s.scalars(select(Customer).where(Customer.name == "王建国")).all()) == 1
        assert s.scalars(select(Vehicle.plate).where(Vehicle.plate == "粤A88888")).one()
    [hit] = search_service.search(services, "88888")
    assert hit.customer_name == "王建国"


@pytest.mark.parametrize("caller,field", [
    (dict(model="", plate=""), "plate"),  # neither plate nor model
    (dict(model="卡罗拉", phone="1391234"), "phone"),
    (dict(model="卡罗拉", name=" "), "name"),
    (dict(plate="粤A12345"), "plate"),  # that car is on file: found by its plate instead
])
def test_a_caller_is_refused_what_cannot_be_booked(services, actors, caller, field):
    customer_and_vehicle(services, actors[Role.ADVISOR])
    with pytest.raises(ValidationError) as refused:
        _e_book(services, actors, **caller)
    assert refused.value.field == field


def test_a_booked_car_is_checked_in_only_once_completed(services, actors):
    adv = actors[Role.ADVISOR]
    appt = _e_book(services, actors, model="卡罗拉")
    services.clock.now = dt.datetime(2026, 11, 25, 9, 20)
    with services.db.reader() as s:
        vehicle = s.scalars(select(Vehicle).where(Vehicle.vin.is_(None))).one()
        vehicle_id, customer_id, version = vehicle.id, vehicle.customer_id, vehicle.version
    data = checkin.CheckInInput(vehicle_id=vehicle_id, odometer_km=12000, fuel_eighths=5, concerns="常规保养",
                                appointment_id=appt.id)
    with pytest.raises(ValidationError) as refused:
        checkin.check_in(services, adv, data)
    assert refused.value.field == "vin"
    checkin.save_vehicle(services, adv, customer_id, checkin.VehicleInput(
        plate="粤A88888", vin=VIN, make="丰田", model="卡罗拉"), vehicle_id=vehicle_id, expected_version=version)
    order = checkin.check_in(services, adv, data)
    with services.db.reader() as s:
        assert s.get(RepairOrder, order.id).appointment_id == appt.id


def test_the_pickup_time_is_agreed_once_the_car_is_in_the_workshop_or_ready(services, admin, actors):
    adv = actors[Role.ADVISOR]
    shop = seed_shop(services, admin, actors)
    signed = order_through(services, actors, shop, customer_and_vehicle(services, adv)[1], stop="authorised")
    at = dt.datetime(2026, 11, 24, 16, 30)
    with pytest.raises(IllegalTransition):  # not in the workshop yet: the promised time is what counts
        pickup.agree_pickup(services, adv, signed.id, at)
    ready = order_through(services, actors, shop, customer_and_vehicle(
        services, adv, plate="粤B22222", vin=_e_vin(2))[1], stop="ready")
    with pytest.raises(ValidationError) as refused:
        pickup.agree_pickup(services, adv, ready.id, services.clock() - dt.timedelta(hours=1))
    assert refused.value.field == "pickup_at"
    pickup.agree_pickup(services, adv, ready.id, at)
    [row] = desk_home(services, adv).ready
    assert row.pickup_at == at
    from frontdesk.services.board import snapshot

    [car] = [r for r in snapshot(services, adv.store_id).rows if r.order_id == ready.id]
    assert car.pickup_at == at
    pickup.agree_pickup(services, adv, ready.id, None)  # none agreed after all
    [row] = desk_home(services, adv).ready
    assert row.pickup_at is None


def _e_vin(n: int) -> str:
    from frontdesk.services.validation import with_check_digit

    return with_check_digit(f"LFV2A21K0B76543{n:02d}")


def test_the_desk_reads_its_lists_again_only_when_the_store_changed(services, actors):
    adv = actors[Role.ADVISOR]
    home = desk_home(services, adv)
    assert desk_home_since(services, adv, home.seq) is None
    _e_book(services, actors, model="卡罗拉")
    again = desk_home_since(services, adv, home.seq)
    assert again is not None and again.seq > home.seq
    assert desk_home_since(services, adv, again.seq) is None


def test_follow_up_calls_of_a_coming_day_and_found_by_plate_name_or_order(services, admin, actors):
    from frontdesk.model.enums import PaymentMethod
    from frontdesk.services import settlement

    adv = actors[Role.ADVISOR]
    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, adv)
    order = order_through(services, actors, shop, vehicle, stop="delivered")
    settled = settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(
        follow_up_at=dt.datetime(2026, 11, 27, 15, 0), safety_ack_by="张伟"))
    cash = actors[Role.CASHIER]
    settlement.take_payment(services, cash, order.id, PaymentMethod.CASH, settled.customer_amount,
                            tendered=settled.customer_amount)
    settlement.issue_gate_pass(services, cash, order.id)
    today = services.clock().date()
    queue = aftercare_views.follow_up_queue(services, adv)
    assert not queue.due and not queue.later_today
    assert not aftercare_views.follow_up_queue(services, adv, day=today + dt.timedelta(days=2)).ahead
    ahead = aftercare_views.follow_up_queue(services, adv, day=dt.date(2026, 11, 27))
    [call] = ahead.ahead
    assert call.due_at == dt.datetime(2026, 11, 27, 15, 0) and call.agreed and call.plate == "粤A12345"
    for typed in ("a123", "张", order.number[-6:]):
        [found] = aftercare_views.follow_up_queue(services, adv, find=typed).found
        assert found.id == call.id, typed
    assert not aftercare_views.follow_up_queue(services, adv, find="粤Z").found


def test_a_call_at_the_time_the_settlement_offers_is_not_marked_as_asked_for(services, admin, actors):
    """Every settlement records a call time (the offered one, unless the customer asked for another): only a
    time the customer asked for is marked as agreed."""
    from frontdesk.model.enums import PaymentMethod
    from frontdesk.services import settlement

    adv, cash = actors[Role.ADVISOR], actors[Role.CASHIER]
    shop = seed_shop(services, admin, actors)
    marked = {}
    for plate, vin, hour in (("粤A12345", VIN, 10), ("粤B22222", _e_vin(3), 15)):
        order = order_through(services, actors, shop, customer_and_vehicle(services, adv, plate=plate, vin=vin)[1],
                              stop="delivered")
        with services.db.reader() as s:
            left = s.get(RepairOrder, order.id).delivered_at
        at = dt.datetime.combine(left.date() + dt.timedelta(days=services.settings.follow_up_days), dt.time(hour))
        settled = settlement.prepare_settlement(services, adv, order.id, settlement.SettlementInput(
            follow_up_at=at, safety_ack_by="张伟"))
        settlement.take_payment(services, cash, order.id, PaymentMethod.CASH, settled.customer_amount,
                                tendered=settled.customer_amount)
        settlement.issue_gate_pass(services, cash, order.id)
        [call] = aftercare_views.follow_up_queue(services, adv, day=at.date()).ahead[-1:]
        marked[hour] = call.agreed
    assert marked == {10: False, 15: True}
