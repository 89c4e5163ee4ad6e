"""UI fixtures: a small, fixed store on SQLite (ids and times stable for snapshots)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.model.enums import Role
from frontdesk.services import checkin
from frontdesk.services.context import Actor, Services
from frontdesk.services.setup import ensure_store, system_actor

from ..conftest import FakeClock, make_actors
from ..factories import Shop, customer_and_vehicle, order_through, seed_shop


@dataclass
class DeskData:
    shop: Shop
    vehicle_ids: dict[str, int]  # plate -> vehicle id
    estimate_order_id: int  # an order still at the estimate (粤A12345)
    closed_order_id: int  # a closed order of 粤B67890 (its follow-up is scheduled)
    appointment_id: int  # today 14:00 for 粤C24680


@pytest.fixture
def ui_services(tmp_path: Path, sqlite_template: Path) -> Services:
    """SQLite only: the UI does not care which database is underneath, and one is faster."""
    path = tmp_path / "ui.db"
    shutil.copy(sqlite_template, path)
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0))
    svc = Services(db=Database(f"sqlite:///{path}"), settings=Settings(), clock=clock)
    ensure_store(svc)
    return svc


@pytest.fixture
def ui_actors(ui_services: Services) -> dict[Role, Actor]:
    return make_actors(ui_services, system_actor(ensure_store(ui_services)))


@pytest.fixture
def desk_data(ui_services: Services, ui_actors: dict[Role, Actor]) -> DeskData:
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    admin = system_actor(ensure_store(svc))
    shop = seed_shop(svc, admin, ui_actors)
    _, v1 = customer_and_vehicle(svc, adv)  # 张伟 粤A12345
    c2 = checkin.save_customer(svc, adv, checkin.CustomerInput("李娜", "13912345678"))
    v2 = checkin.save_vehicle(svc, adv, c2.id, checkin.VehicleInput(
        plate="粤B67890", vin="LFV2A21K6B7654321", make="大众", model="速腾", colour="极地白",
        sale_date=dt.date(2025, 3, 1), confirm_vin_check_digit=True)).id
    c3 = checkin.save_customer(svc, adv, checkin.CustomerInput("欧阳建国", "18688889999"))
    v3 = checkin.save_vehicle(svc, adv, c3.id, checkin.VehicleInput(
        plate="粤C24680", vin="LGXC0000XD1112223", make="比亚迪", model="秦PLUS DM-i", colour="冰川蓝",
        new_energy=True, confirm_vin_check_digit=True)).id
    svc.clock.now = dt.datetime(2026, 11, 20, 9, 0)  # type: ignore[attr-defined]
    closed = order_through(svc, ui_actors, shop, v2)
    svc.clock.now = dt.datetime(2026, 11, 24, 8, 30)  # type: ignore[attr-defined]
    estimate_order = order_through(svc, ui_actors, shop, v1, stop="estimate")
    appt = checkin.book_appointment(svc, adv, v3, dt.datetime(2026, 11, 24, 14, 0), "做首保")
    svc.clock.now = dt.datetime(2026, 11, 24, 9, 0)  # type: ignore[attr-defined]
    return DeskData(shop, {"粤A12345": v1, "粤B67890": v2, "粤C24680": v3}, estimate_order.id, closed.id, appt.id)


@pytest.fixture
def app_for(ui_services: Services, ui_actors: dict[Role, Actor]):
    """``app_for(Role.ADVISOR)``: the real app, signed in, clock hidden (stable snapshots)."""
    from frontdesk.app import make_app

    def build(role: Role | None = Role.ADVISOR):
        return make_app(ui_services, actor=ui_actors[role] if role else None, show_clock=False)

    return build


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots flaky."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)


@pytest.fixture(autouse=True)
def _plain_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ORM record in a screen's answer fails the test (screens/pipeline.py: strict), not only the log."""
    from frontdesk.screens import pipeline

    monkeypatch.setattr(pipeline, "strict", True)
