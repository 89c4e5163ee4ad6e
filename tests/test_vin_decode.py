"""VIN decoding (issue 19, item 2): maker, model year and model from the VIN, in the store's words."""

from __future__ import annotations

import pytest

from frontdesk.model import Vehicle
from frontdesk.model.enums import Role
from frontdesk.services import checkin, desk, vin_decode
from frontdesk.services.errors import ValidationError
from frontdesk.services.validation import with_check_digit

from .factories import stored


def vin(body: str) -> str:
    """17 characters with the check digit (position 9) set."""
    assert len(body) == 17
    return with_check_digit(body)


def _car(services, advisor, n: int, vin17: str, make: str, model: str, **extra) -> int:
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput(f"客户{n}", f"1390013{n:04d}"))
    return checkin.save_vehicle(services, advisor, customer.id, checkin.VehicleInput(
        plate=f"粤B{n:05d}", vin=vin17, make=make, model=model, **extra)).id


@pytest.mark.parametrize(("body", "make"), [
    ("LFV2A21K0N3000001", "大众"),  # FAW-Volkswagen
    ("LSVAU2180N2000001", "大众"),  # SAIC Volkswagen
    ("LHGCV1650N8000001", "本田"),  # Guangzhou Honda
    ("LRW3E7FA0NC000001", "特斯拉"),  # Tesla China
    ("LGXC16DF0N0000001", "比亚迪"),  # BYD Auto
    ("LW433B1W0N0000001", "理想"),  # not in vininfo yet: our own WMI table
])
def test_chinese_makers_decode_to_the_chinese_make(services, body, make):
    facts = vin_decode.decode(services, vin(body))
    assert facts is not None
    assert (facts.make, facts.model_year, facts.country) == (make, 2022, "China")
    assert (facts.model, facts.models) == ("", ())  # no cars of the make here yet: nothing to choose from


def test_the_make_is_spelled_as_the_stores_cars_spell_it(services, actors):
    advisor = actors[Role.ADVISOR]
    _car(services, advisor, 1, vin("LFV3A23C0N3000001"), "Volkswagen", "Sagitar")
    # Another WMI of the same brand: the brand's spelling in use here, not the table's first.
    assert vin_decode.decode(services, vin("LSVAU2180N2000002")).make == "Volkswagen"
    # A joint venture that builds several brands: this store's cars of that WMI say which.
    _car(services, advisor, 2, vin("LSGKB5410N0000001"), "雪佛兰", "科鲁泽")
    assert vin_decode.decode(services, vin("LSGZZ5410P0000009")).make == "雪佛兰"
    # Typed in whatever way (lower case, spaces, full width): as save_vehicle reads it.
    typed = vin("LHGCV1650N8000001")
    assert vin_decode.decode(services, " " + typed.lower()[:8] + " " + typed.lower()[8:]).make == "本田"


@pytest.mark.parametrize(("code", "year"), [("N", 2022), ("T", 2026), ("A", 2010), ("Y", 2000), ("1", 2001)])
def test_model_year_from_the_tenth_character(services, code, year):
    facts = vin_decode.decode(services, vin(f"LFV2A21K0{code}3000001"))
    assert facts is not None and facts.model_year == year


def test_model_year_picks_the_latest_candidate_not_after_next_year():
    assert vin_decode.model_year_of([2027, 1997], 2026) == 2027  # next year's model is on sale already
    assert vin_decode.model_year_of([2028, 1998], 2026) == 1998
    assert vin_decode.model_year_of([2040, 2010, 1980], 2026) == 2010
    assert vin_decode.model_year_of([], 2026) is None


