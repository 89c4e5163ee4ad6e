"""The desk's search on a store's worth of data: 60 000 customers and vehicles.

Set-up bypasses the services on purpose (SQLAlchemy Core bulk inserts into a migrated
SQLite database: a few seconds instead of minutes); the triggers of migration 0002 fill
the FTS5 trigram tables exactly as they do for rows saved through the services.

What is checked, for many fragments of each kind the desk is typed with (a plate piece in
lower case with a separator, the last six of a VIN, the last four of a phone, a name):
the trigram lookup returns the same rows as a brute-force ``LIKE '%…%'`` scan of the
same column, and ``search()`` returns exactly the vehicles a brute-force scan of the
columns it consults finds. Timings of both are printed (``pytest -s``), never asserted
in milliseconds: only that the index is faster than the scan it replaces.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import string
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model import Customer, Vehicle
from frontdesk.services.context import Services
from frontdesk.services.search import matching_ids, search
from frontdesk.services.validation import phone_search_key, plate_search_key

N = 60_000
SAMPLES = 40  # fragments of each kind
SEED = 20261126
PROVINCES = "粤京沪川湘闽浙苏鲁豫鄂桂"
CITY = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # plates use neither I nor O
PLATE_TAIL = "ABCDEFGHJKLMNPQRSTUVWXYZ" + string.digits * 3  # mostly digits, as on the road
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ" + string.digits  # no I, O, Q
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫辉建国文斌宇浩凯健俊帆帅旭宁婷雪琳晨博飞鹏亮波峰"


def _unique(rng: random.Random, make, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    out = []
    while len(out) < n:
        value = make(rng)
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def _plate(rng: random.Random) -> str:
    return rng.choice(PROVINCES) + rng.choice(CITY) + "".join(rng.choice(PLATE_TAIL) for _ in range(5))


def _vin(rng: random.Random) -> str:
    # The serial number at the end: a letter and five digits, as on many Chinese-built cars.
    head = "".join(rng.choice(VIN_CHARS) for _ in range(11))
    return head + rng.choice(VIN_CHARS[:23]) + "".join(rng.choice(string.digits) for _ in range(5))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice(string.digits) for _ in range(9))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Services]:
    path = tmp_path_factory.mktemp("scale") / "scale.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    rng = random.Random(SEED)
    started = time.perf_counter()
    now = dt.datetime(2026, 11, 24, 9, 0)
    plates, vins, phones = _unique(rng, _plate, N), _unique(rng, _vin, N), _unique(rng, _phone, N)
    names = [_name(rng) for _ in range(N)]
    with db.engine.begin() as conn:
        conn.execute(insert(Customer), [
            {"id": i + 1, "name": names[i], "phone": phones[i], "is_company": False, "address": "", "notes": "",
             "created_at": now, "version": 1} for i in range(N)
        ])
        conn.execute(insert(Vehicle), [
            {"id": i + 1, "customer_id": i + 1, "plate": plates[i], "vin": vins[i], "vin_check_confirmed": False,
             "make": "大众", "model": "朗逸", "colour": "", "new_energy": False, "sale_date": None,
             "warranty_months": 36, "warranty_km": 100_000, "last_odometer_km": 0, "next_service_date": None,
             "next_service_km": None, "created_at": now, "version": 1} for i in range(N)
        ])
    with db.engine.connect() as conn:
        indexed = tuple(conn.scalar(text(f"SELECT count(*) FROM {fts}")) for fts in ("vehicle_search", "customer_search"))
    assert indexed == (N, N), "the triggers of migration 0002 index every inserted row"
    print(f"\n{N} customers and vehicles inserted and indexed in {time.perf_counter() - started:.1f} s")
    yield Services(db=db, settings=Settings(), clock=lambda: now)
    db.dispose()


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scan(services: Services, column, term: str, *, prefix: bool = False) -> set[int]:  # type: ignore[no-untyped-def]
    """The brute force: every row of the table, compared one by one."""
    pattern = (term + "%") if prefix else _like(term)
    with services.db.reader() as s:
        return set(s.scalars(select(column.table.c.id).where(column.like(pattern, escape="\\"))))


def _lookup(services: Services, column, term: str) -> set[int]:  # type: ignore[no-untyped-def]
    """What the search uses: the FTS5 trigram index (a prefix range below three characters)."""
    with services.db.plain_transaction() as cur:
        return set(matching_ids(cur, column.key, term))


def _vehicles_of(services: Services, customer_ids: set[int]) -> set[int]:
    if not customer_ids:
        return set()
    with services.db.reader() as s:
        return set(s.scalars(select(Vehicle.id).where(Vehicle.customer_id.in_(customer_ids))))


@pytest.fixture(scope="module")
def samples(big: Services) -> dict[str, list[tuple[int, str]]]:
    """(vehicle id, fragment as typed) for each kind, taken from random rows of the data."""
    rng = random.Random(SEED + 1)
    with big.db.reader() as s:
        rows = s.execute(select(Vehicle.id, Vehicle.plate, Vehicle.vin, Customer.phone, Customer.name)
                         .join(Customer, Customer.id == Vehicle.customer_id)).all()
    picked = rng.sample(rows, SAMPLES * 3)
    long_names = [r for r in picked if len(r.name) >= 3][:SAMPLES]
    short_names = [r for r in picked if len(r.name) == 2][:SAMPLES // 2]
    return {
        # "粤a·3k7": province, city letter and the next three, lower case, a separator typed in
        "plate": [(r.id, (r.plate[:2] + "·" + r.plate[2:5]).lower()) for r in picked[:SAMPLES]],
        "vin": [(r.id, r.vin[-6:]) for r in picked[:SAMPLES]],
        "phone": [(r.id, r.phone[-4:]) for r in picked[:SAMPLES]],
        "name": [(r.id, r.name) for r in long_names],
        "short_name": [(r.id, r.name) for r in short_names],
    }


def _expected(services: Services, kind: str, typed: str) -> set[int]:
    """The vehicles a brute-force scan finds in the columns ``search()`` consults for this kind of text."""
    plate = _scan(services, Vehicle.plate, plate_search_key(typed))  # every kind here also looks like a plate piece
    if kind == "plate":  # (CJK in the text: the name is tried too)
        return plate | _vehicles_of(services, _scan(services, Customer.name, typed))
    if kind == "vin":
        return plate | _scan(services, Vehicle.vin, typed.upper())
    if kind == "phone":  # digits: a plate piece, a VIN piece and a phone piece
        return (plate | _scan(services, Vehicle.vin, typed)
                | _vehicles_of(services, _scan(services, Customer.phone, phone_search_key(typed))))
    if kind == "name":
        return plate | _vehicles_of(services, _scan(services, Customer.name, typed))
    if kind == "short_name":  # two characters: a prefix, as search.py documents
        return (_scan(services, Vehicle.plate, typed, prefix=True)
                | _vehicles_of(services, _scan(services, Customer.name, typed, prefix=True)))
    raise AssertionError(kind)


@pytest.mark.parametrize("kind,column,key", [
    ("plate", Vehicle.plate, plate_search_key),
    ("vin", Vehicle.vin, str.upper),
    ("phone", Customer.phone, phone_search_key),
    ("name", Customer.name, str),
])
def test_trigram_lookup_returns_what_a_like_scan_returns(big, samples, kind, column, key):
    fts_ms, like_ms = [], []
    for _vehicle_id, typed in samples[kind]:
        term = key(typed)
        t0 = time.perf_counter()
        found = _lookup(big, column, term)
        t1 = time.perf_counter()
        scanned = _scan(big, column, term)
        t2 = time.perf_counter()
        assert len(scanned) < 200, "the lookup stops at 200 rows; pick a longer fragment"
        assert found == scanned, f"{kind} {typed!r}: trigram {sorted(found)[:10]} vs LIKE {sorted(scanned)[:10]}"
        fts_ms.append((t1 - t0) * 1000)
        like_ms.append((t2 - t1) * 1000)
    fts, like = statistics.median(fts_ms), statistics.median(like_ms)
    print(f"\n{kind:6} over {N} rows: trigram lookup median {fts:.2f} ms (p95 {_p95(fts_ms):.2f}), "
          f"LIKE scan median {like:.2f} ms (p95 {_p95(like_ms):.2f}), ×{like / fts:.0f}")
    assert fts < like, "the index must beat the scan it replaces"


@pytest.mark.parametrize("kind", ["plate", "vin", "phone", "name", "short_name"])
def test_search_finds_exactly_the_expected_vehicles(big, samples, kind):
    took = []
    for vehicle_id, typed in samples[kind]:
        t0 = time.perf_counter()
        hits = search(big, typed, limit=1000)
        took.append((time.perf_counter() - t0) * 1000)
        found = {h.vehicle_id for h in hits}
        assert vehicle_id in found, f"{kind} {typed!r} did not find the car it was taken from"
        assert found == _expected(big, kind, typed), f"{kind} {typed!r}"
    print(f"\nsearch() for {kind:10}: median {statistics.median(took):.2f} ms, p95 {_p95(took):.2f} ms")


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]
