"""Issue 18, the workshop's handoffs (items 3, 5, 10, 12), as Pilot journeys at 80×24.

The car is the fixture order of 粤A12345 (oil service with its filter and oil, front pads),
signed and promised for 13:00, the oil service dispatched to Technician A (the user
"technician") and the pads to Technician B.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.board_app import BoardApp
from frontdesk.model import AuditEvent, ClockEvent, Job, RepairOrder, Technician
from frontdesk.model.enums import JobStatus, PauseReason, Role, UnissuedPartsReason
from frontdesk.screens.approvals import ApprovalsScreen
from frontdesk.services import catalog, demo, desk, estimate, staff, workshop
from frontdesk.services.setup import ensure_store, system_actor

from .desk_helpers import notes, rows, screen_name
from .test_board import polled
from .test_estimate import settle

_G_SIZE = (80, 24)
_G_PROMISED = dt.datetime(2026, 11, 24, 13, 0)


@pytest.fixture
def _g_car(ui_services, ui_actors, desk_data) -> tuple[int, int, int]:
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    order_id, shop = desk_data.estimate_order_id, desk_data.shop
    estimate.set_terms(svc, adv, order_id, payment_method="wechat", promised_at=_G_PROMISED)
    estimate.authorise(svc, adv, order_id, "张伟")
    jobs = {ln.code: ln.id for ln in desk.order_view(svc, order_id).lines if ln.kind == "labor"}
    oil, pads = jobs["MT0101"], jobs["BR0201"]
    workshop.dispatch(svc, ui_actors[Role.SUPERVISOR], order_id, {oil: shop.tech_a, pads: shop.tech_b})
    return order_id, oil, pads


def _g_job(services, job_id: int) -> Job:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(Job, job_id)


def _g_order(services, order_id: int) -> RepairOrder:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(RepairOrder, order_id)


async def _g_bench(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: screen_name(pilot.app) == "TechnicianScreen" and pilot.app.screen._list is not None
                 and not pilot.app.screen._busy)


async def _g_on_row(pilot, job_id: int) -> None:  # type: ignore[no-untyped-def]
    """The bench's cursor on the job's row."""
    bench = pilot.app.screen.query_one("#bench")
    bench.move_cursor(row=bench.get_row_index(f"j{job_id}"))
    await settle(pilot)


def _g_bench_row(app, job_id: int) -> str:  # type: ignore[no-untyped-def]
    bench = app.screen.query_one("#bench")
    return " ".join(str(c) for c in bench.get_row(f"j{job_id}"))


# Item 3 -----------------------------------------------------------------------------------------------


async def test_item3_approved_add_on_resumed_by_the_same_technician_with_the_new_promised_time_on_the_board(
        app_for, ui_services, ui_actors, desk_data, _g_car):
    order_id, oil, _pads = _g_car
    svc, clock, tech = ui_services, ui_services.clock, ui_actors[Role.TECHNICIAN]
    workshop.start_job(svc, tech, oil)
    clock.now = dt.datetime(2026, 11, 24, 10, 30)  # the disc is worn: the oil job waits for the customer
    extra = workshop.propose_additional(svc, tech, order_id, description="更换前刹车盘", hours="1.5",
                                        note="刹车盘磨损到限", pause_job_id=oil).id
    clock.now = dt.datetime(2026, 11, 24, 10, 42)

    # The advisor: the customer approves on the phone; the added 1.5 h offer 14:30, accepted.
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=_G_SIZE) as pilot:
        await settle(pilot)
        app.open_destination("approvals")
        await settle(pilot, lambda: isinstance(app.screen, ApprovalsScreen) and app.screen._queue is not None)
        queue = app.screen
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(app) == "DecisionDialog")
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "SlipDialog")
        assert app.screen.query_one("#promised_at").value == "2026-11-24 14:30"
        assert "13:00" in str(app.screen.query_one("#slip-current").render())
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is queue and len(rows(app, "decided")) == 2)
        assert "13:00 → 14:30" in rows(app, "decided")[0]
    job = _g_job(svc, extra)
    assert (job.status, job.technician_id) == (JobStatus.ASSIGNED, desk_data.shop.tech_a)  # no second dispatch
    assert _g_order(svc, order_id).promised_at == dt.datetime(2026, 11, 24, 14, 30)
    with svc.db.reader() as s:
        slip = s.scalars(select(AuditEvent).where(AuditEvent.action == "order.reschedule")).one()
    assert slip.after["told"] == "张伟" and "更换前刹车盘" in slip.after["note"]

    # The supervisor's suggestion for the add-on names the technician who has the car.
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=_G_SIZE) as pilot:
        await settle(pilot, lambda: screen_name(app) == "DispatchScreen" and app.screen._loaded is not None)
        await pilot.press("enter")  # the car's jobs
        jobs = app.screen.query_one("#jobs")
        jobs.move_cursor(row=jobs.get_row_index(f"j{extra}"))
        await settle(pilot)
        hint = str(app.screen.query_one("#dispatch-hint").render())
        assert "Technician A" in hint and "has the car" in hint

    # Technician A: the oil job says the customer approved at 10:42; he resumes it, then takes the disc.
    clock.now = dt.datetime(2026, 11, 24, 10, 45)
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=_G_SIZE) as pilot:
        await _g_bench(pilot)
        assert "Approved 10:42" in _g_bench_row(app, oil)
        assert "更换前刹车盘" in _g_bench_row(app, extra)  # on Technician A's own bench
        await _g_on_row(pilot, oil)
        assert "the customer approved at 10:42" in str(app.screen.query_one("#bench-detail").render())
        await pilot.press("s")
        await _g_bench(pilot)
        assert _g_job(svc, oil).status == JobStatus.IN_PROGRESS
        assert any("the customer approved at 10:42" in n for n in notes(app))
        await _g_on_row(pilot, extra)
        await pilot.press("s")
        await _g_bench(pilot)
    with svc.db.reader() as s:
        resumed = s.scalars(select(ClockEvent).where(ClockEvent.job_id == oil, ClockEvent.kind == "resume")).one()
        starts = s.scalars(select(ClockEvent).where(ClockEvent.job_id == extra)).all()
    assert resumed.reason == PauseReason.CUSTOMER_APPROVED and resumed.technician_id == desk_data.shop.tech_a
    assert [(e.kind, e.technician_id) for e in starts] == [("start", desk_data.shop.tech_a)]
    assert _g_job(svc, extra).status == JobStatus.IN_PROGRESS

    # The wall board shows the new promised time.
    board = BoardApp(svc)
    async with board.run_test(size=_G_SIZE) as pilot:
        await polled(board)
        await pilot.pause()
        assert "14:30" in board.export_screenshot() and "13:00" not in board.export_screenshot()


# Item 5 -----------------------------------------------------------------------------------------------


async def test_item5_finishing_without_the_parts_issued_asks_why_and_keeps_it(app_for, ui_services, ui_actors, _g_car):
    _order_id, oil, _pads = _g_car
    workshop.start_job(ui_services, ui_actors[Role.TECHNICIAN], oil)
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=_G_SIZE) as pilot:
        await _g_bench(pilot)
        await _g_on_row(pilot, oil)
        await pilot.press("f")
        await settle(pilot, lambda: screen_name(app) == "ChoiceScreen")
        title = str(app.screen.query_one("#modal-title").render())
        assert "Not issued" in title and "机油滤清器" in title
        await pilot.press("escape")  # not finished after all
        await _g_bench(pilot)
        assert _g_job(ui_services, oil).status == JobStatus.IN_PROGRESS
        await pilot.press("f")
        await settle(pilot, lambda: screen_name(app) == "ChoiceScreen")
        await pilot.press("1")  # the customer brought the oil and the filter
        await _g_bench(pilot)
    job = _g_job(ui_services, oil)
    assert (job.status, job.unissued_parts_reason) == (JobStatus.FINISHED, UnissuedPartsReason.CUSTOMER_SUPPLIED)


# Item 10 ----------------------------------------------------------------------------------------------


async def test_item10_starting_a_job_pauses_the_running_one(app_for, ui_services, ui_actors, desk_data, _g_car):
    _order_id, oil, pads = _g_car
    svc, clock = ui_services, ui_services.clock
    workshop.reassign(svc, ui_actors[Role.SUPERVISOR], pads, desk_data.shop.tech_a)  # both on Technician A
    workshop.start_job(svc, ui_actors[Role.TECHNICIAN], oil)
    clock.advance(minutes=20)
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=_G_SIZE) as pilot:
        await _g_bench(pilot)
        await _g_on_row(pilot, pads)
        await pilot.press("s")
        await _g_bench(pilot)
        assert "Paused: Switched to another job" in _g_bench_row(app, oil)
        assert "1 running" in str(app.screen.query_one("#bench-head").render())
        assert any("one job at a time" in n for n in notes(app))
    first, second = _g_job(svc, oil), _g_job(svc, pads)
    assert (first.status, first.pause_reason, first.clocked_seconds) == (JobStatus.PAUSED, PauseReason.SWITCHED, 1200)
    assert second.status == JobStatus.IN_PROGRESS

    # The supervisor's queue title counts the cars its list shows (one, nothing left to assign).
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=_G_SIZE) as pilot:
        await settle(pilot, lambda: screen_name(app) == "DispatchScreen" and app.screen._loaded is not None)
        queue = app.screen.query_one("#queue")
        assert queue.row_count == 1
        assert str(queue.border_title) == "Work queue (1) · to assign 0"


# Item 12 ----------------------------------------------------------------------------------------------


async def test_item12_an_air_conditioning_job_finds_the_demo_electrical_team(app_for, ui_services, ui_actors,
                                                                             desk_data):
    """Before: the 电器组 said "ac", so nobody had the skill of an air-conditioning job."""
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    admin = system_actor(ensure_store(svc))
    for name, skills in demo.TEAMS:  # the demo's teams, one technician each
        team = staff.save_team(svc, admin, name, skills=skills)
        staff.save_technician(svc, admin, f"{name}技师", team.id)
    op = catalog.save_labor_operation(svc, admin, catalog.LaborOpInput(
        "AC0101", "空调系统检测", "0.80", "Air-conditioning check", "air_conditioning")).id
    order_id = desk_data.estimate_order_id
    ac = estimate.add_job(svc, adv, order_id, labor_op_id=op).id
    estimate.set_terms(svc, adv, order_id, payment_method="wechat", promised_at=_G_PROMISED)
    estimate.authorise(svc, adv, order_id, "张伟")
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=_G_SIZE) as pilot:
        await settle(pilot, lambda: screen_name(app) == "DispatchScreen" and app.screen._loaded is not None)
        await pilot.press("enter")  # the car's jobs
        jobs = app.screen.query_one("#jobs")
        jobs.move_cursor(row=jobs.get_row_index(f"j{ac}"))
        await settle(pilot)
        hint = str(app.screen.query_one("#dispatch-hint").render())
        assert "电器组技师" in hint and "nobody has the skill" not in hint
        await pilot.press("g")  # take the suggestion
        await settle(pilot, lambda: not app.screen._busy)
    with svc.db.reader() as s:
        assert s.get(Technician, s.get(Job, ac).technician_id).name == "电器组技师"
