"""Issue 19's targets, counted: keys from the plate typed on the desk to the signed work order.

A path is data: ``Type`` is what the advisor reads off the car or hears (plate, km, fuel,
VIN, names, catalog searches): typed data, not counted; a plain string is one key that
navigates or commands (Enter, Tab, arrows, F-keys, a letter used as a command): counted;
``Wait`` names the screen the keys before it lead to. The test runs the path at 80x24
against the small UI store and checks the order is signed at the end, so a path that
stops working fails rather than counting short.

Before issue 19 (``BEFORE_*``, measured on 7929116 by running them here with the limit
off): the returning customer 23 keys, the new customer 33 — a practiced advisor's paths,
the oil service added by hand (no packages then). After: ``RETURNING`` 12, ``NEW`` 24.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from frontdesk.model.enums import OrderStatus, Role
from frontdesk.services import desk, search

from .desk_helpers import type_text
from .reception import screen_name, settle

VIN = "LSGPC52U1AF123456"
RETURNING_LIMIT = 40
NEW_LIMIT = 60


@dataclass(frozen=True)
class Type:
    """Typed data (not counted)."""

    text: str


@dataclass(frozen=True)
class Wait:
    """The keys before it open this screen (and its workers answer)."""

    screen: str


Step = str | Type | Wait

#: The oil service without packages: the job by its initials, its two parts, the oil's 4 litres.
OIL_SERVICE_BY_HAND: tuple[Step, ...] = (
    "f2", Wait("LaborOpPicker"), Type("jy"), "enter", Wait("EstimateScreen"),
    "f3", Wait("PartPicker"), Type("jylq"), "enter", Wait("EstimateScreen"), "escape",
    "up", "f3", Wait("PartPicker"), Type("LQ-0001"), "enter", Wait("EstimateScreen"), Type("4"), "enter",
)
#: F9 first says how the customer pays is missing; the terms: payment method, cash; F6; F9 again; Enter signs.
SIGN_WITH_TERMS: tuple[Step, ...] = (
    "f9", Wait("EstimateScreen"), "enter", "down", "enter", "f6", Wait("EstimateScreen"),
    "f9", Wait("SignScreen"), "enter", Wait("DeskHomeScreen"),
)

#: Today's returning customer (李娜's 粤B67890, serviced four days ago): the focus waits on the odometer.
BEFORE_RETURNING: tuple[Step, ...] = (
    Type("粤B67890"), "enter", Wait("CheckInScreen"),
    Type("15980"), "tab", Type("6"), "tab", "tab", "tab", Type("保养"), "f6", Wait("WalkaroundScreen"),
    "f6", Wait("EstimateScreen"),
    *OIL_SERVICE_BY_HAND,
    *SIGN_WITH_TERMS,
)
#: Today's new customer: F2 carries the plate into the check-in; every field typed in the form's order.
BEFORE_NEW: tuple[Step, ...] = (
    Type("粤E55667"), "f2", Wait("CheckInScreen"),
    Type("王芳"), "tab", Type("13712345678"), "tab", "tab",  # past "company"
    "tab", Type(VIN), "tab", Type("别克"), "tab", Type("英朗"), "tab", Type("珍珠白"), "tab", Type("2025-06-15"),
    "tab", "tab", Type("8021"), "tab", Type("6"), "tab", "tab", "tab", Type("空调不凉"),
    "f6", Wait("WalkaroundScreen"),
    "f6", Wait("EstimateScreen"),
    *OIL_SERVICE_BY_HAND,
    *SIGN_WITH_TERMS,
)

#: The package due for the car (named on the estimate's strip): Y takes it, labour and parts in one change.
DUE_PACKAGE: tuple[Step, ...] = ("y", Wait("EstimateScreen"))

#: The returning customer: 赵敏's 粤D13579, serviced six months ago. The check-in is filled from the
#: last visit with the focus on the odometer: km Enter, fuel Enter saves; N: no new damage.
RETURNING: tuple[Step, ...] = (
    Type("粤D13579"), "enter", Wait("CheckInScreen"),
    Type("25100"), "enter", Type("6"), "enter", Wait("WalkaroundScreen"),
    "n", Wait("EstimateScreen"),
    *DUE_PACKAGE,
    *SIGN_WITH_TERMS,
)
#: The new customer: F2 carries the plate in; the focus is on the VIN, Enter walks the required
#: fields (the VIN fills the make and year), Tab visits the optional ones (colour, sale date, concerns).
NEW: tuple[Step, ...] = (
    Type("粤E55667"), "f2", Wait("CheckInScreen"),
    Type(VIN), "enter", Type("别克"), "enter", Type("英朗"), "tab", "tab", Type("珍珠白"), "tab", Type("2025-06-15"),
    "enter", Type("王芳"), "enter", Type("13712345678"), "enter", Type("8021"), "enter", Type("6"),
    "tab", "tab", "tab", Type("空调不凉"), "f6", Wait("WalkaroundScreen"),
    "c", "f6", Wait("EstimateScreen"),  # covers fitted, nothing else to note
    *DUE_PACKAGE,
    *SIGN_WITH_TERMS,
)


@pytest.fixture
def routine(ui_services, ui_actors, desk_data) -> None:  # type: ignore[no-untyped-def]
    """A 10 000 km / 6-month service package for every make, and 赵敏's car, last serviced in May."""
    from frontdesk.services import checkin, packages
    from frontdesk.services.setup import ensure_store, system_actor

    from ..factories import order_through

    admin = system_actor(ensure_store(ui_services))
    packages.save_package(ui_services, admin, packages.PackageInput(
        "PM10K", "10000公里保养", "10 000 km service", interval_km=10_000, interval_months=6,
        lines=(("MT0101", None), ("06L115562B", 1), ("LQ-0001", 4))))
    adv = ui_actors[Role.ADVISOR]
    owner = checkin.save_customer(ui_services, adv, checkin.CustomerInput("赵敏", "13500001111")).id
    car = checkin.save_vehicle(ui_services, adv, owner, checkin.VehicleInput(
        plate="粤D13579", vin="LSVAU0331N1357913", make="大众", model="朗逸", sale_date=dt.date(2024, 5, 1))).id
    now = ui_services.clock.now
    ui_services.clock.now = dt.datetime(2026, 5, 20, 9, 0)  # type: ignore[attr-defined]
    order_through(ui_services, ui_actors, desk_data.shop, car)  # 15 230 km, an oil service
    ui_services.clock.now = now  # type: ignore[attr-defined]


