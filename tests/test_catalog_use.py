"""Catalog ranking by use (issue 19, item 3): what this store uses most is listed first.

Orders are written through the services at set times (the fake clock), so the weights
come from real jobs and part lines; the cache is dropped between tests (autouse) since
the PostgreSQL fixture database is reused.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from frontdesk.model.enums import Role
from frontdesk.services import catalog, catalog_use, checkin, desk, estimate
from frontdesk.services.validation import with_check_digit

from .factories import seed_shop


@pytest.fixture(autouse=True)
def _fresh_cache():
    catalog_use.invalidate()
    yield
    catalog_use.settle()
    catalog_use.invalidate()


def _car(services, advisor, n: int) -> int:
    customer = checkin.save_customer(services, advisor, checkin.CustomerInput(f"客户{n}", f"1380013{n:04d}"))
    vin = with_check_digit(f"LSVAU0330N{n:07d}")
    return checkin.save_vehicle(services, advisor, customer.id, checkin.VehicleInput(
        plate=f"粤A{n:05d}", vin=vin, make="大众", model="朗逸")).id


class _Orders:
    """Orders at chosen dates, one car each (a car has one open order at a time)."""

    def __init__(self, services, advisor) -> None:
        self.services, self.advisor, self.n = services, advisor, 0
        self.last_order = 0

    def order(self, at: dt.datetime, *, ops=(), parts=()) -> None:
        clock = self.services.clock
        saved = clock.now
        clock.now = at
        try:
            self.n += 1
            vehicle = _car(self.services, self.advisor, self.n)
            order = checkin.check_in(self.services, self.advisor, checkin.CheckInInput(
                vehicle_id=vehicle, odometer_km=1000 * self.n, fuel_eighths=4, concerns="保养"))
            self.last_order = order.id
            for op in ops:
                estimate.add_job(self.services, self.advisor, order.id, labor_op_id=op)
            for part in parts:
                estimate.add_part(self.services, self.advisor, order.id, part_id=part, qty="1")
        finally:
            clock.now = saved


@pytest.fixture
def shop(services, admin, actors):
    """The factories' shop plus two more 机油 operations: ``jy`` matches three, 机油检查 by its initials."""
    base = seed_shop(services, admin, actors)
    check = catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "AA0001", "机油检查", "0.20", "Check engine oil", "maintenance")).id
    sensor = catalog.save_labor_operation(services, admin, catalog.LaborOpInput(
        "EN0126", "更换机油压力传感器", "0.50", "Replace oil pressure sensor", "engine")).id
    return base, check, sensor


def test_jy_lists_the_oil_service_first_where_the_store_does_it_most(services, actors, shop):
    base, check, _sensor = shop
    advisor = actors[Role.ADVISOR]
    unranked = [h.code for h in desk.find_labor_ops(services, "jy")]
    assert unranked[0] == "AA0001"  # no use yet: the initials prefix (jy…) beats 更换机油机滤 (ghjy…)
    assert set(unranked) == {"AA0001", "EN0126", "MT0101"}
    catalog_use.invalidate()
    orders = _Orders(services, advisor)
    now = services.clock()
    for days in (3, 10, 20, 40):
        orders.order(now - dt.timedelta(days=days), ops=[base.oil_change])
    orders.order(now - dt.timedelta(days=5), ops=[check])
    hits = desk.find_labor_ops(services, "jy")
    assert [h.code for h in hits] == ["MT0101", "AA0001", "EN0126"]
    assert hits[0].name == "更换机油机滤"
    # Nothing typed: the store's usual work first, too.
    assert [h.code for h in desk.find_labor_ops(services, "")][:2] == ["MT0101", "AA0001"]
    # The limit cuts after ranking: the most used is kept even when the code would drop it.
    assert [h.code for h in desk.find_labor_ops(services, "jy", limit=1)] == ["MT0101"]


def test_recent_use_beats_older_use(services, actors, shop):
    base, _check, sensor = shop
    orders = _Orders(services, actors[Role.ADVISOR])
    now = services.clock()
    for days in (360, 370, 380):  # three uses a year ago: 3 * 0.5 ** 4 ≈ 0.19
        orders.order(now - dt.timedelta(days=days), ops=[sensor])
    orders.order(now - dt.timedelta(days=7), ops=[base.oil_change])  # one use last week ≈ 1
    weights = catalog_use.weights(services, actors[Role.ADVISOR].store_id, "labour")
    assert weights[base.oil_change] > weights[sensor] > 0
    assert weights[sensor] == pytest.approx(3 * 0.5 ** (12 / 3), rel=0.2)
    assert [h.code for h in desk.find_labor_ops(services, "jy")] == ["MT0101", "EN0126", "AA0001"]


def test_parts_are_ranked_by_this_stores_use(services, actors, shop):
    base, *_ = shop
    advisor = actors[Role.ADVISOR]
    assert [h.number for h in desk.find_parts(services, advisor, "机油")] == ["06L115562B", "LQ-0001"]
    catalog_use.invalidate()
    orders = _Orders(services, advisor)
    now = services.clock()
    orders.order(now - dt.timedelta(days=2), parts=[base.engine_oil])
    orders.order(now - dt.timedelta(days=9), parts=[base.engine_oil, base.oil_filter])
    hits = desk.find_parts(services, advisor, "机油")
    assert [h.number for h in hits] == ["LQ-0001", "06L115562B"]
    assert hits[0].on_hand == 40  # the stock still comes with the hit


