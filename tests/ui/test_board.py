"""The wall board: every car in the workshop, no personal data, follows other terminals."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from frontdesk.board_app import BoardApp
from frontdesk.model.enums import Role
from frontdesk.services import board as board_service
from frontdesk.services import estimate, workshop
from frontdesk.services.desk import order_view


def _cells(app) -> str:
    table = app.screen.query_one(DataTable)
    return "\n".join(" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count))


def _screen_text(app) -> str:
    return app.export_screenshot()


@pytest.fixture
def workshop_order(ui_services, ui_actors, desk_data):
    """The estimate order of 粤A12345 signed and dispatched: a car in the workshop."""
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    order = desk_data.estimate_order_id
    estimate.set_terms(svc, adv, order, payment_method="cash", promised_at=svc.clock() + dt.timedelta(hours=3))
    estimate.authorise(svc, adv, order, "张伟")
    view = order_view(svc, order)
    jobs = {line.id: desk_data.shop.tech_a for line in view.lines if line.kind == "labor" and line.status.value == "approved"}
    workshop.dispatch(svc, ui_actors[Role.SUPERVISOR], order, jobs)
    return order, list(jobs)



async def polled(app) -> None:  # type: ignore[no-untyped-def]
    """Every poll the board has started has finished.

    The board polls in an exclusive worker: a tick that lands while one runs cancels it and
    starts the next, so a cancelled poll means "wait for its successor", not a failure.
    """
    for _ in range(5):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue

async def test_board_shows_cars_without_names_or_phones(ui_services, workshop_order):
    app = BoardApp(ui_services)
    async with app.run_test(size=(120, 36)) as pilot:
        await polled(app)
        await pilot.pause()
        text = _cells(app) + _screen_text(app)
        assert "粤A12345" in text
        for secret in ("张伟", "李娜", "欧阳建国", "13800138000", "13912345678", "18688889999", "8000"):
            assert secret not in text, secret


async def test_board_follows_a_change_made_in_another_process(services, admin, actors):
    """SQLite and, when FRONTDESK_TEST_DATABASE_URL is set, PostgreSQL: the board is one process, the change another."""
    from ..factories import customer_and_vehicle, order_through, seed_shop

    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="authorised")
    workshop.dispatch(services, actors[Role.SUPERVISOR], order.id, {
        line.id: shop.tech_a for line in order_view(services, order.id).lines
        if line.kind == "labor" and line.status.value == "approved"})
    job = next(line.id for line in order_view(services, order.id).lines if line.kind == "labor" and line.status.value == "assigned")
    app = BoardApp(services)
    async with app.run_test(size=(120, 36)) as pilot:
        await polled(app)
        await pilot.pause()
        assert "Waiting" in _cells(app) and "In progress" not in _cells(app)
        script = (
            "import datetime as dt\n"
            "from frontdesk.config import Settings\nfrom frontdesk.db import Database\n"
            "from frontdesk.services.context import Services\nfrom frontdesk.services import auth, sign_in, workshop\n"
            f"s = Services(Database({services.db.url!r}), Settings(), clock=lambda: dt.datetime(2026, 11, 24, 9, 5))\n"
            "from argon2 import PasswordHasher\nsign_in._hasher = lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)\n"
            f"tech = auth.login(s, 'technician', 'secret-pass')\nworkshop.start_job(s, tech, {job})\n"
        )
        subprocess.run([sys.executable, "-c", script], check=True)
        changed_at = time.monotonic()
        while "In progress" not in _cells(app):
            assert time.monotonic() - changed_at < 2.0, "the board did not follow within 2 s"
            await pilot.pause(0.1)


def test_idle_board_tick_reads_one_counter(ui_services, workshop_order):
    store = board_service.store_id_for(ui_services)
    before = board_service.change_seq(ui_services, store)
    assert board_service.change_seq(ui_services, store) == before  # nothing changed: same number, no reload
    snap = board_service.snapshot(ui_services, store)
    assert snap.seq == before and [r.plate for r in snap.rows] == ["粤A12345"]


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_board_snapshot(snap_compare, ui_services, workshop_order, size):
    async def settle(pilot):
        await polled(pilot.app)
        await pilot.pause()

    assert snap_compare(BoardApp(ui_services), terminal_size=size, run_before=settle)


@pytest.fixture(scope="module")
def demo_services(tmp_path_factory):
    """A generated demo store (a few days, today's cars in every stage), on SQLite."""
    from frontdesk.config import Settings
    from frontdesk.db import Database
    from frontdesk.services import demo
    from frontdesk.services.context import Services

    from ..conftest import FakeClock

    now = dt.datetime(2026, 11, 24, 11, 0)
    path = tmp_path_factory.mktemp("board-demo") / "demo.db"
    services = Services(db=Database(f"sqlite:///{path}"), settings=Settings(), clock=FakeClock(now))
    from frontdesk import migrate

    migrate.upgrade(services.db)
    demo.generate(services, days=3, progress=False, today=now)
    return services


@pytest.mark.parametrize("size", [(80, 24), (80, 14)], ids=["80x24", "short-pages"])
async def test_on_the_demo_store_every_car_in_the_workshop_is_shown_and_no_customer(demo_services, size):
    from sqlalchemy import select

    from frontdesk.model import Customer, RepairOrder, Vehicle

    with demo_services.db.reader() as s:
        expected = set(s.scalars(select(Vehicle.plate).join(RepairOrder, RepairOrder.vehicle_id == Vehicle.id)
                                 .where(RepairOrder.status.in_(board_service.ON_BOARD))))
        people = s.execute(select(Customer.name, Customer.phone)).all()
    assert len(expected) >= 10
    app = BoardApp(demo_services)
    async with app.run_test(size=size) as pilot:
        await polled(app)
        await pilot.pause()
        screen = app.screen
        pages = screen._pages()
        assert pages > 1 or size == (80, 24)
        assert pages == -(-len(expected) // screen._rows_per_page())  # pages by itself when they do not fit
        seen, shown = set(), []
        for _ in range(pages):
            text = _cells(app)
            shown.append(text + _screen_text(app))
            seen |= {plate for plate in expected if plate in text}
            screen._next_page()
            await pilot.pause()
    assert seen == expected
    everything = "\n".join(shown)
    leaked = [name for name, phone in people if (len(name) > 1 and name in everything) or phone in everything]
    assert not leaked, leaked[:5]
