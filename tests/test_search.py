"""The desk's search box finds vehicles and orders by any fragment the advisor types."""

from __future__ import annotations

import pytest

from frontdesk.model.enums import Role
from frontdesk.services import checkin
from frontdesk.services.search import search
from frontdesk.services.validation import with_check_digit

CARS = [
    ("王芳", "13800138000", "粤B12345", "LSVAU0336A2345678"),
    ("李娜", "13912345678", "粤A5D321", "LFV2A21K0B7654321"),
    ("欧阳建国", "18688889999", "京AD12345", "LGXC0000XD1112223"),
]


@pytest.fixture
def fleet(services, actors):
    adv = actors[Role.ADVISOR]
    ids = {}
    for name, phone, plate, vin in CARS:
        customer = checkin.save_customer(services, adv, checkin.CustomerInput(name, phone))
        vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
            plate=plate, vin=with_check_digit(vin), make="大众", model="朗逸"))
        ids[plate] = (customer.id, vehicle.id)
    order = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=ids["粤A5D321"][1], odometer_km=500, fuel_eighths=4, concerns="异响"))
    return ids, order


def plates(hits):
    return {h.plate for h in hits}


@pytest.mark.parametrize("query,expected", [
    ("粤b·12", {"粤B12345"}),           # any part of the plate, normalised
    ("b123", {"粤B12345"}),
    ("粤A", {"粤A5D321"}),              # two characters: a prefix
    ("AD123", {"京AD12345"}),
    ("345678", {"粤B12345"}),           # last six of the VIN
    ("5678", {"粤B12345", "粤A5D321"}),  # phone tail of 李娜 and VIN tail of 王芳
    ("8000", {"粤B12345"}),             # phone last four
    ("王芳", {"粤B12345"}),              # a two-character name
    ("欧阳", {"京AD12345"}),
    ("阳建国", {"京AD12345"}),           # the middle of a name
])
def test_fragments_find_the_car(services, fleet, query, expected):
    assert plates(search(services, query)) >= expected


def test_unrelated_fragment_finds_nothing(services, fleet):
    assert search(services, "粤Z9") == []
    assert search(services, "   ") == []


def test_order_number_finds_the_open_order(services, fleet):
    _, order = fleet
    hits = search(services, order.number[-9:])  # "1124-0001"
    assert [h.order_number for h in hits] == [order.number]
    by_plate = search(services, "5D321")
    assert by_plate[0].order_number == order.number and by_plate[0].order_status.value == "check_in"


def test_index_follows_edits(services, actors, fleet):
    ids, _ = fleet
    adv = actors[Role.ADVISOR]
    customer_id, _ = ids["粤B12345"]
    checkin.save_customer(services, adv, checkin.CustomerInput("王芳芳", "13700137000"), customer_id=customer_id)
    assert plates(search(services, "0137000")) == {"粤B12345"}
    assert search(services, "8000") == []
