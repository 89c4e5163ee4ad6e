"""The demo data sources: catalogue CSVs and the seeded generators."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from frontdesk.services import demo_sources as ds

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
ORDINARY_PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5}}$")
NEW_ENERGY_PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][DF][0-9]{{5}}$")
VIN_BODY = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
MOBILE = re.compile(r"^1[3579][0-9]{9}$|^18[0-9]{9}$")
UNITS = {"pc", "L", "set", "kg", "m"}


@pytest.fixture(scope="module")
def labor_ops() -> list[ds.LaborOpRow]:
    return ds.load_labor_operations()


@pytest.fixture(scope="module")
def parts() -> list[ds.PartRow]:
    return ds.load_parts()


# --------------------------------------------------------------------------- catalogue


def test_labor_operations_count_and_unique_codes(labor_ops: list[ds.LaborOpRow]) -> None:
    assert len(labor_ops) >= 150
    codes = [op.code for op in labor_ops]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]{2}[0-9]{4}", code) for code in codes)


def test_labor_operations_fields(labor_ops: list[ds.LaborOpRow]) -> None:
    for op in labor_ops:
        assert isinstance(op.std_hours, Decimal)
        assert Decimal("0.3") <= op.std_hours <= Decimal("12.0"), op
        assert op.std_hours.as_tuple().exponent >= -2, op
        assert isinstance(op.safety, bool)
        assert op.name_zh.strip() and op.name_en.strip() and op.category.strip()
        assert op.name_en.isascii(), op
    names = [op.name_zh for op in labor_ops]
    assert len(set(names)) == len(names)


def test_labor_operations_cover_the_usual_jobs(labor_ops: list[ds.LaborOpRow]) -> None:
    by_name = {op.name_zh: op for op in labor_ops}
    for name in ("更换机油机滤", "四轮定位", "更换前刹车片", "更换蓄电池", "前保险杠喷漆"):
        assert name in by_name, name
    assert by_name["更换前刹车片"].safety
    assert by_name["四轮定位"].safety
    assert not by_name["更换机油机滤"].safety
    assert any(op.safety for op in labor_ops) and not all(op.safety for op in labor_ops)


def test_parts_count_and_unique_numbers(parts: list[ds.PartRow]) -> None:
    assert len(parts) >= 300
    numbers = [part.number for part in parts]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[A-Z0-9-]{6,12}", number) for number in numbers)


def test_parts_fields(parts: list[ds.PartRow]) -> None:
    for part in parts:
        assert isinstance(part.price, Decimal)
        assert part.price > 0, part
        assert part.price.as_tuple().exponent >= -2, part
        assert isinstance(part.stock, int) and 0 <= part.stock <= 120, part
        assert part.unit in UNITS, part
        assert re.fullmatch(r"[A-Z]-[0-9]{2}-[1-9]", part.bin), part
        assert part.name_zh.strip() and part.name_en.strip() and part.category.strip()
        assert part.name_en.isascii(), part


def test_some_parts_are_out_of_stock(parts: list[ds.PartRow]) -> None:
    zero = sum(1 for part in parts if part.stock == 0)
    assert 0.04 <= zero / len(parts) <= 0.12


def test_rows_are_frozen(labor_ops: list[ds.LaborOpRow], parts: list[ds.PartRow]) -> None:
    with pytest.raises(AttributeError):
        labor_ops[0].code = "X"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        parts[0].price = Decimal("1")  # type: ignore[misc]


# --------------------------------------------------------------------------- static data


def test_static_tables_sizes() -> None:
    assert len(ds.SURNAMES) >= 80 and len(set(ds.SURNAMES)) == len(ds.SURNAMES)
    assert len(ds.GIVEN_CHARS) >= 150 and len(set(ds.GIVEN_CHARS)) == len(ds.GIVEN_CHARS)
    assert len(ds.COMPANY_NAMES) >= 20
    assert len(ds.VEHICLE_MODELS) >= 25
    assert len(ds.CONCERNS) >= 40
    assert ds.COLOURS and ds.PROVINCE_CITY_CODES
    for zh, en in (*ds.CONCERNS, *ds.COLOURS):
        assert zh.strip() and en.strip() and en.isascii()


def test_vehicle_models() -> None:
    for model in ds.VEHICLE_MODELS:
        assert re.fullmatch(r"L[A-HJ-NPR-Z0-9]{2}", model.wmi), model
        assert model.make and model.model
    assert any(m.new_energy for m in ds.VEHICLE_MODELS)
    assert any(not m.new_energy for m in ds.VEHICLE_MODELS)


def test_plate_prefixes_favour_guangzhou() -> None:
    guangzhou = sum(1 for code in ds.PROVINCE_CITY_CODES if code == ("粤", "A"))
    assert guangzhou / len(ds.PROVINCE_CITY_CODES) > 0.5
    for province, city in ds.PROVINCE_CITY_CODES:
        assert province in PROVINCES and re.fullmatch(r"[A-HJ-NP-Z]", city)


# --------------------------------------------------------------------------- generators


def test_random_plates_are_valid() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        plate = ds.random_plate(rng, new_energy=False)
        assert ORDINARY_PLATE.fullmatch(plate), plate
        assert sum(ch.isalpha() and ch.isascii() for ch in plate[2:]) <= 2, plate
        nev = ds.random_plate(rng, new_energy=True)
        assert len(nev) == 8 and NEW_ENERGY_PLATE.fullmatch(nev), nev


def test_random_plates_survive_normalisation() -> None:
    validation = pytest.importorskip("frontdesk.services.validation")
    rng = random.Random(8)
    for _ in range(300):
        for new_energy in (False, True):
            plate = ds.random_plate(rng, new_energy)
            assert validation.normalise_plate(plate) == plate
            assert validation.is_new_energy_plate(plate) is new_energy


def test_random_vin_bodies() -> None:
    rng = random.Random(11)
    for _ in range(1000):
        model = rng.choice(ds.VEHICLE_MODELS)
        body = ds.random_vin_body(rng, model)
        assert len(body) == 17 and VIN_BODY.fullmatch(body), body
        assert not set(body) & set("IOQ")
        assert body.startswith(model.wmi)
        assert body[8] == "0"
        assert body[9] in ds.MODEL_YEAR_CODES.values()


def test_vin_body_model_year() -> None:
    rng = random.Random(12)
    body = ds.random_vin_body(rng, ds.VEHICLE_MODELS[0], model_year=2024)
    assert body[9] == "R"


def test_vin_bodies_take_a_check_digit() -> None:
    validation = pytest.importorskip("frontdesk.services.validation")
    rng = random.Random(13)
    for _ in range(200):
        vin = validation.with_check_digit(ds.random_vin_body(rng, rng.choice(ds.VEHICLE_MODELS)))
        assert validation.normalise_vin(vin).check_digit_ok


def test_random_names_and_mobiles() -> None:
    rng = random.Random(3)
    names = [ds.random_person_name(rng) for _ in range(500)]
    for name in names:
        assert 2 <= len(name) <= 4 and name.strip() == name
    assert len(set(names)) > 300
    for _ in range(500):
        mobile = ds.random_mobile(rng)
        assert len(mobile) == 11 and MOBILE.fullmatch(mobile), mobile
        assert mobile[:3] in ds.MOBILE_PREFIXES


def _sample(seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(50):
        model = rng.choice(ds.VEHICLE_MODELS)
        out += [
            ds.random_person_name(rng),
            ds.random_mobile(rng),
            ds.random_plate(rng, model.new_energy),
            ds.random_vin_body(rng, model),
        ]
    return out


def test_generators_are_reproducible() -> None:
    assert _sample(2026) == _sample(2026)
    assert _sample(2026) != _sample(2027)
