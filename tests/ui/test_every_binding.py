"""No dead keys (issue 17): for every role, every screen it can reach and every key its footer
shows, pressing the key changes the screen, changes the database, or says something.

A key that does nothing and says nothing is the worst a keys-only desk can offer: the
advisor presses it again, then something else, and no longer trusts the footer. A key
dimmed in the footer counts too: pressed, it says in one line why it cannot act now.

One store is built for the whole module (an order at every step of the visit) and copied
for each role and screen, so a key that saves leaves the next test untouched. Each case is
one role on one screen at 80×24; its failure names every dead key at once.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, TextArea

from frontdesk import navigation
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.i18n import set_language
from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role
from frontdesk.services import checkin, workshop
from frontdesk.services.context import Actor, Services
from frontdesk.services.desk import order_view
from frontdesk.services.setup import ensure_store, system_actor

from ..conftest import FakeClock, make_actors
from ..factories import order_through, seed_shop
from .reception import settle

SIZE = (80, 24)
#: Keys a walk cannot press and come back from: quitting ends the app under test, the lock
#: screen opens only to a password (both are tested on their own: test_shell, test_lock).
NOT_PRESSED = {"ctrl+q", "f12"}
#: destination -> the order it is opened for (a key of Store.orders)
ORDER_FOR = {"walkaround": "checked_in", "estimate": "estimate", "delivery": "ready", "settlement": "delivered",
             "payment": "delivered", "order_history": "closed", "accident": "estimate",
             "warranty_claim": "delivered"}


@dataclass(frozen=True)
class Store:
    path: Path
    actors: dict[Role, Actor]
    orders: dict[str, int]


def _vehicle(svc: Services, adv: Actor, owner: int, n: int) -> int:
    return checkin.save_vehicle(svc, adv, owner, checkin.VehicleInput(
        plate=f"粤E2000{n}", vin=f"LSVAU2180N22{n:05d}", make="大众", model="朗逸",
        confirm_vin_check_digit=True)).id


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Store:
    """A car at every step: checked in, at the estimate, authorised, in the workshop, ready, delivered, closed."""
    path = tmp_path_factory.mktemp("bindings") / "store.db"
    shutil.copy(sqlite_template, path)
    svc = Services(db=Database(f"sqlite:///{path}"), settings=Settings(), clock=FakeClock(dt.datetime(2026, 11, 20, 9)))
    admin = system_actor(ensure_store(svc))
    actors = make_actors(svc, admin)
    shop = seed_shop(svc, admin, actors)
    adv, sup, tech = actors[Role.ADVISOR], actors[Role.SUPERVISOR], actors[Role.TECHNICIAN]
    owner = checkin.save_customer(svc, adv, checkin.CustomerInput("张伟", "13800138000")).id
    orders = {"closed": order_through(svc, actors, shop, _vehicle(svc, adv, owner, 0)).id}
    svc.clock.now = dt.datetime(2026, 11, 24, 8, 30)  # type: ignore[attr-defined]
    for n, stop in enumerate(("estimate", "authorised", "ready", "delivered"), start=1):
        orders[stop] = order_through(svc, actors, shop, _vehicle(svc, adv, owner, n), stop=stop).id
    # in the workshop: one job running, one self-checked (waiting for the leader's check)
    work = order_through(svc, actors, shop, _vehicle(svc, adv, owner, 5), stop="authorised")
    codes = {ln.code: ln.id for ln in order_view(svc, work.id).lines if ln.kind == "labor"}
    jobs = [codes["MT0101"], codes["BR0201"]]
    workshop.dispatch(svc, sup, work.id, {jobs[0]: shop.tech_a, jobs[1]: shop.tech_a})
    for job in jobs:
        workshop.start_job(svc, tech, job)
    workshop.finish_job(svc, tech, jobs[1], unissued_reason="not_needed")
    workshop.self_check(svc, tech, jobs[1])
    orders["workshop"] = work.id
    orders["checked_in"] = checkin.check_in(svc, adv, checkin.CheckInInput(
        vehicle_id=_vehicle(svc, adv, owner, 6), odometer_km=3050, fuel_eighths=5, concerns="做首保")).id
    checkin.book_appointment(svc, adv, _vehicle(svc, adv, owner, 7), dt.datetime(2026, 11, 24, 14, 0), "做首保")
    # tomorrow's, for the reminder calls the day before (screens/appointment_calls.py)
    checkin.book_appointment(svc, adv, _vehicle(svc, adv, owner, 8), dt.datetime(2026, 11, 25, 10, 0), "保养")
    svc.db.dispose()
    return Store(path, actors, orders)


#: Roles walked in Chinese as well (the console's default language): the desk's and the cashier's screens.
IN_CHINESE = {Role.ADVISOR, Role.CASHIER}


def cases() -> list[Any]:
    out = []
    for role in Role:
        for dest in navigation.DESTINATIONS:
            if role in dest.roles:
                for lang in ("en", "zh_CN") if role in IN_CHINESE else ("en",):
                    out.append(pytest.param(role, dest.key, lang, id=f"{role.value}-{dest.key}-{lang}"))
    return out


def audit_count(svc: Services) -> int:
    with svc.db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def footer_keys(app: Any) -> list[tuple[str, str]]:
    """(key, description) of every binding the footer shows, dimmed ones included."""
    return [(key, b.binding.description) for key, b in app.screen.active_bindings.items()
            if b.binding.show and key not in NOT_PRESSED]


def look(app: Any) -> str:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
    return app.export_screenshot()


@pytest.mark.parametrize("role,key,lang", cases())
async def test_every_key_in_the_footer_does_something(tmp_path: Path, store: Store, role: Role, key: str,
                                                      lang: str) -> None:
    from frontdesk.app import make_app

    set_language(lang)

    path = tmp_path / "store.db"
    shutil.copy(store.path, path)
    svc = Services(db=Database(f"sqlite:///{path}"), settings=replace(Settings(), pdf_dir=str(tmp_path / "pdf")),
                   clock=FakeClock(dt.datetime(2026, 11, 24, 10, 0)))
    app = make_app(svc, actor=store.actors[role], show_clock=False)
    said: list[str] = []
    notify = app.notify

    def counted(message: str, *args: Any, **kwargs: Any) -> Any:
        said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = counted  # type: ignore[method-assign]
    kwargs = {"order_id": store.orders[ORDER_FOR[key]]} if key in ORDER_FOR else {}
    dead: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        base = len(app.screen_stack)

        async def open_screen() -> Any:
            while len(app.screen_stack) > base:
                app.pop_screen()
                await settle(pilot)
            app.open_destination(key, **kwargs)
            await settle(pilot)
            await pilot.pause(0.3)
            await settle(pilot)
            assert len(app.screen_stack) == base + 1, f"{key} did not open for {role.value}"
            return app.screen

        screen = await open_screen()
        keys = footer_keys(app)
        assert keys, f"{key}: no keys in the footer"
        for pressed, description in keys:
            if app.screen is not screen or len(app.screen_stack) != base + 1:
                screen = await open_screen()
            before = (look(app), audit_count(svc), len(said), app.focused)
            await pilot.press(pressed)
            await settle(pilot)
            await pilot.pause(0.2)
            await settle(pilot)
            moved = app.screen is not screen or len(app.screen_stack) != base + 1
            if moved or audit_count(svc) != before[1] or len(said) != before[2]:
                continue
            if app.focused is not before[3] or look(app) != before[0]:
                continue
            dead.append(f"{pressed} ({description})")
        while len(app.screen_stack) > base:
            app.pop_screen()
            await settle(pilot)
    assert not dead, f"{role.value} on {key}: these keys do nothing and say nothing: {', '.join(dead)}"