def counted(path: tuple[Step, ...]) -> list[str]:
    return [step for step in path if isinstance(step, str)]


async def run_path(pilot, path: tuple[Step, ...]) -> None:  # type: ignore[no-untyped-def]
    for step in path:
        if isinstance(step, Type):
            await type_text(pilot, step.text)
            await pilot.pause(0.35)  # past a type-ahead's pause
            await settle(pilot)
        elif isinstance(step, Wait):
            await settle(pilot, lambda screen=step.screen: screen_name(pilot) == screen, timeout=30)
        else:
            await pilot.press(step)
            await settle(pilot)


async def drive(app_for, ui_services, path: tuple[Step, ...], plate: str) -> desk.OrderView:  # type: ignore[no-untyped-def]
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        await run_path(pilot, path)
    [hit] = search.search(ui_services, plate)
    assert hit.order_id is not None
    return desk.order_view(ui_services, hit.order_id)


async def test_a_returning_customers_routine_service_in_40_keys(app_for, ui_services, routine):
    order = await drive(app_for, ui_services, RETURNING, "粤D13579")
    assert order.status == OrderStatus.AUTHORISED and order.signed_by == "赵敏" and order.odometer_km == 25100
    assert {line.code for line in order.lines} == {"MT0101", "06L115562B", "LQ-0001"}
    keys = counted(RETURNING)
    print(f"returning customer: {len(keys)} keys: {' '.join(keys)}")
    assert len(keys) <= RETURNING_LIMIT


async def test_a_new_customers_routine_service_in_60_keys(app_for, ui_services, routine):
    order = await drive(app_for, ui_services, NEW, "粤E55667")
    assert order.status == OrderStatus.AUTHORISED and order.signed_by == "王芳" and order.model == "别克 英朗"
    assert {line.code for line in order.lines} == {"MT0101", "06L115562B", "LQ-0001"}
    keys = counted(NEW)
    print(f"new customer: {len(keys)} keys: {' '.join(keys)}")
    assert len(keys) <= NEW_LIMIT