def test_the_model_fills_in_from_the_stores_cars(services, actors):
    advisor = actors[Role.ADVISOR]
    known = vin("LSVAU2180N2123456")
    _car(services, advisor, 1, known, "大众", "朗逸")
    _car(services, advisor, 2, vin("LSVAU2180P2000002"), "大众", "朗逸")
    _car(services, advisor, 3, vin("LSVCA6C40N2000003"), "大众", "帕萨特")
    _car(services, advisor, 4, vin("LHGCV1650N8000004"), "本田", "雅阁")
    # Same WMI and VDS (positions 1-8) as known 朗逸s: a 朗逸, whatever its year and serial.
    same_line = vin_decode.decode(services, vin("LSVAU2180T2999999"))
    assert (same_line.make, same_line.model, same_line.model_year) == ("大众", "朗逸", 2026)
    assert same_line.models == ("朗逸", "帕萨特")  # most common first
    # The known car itself (a returning car's VIN typed again).
    assert vin_decode.decode(services, known).model == "朗逸"
    # A VW line not seen here: two models to choose from, none filled.
    other = vin_decode.decode(services, vin("LSVZZ9990N2000001"))
    assert (other.model, other.models) == ("", ("朗逸", "帕萨特"))
    # The store knows one Honda model only: that one.
    assert vin_decode.decode(services, vin("LHGRT3850N8000001")).model == "雅阁"


@pytest.mark.parametrize("typed", [
    "", "   ", "LSV", "LSVAU2180N200000", "LSVAU2180N20000011",  # too short, too long
    "LSVAU2180N2OOOOO1", "LSVAU2180N2IIIII1",  # letters a VIN never has
    "粤A12345", "LSVAU2180N2-0000-1?", None,
    "AAAAA2180N2000001",  # a WMI nobody knows
])
def test_what_is_no_vin_decodes_to_none(services, typed):
    assert vin_decode.decode(services, typed) is None


def test_model_year_is_saved_shown_and_validated(services, actors, clock):
    advisor = actors[Role.ADVISOR]
    vehicle_id = _car(services, advisor, 1, vin("LSVAU2180N2000001"), "大众", "朗逸", model_year=2022)
    assert stored(services, Vehicle, vehicle_id).model_year == 2022
    assert desk.vehicle_card(services, vehicle_id).model_year == 2022
    assert desk.checkin_record(services, vehicle_id).model_year == 2022
    card = desk.vehicle_card(services, vehicle_id)
    next_year = clock().year + 1
    for bad in (1979, next_year + 1):
        with pytest.raises(ValidationError) as raised:
            checkin.save_vehicle(services, advisor, card.customer_id, checkin.VehicleInput(
                plate=card.plate, vin=card.vin, make=card.make, model=card.model, model_year=bad),
                vehicle_id=vehicle_id, expected_version=card.version)
        assert raised.value.field == "model_year"
    checkin.save_vehicle(services, advisor, card.customer_id, checkin.VehicleInput(
        plate=card.plate, vin=card.vin, make=card.make, model=card.model, model_year=next_year),
        vehicle_id=vehicle_id, expected_version=card.version)
    assert stored(services, Vehicle, vehicle_id).model_year == next_year
    # Left out (a form that does not know the year): not known, as for the cars on file before.
    other = _car(services, advisor, 2, vin("LSVAU2180N2000002"), "大众", "朗逸")
    assert stored(services, Vehicle, other).model_year is None
    assert desk.vehicle_card(services, other).model_year is None


def test_a_known_line_settles_a_joint_ventures_brand(services, actors):
    """SAIC-GM (LSG) builds Buicks and Chevrolets: a car of the same line says which, and its model."""
    advisor = actors[Role.ADVISOR]
    for n in range(3):
        _car(services, advisor, n, vin(f"LSGKB5410N000000{n}"), "别克", "英朗")
    _car(services, advisor, 7, vin("LSGZA53L0N0000007"), "雪佛兰", "科鲁泽")
    chevy = vin_decode.decode(services, vin("LSGZA53L0R0000099"))
    assert (chevy.make, chevy.model, chevy.models) == ("雪佛兰", "科鲁泽", ("科鲁泽",))
    unseen = vin_decode.decode(services, vin("LSGXX1230R0000099"))
    assert (unseen.make, unseen.model) == ("别克", "英朗")  # the WMI's usual brand here, its one model