def test_the_cache_answers_at_once_and_refreshes_in_the_background(services, actors, shop, monkeypatch):
    base, check, _sensor = shop
    store = actors[Role.ADVISOR].store_id
    orders = _Orders(services, actors[Role.ADVISOR])
    now = services.clock()
    orders.order(now - dt.timedelta(days=1), ops=[check])
    first = catalog_use.weights(services, store, "labour")
    assert set(first) == {check}
    for days in (1, 2):
        orders.order(now - dt.timedelta(days=days), ops=[base.oil_change])
    assert catalog_use.weights(services, store, "labour") is first  # cached: no query per keystroke
    assert desk.find_labor_ops(services, "jy")[0].code == "AA0001"
    # A few minutes on: the keystroke still gets the old weights at once, a thread recounts.
    later = catalog_use._monotonic() + catalog_use.REFRESH_AFTER_S + 1
    monkeypatch.setattr(catalog_use, "_monotonic", lambda: later)
    started = threading.Event()
    real = catalog_use._weights

    def slow(*args):
        started.set()
        assert threading.current_thread() is not threading.main_thread()  # never on the keystroke's thread
        return real(*args)

    monkeypatch.setattr(catalog_use, "_weights", slow)
    assert catalog_use.weights(services, store, "labour") is first
    catalog_use.settle()
    assert started.is_set()
    fresh = catalog_use.weights(services, store, "labour")
    assert fresh[base.oil_change] > fresh[check]
    assert desk.find_labor_ops(services, "jy")[0].code == "MT0101"


def test_rank_orders_by_use_then_match_quality_then_input_order():
    hits = [("A1", 1, 2), ("B1", 2, 1), ("C1", 3, 0), ("D1", 4, 2)]  # (code, id, quality)
    ranked = catalog_use.rank(hits, {4: 2.0, 1: 0.5}, key_id=lambda h: h[1], quality=lambda h: h[2])
    assert [h[0] for h in ranked] == ["D1", "A1", "C1", "B1"]
    assert catalog_use.match_quality("jy", code="MT0101", initials="ghjyjl") == catalog_use.SUBSTRING
    assert catalog_use.match_quality("jy", code="AA0001", initials="jyjc") == catalog_use.PREFIX
    assert catalog_use.match_quality("mt", code="MT0101", initials="ghjyjl") == catalog_use.CODE_PREFIX


def test_packages_are_counted_once_per_order(services, admin, actors, shop):
    """A package adds several jobs (each naming it in job.package_id): one use per order."""
    from frontdesk.services import packages

    _base, check, _sensor = shop
    store = actors[Role.ADVISOR].store_id
    assert catalog_use.weights(services, store, "package") == {}
    catalog_use.invalidate()
    two_jobs = packages.save_package(services, admin, packages.PackageInput(
        "VW-10K", "10000公里保养", make="大众", interval_km=10000,
        lines=(("MT0101", None), ("AA0001", None), ("LQ-0001", "4")))).id
    other = packages.save_package(services, admin, packages.PackageInput(
        "VW-BRK", "刹车保养", make="大众", lines=(("BR0201", None),))).id
    orders = _Orders(services, actors[Role.ADVISOR])
    now = services.clock()
    for days in (1, 2):
        orders.order(now - dt.timedelta(days=days))
        packages.add_package(services, actors[Role.ADVISOR], orders.last_order, two_jobs)
    orders.order(now - dt.timedelta(days=1))
    packages.add_package(services, actors[Role.ADVISOR], orders.last_order, other)
    weights = catalog_use.weights(services, store, "package")
    assert weights[two_jobs] == pytest.approx(2.0, rel=0.01)  # two orders, not four jobs
    assert weights[other] == pytest.approx(1.0, rel=0.01)
    # The package's labour counts as use of the operations too.
    assert catalog_use.weights(services, store, "labour")[check] == pytest.approx(2.0, rel=0.01)


def test_opening_an_estimate_counts_the_use_in_the_background(services, actors, shop, monkeypatch):
    """The big store's count takes most of a second: the picker's first keystroke must not wait for it."""
    base, _check, _sensor = shop
    advisor = actors[Role.ADVISOR]
    orders = _Orders(services, advisor)
    orders.order(services.clock() - dt.timedelta(days=1), ops=[base.oil_change])
    catalog_use.invalidate()
    threads: list[str] = []
    real = catalog_use._weights

    def counted(*args):
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(catalog_use, "_weights", counted)
    desk.order_view(services, orders.last_order)  # the estimate opens
    catalog_use.settle()
    assert threads == ["catalog-use-warm"] * 3  # labour, parts, packages: off the screen's thread
    assert desk.find_labor_ops(services, "jy")[0].code == "MT0101"
    assert len(threads) == 3  # the keystroke found them counted
