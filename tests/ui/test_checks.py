"""Checks, QC and wash by keys only: the leader's check with recommendations, a send-back, a QC
fail (rework) and pass, the wash, and the order ready; keys only for the roles that may use them.

The fixture order of 粤A12345 (oil service and warranty front pads, wash chosen) is in the workshop:
both jobs finished at 09:30 and self-checked, so both wait for the team leader's check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import Job, JobCheck, RepairOrder
from frontdesk.model.enums import JobStatus, OrderStatus, Role
from frontdesk.screens.checks import ChecksScreen
from frontdesk.services import desk, estimate, workshop

from ..factories import order_through
from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import settle


@dataclass
class Bay:
    order_id: int
    oil: int
    pads: int


def _jobs(services, order_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    jobs = {ln.code: ln.id for ln in desk.order_view(services, order_id).lines if ln.kind == "labor"}
    return jobs["MT0101"], jobs["BR0201"]


def _into_workshop(svc, actors, shop, order_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    adv, sup, tech = (actors[r] for r in (Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN))
    estimate.set_terms(svc, adv, order_id, payment_method="wechat", wash=True,
                       promised_at=dt.datetime(2026, 11, 24, 13, 0))
    estimate.authorise(svc, adv, order_id, "张伟")
    oil, pads = _jobs(svc, order_id)
    workshop.dispatch(svc, sup, order_id, {oil: shop.tech_a, pads: shop.tech_b})
    for job_id in (oil, pads):
        workshop.start_job(svc, tech, job_id)
    svc.clock.now = max(svc.clock.now, dt.datetime(2026, 11, 24, 9, 30))
    for job_id in (oil, pads):
        workshop.finish_job(svc, tech, job_id, unissued_reason="not_needed")
        workshop.self_check(svc, tech, job_id, notes="已试车")
    return oil, pads


@pytest.fixture
def bay(ui_services, ui_actors, desk_data) -> Bay:
    oil, pads = _into_workshop(ui_services, ui_actors, desk_data.shop, desk_data.estimate_order_id)
    ui_services.clock.now = dt.datetime(2026, 11, 24, 9, 40)
    return Bay(desk_data.estimate_order_id, oil, pads)


def job(services, job_id: int) -> Job:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(Job, job_id)


def checks_of(services, job_id: int) -> list[tuple[str, bool, str, str]]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return [(c.kind.value, c.passed, c.notes, c.recommendations)
                for c in s.scalars(select(JobCheck).where(JobCheck.job_id == job_id).order_by(JobCheck.id))]


def status_of(services, order_id: int) -> OrderStatus:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(RepairOrder, order_id).status


async def open_checks(pilot) -> ChecksScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.open_destination("checks")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ChecksScreen) and pilot.app.screen._queue is not None)
    return pilot.app.screen


async def record(pilot, screen, key: str, text: str = "", *more: str) -> None:  # type: ignore[no-untyped-def]
    """Press ``key``, type the notes (and, after Tab, the recommendations), Enter; back on the screen."""
    await pilot.press(key)
    await settle(pilot, lambda: screen_name(pilot.app) == "CheckDialog")
    await type_text(pilot, text)
    for extra in more:
        await pilot.press("tab")
        await type_text(pilot, extra)
    await pilot.press("enter")
    await settle(pilot, lambda: pilot.app.screen is screen)


def footer_keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {key for key, b in app.screen.active_bindings.items() if b.binding.show and b.enabled}


async def test_team_leader_checks_and_sends_back(app_for, ui_services, bay):
    app = app_for(Role.TEAM_LEADER)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_checks(pilot)
        assert {"s", "l", "b", "w"} <= footer_keys(app) and not {"p", "f"} & footer_keys(app)
        assert [r.split()[0] for r in rows(app, "check-jobs")] == ["Leader", "Leader"]

        await record(pilot, screen, "l", "刹车正常", "建议下次更换后刹车片")  # the oil job, first row
        assert job(ui_services, bay.oil).status == JobStatus.LEADER_CHECKED
        assert checks_of(ui_services, bay.oil)[-1] == ("leader", True, "刹车正常", "建议下次更换后刹车片")

        await settle(pilot, lambda: screen.selected_job is not None and screen.selected_job.job_id == bay.oil)
        await pilot.press("down")
        assert screen.selected_job.job_id == bay.pads
        await pilot.press("b", "enter")  # sending back needs a reason
        await settle(pilot, lambda: "Say what failed" in str(app.screen.query_one("#notes-error").render()))
        await type_text(pilot, "螺栓未按扭矩拧紧")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen)
        pads = job(ui_services, bay.pads)
        assert pads.status == JobStatus.IN_PROGRESS and pads.rework_count == 0  # not counted as rework
        assert checks_of(ui_services, bay.pads)[-1] == ("leader", False, "螺栓未按扭矩拧紧", "")
        assert any("Sent back" in n for n in notes(app))


async def test_qc_fails_then_passes_and_the_wash_makes_it_ready(app_for, ui_services, ui_actors, bay):
    lead, tech = ui_actors[Role.TEAM_LEADER], ui_actors[Role.TECHNICIAN]
    for job_id in (bay.oil, bay.pads):
        workshop.leader_check(ui_services, lead, job_id)
    app = app_for(Role.QC)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_checks(pilot)
        # the QC inspector may record the wash too (issue 18, item 4)
        assert {"p", "f", "w"} <= footer_keys(app) and not {"s", "l", "b"} & footer_keys(app)

        await pilot.press("down")  # the pads
        await record(pilot, screen, "f", "刹车踏板偏软")
        pads = job(ui_services, bay.pads)
        assert pads.status == JobStatus.IN_PROGRESS and pads.rework_count == 1
        assert checks_of(ui_services, bay.pads)[-1] == ("qc", False, "刹车踏板偏软", "")
        assert any("rework 1" in n for n in notes(app))
        back = rows(app, "check-jobs")[-1]
        assert back.startswith("Sent back") and " 1 " in back  # with its rework count

        await pilot.press("up")
        assert screen.selected_job.job_id == bay.oil
        await record(pilot, screen, "p")  # the oil passes
        assert job(ui_services, bay.oil).status == JobStatus.QC_PASSED

        # the technician puts the pads right; they come back through the checks
        workshop.finish_job(ui_services, tech, bay.pads, unissued_reason="not_needed")
        workshop.self_check(ui_services, tech, bay.pads)
        workshop.leader_check(ui_services, lead, bay.pads)
        await settle(pilot, lambda: rows(app, "check-jobs") and rows(app, "check-jobs")[0].startswith("Final QC"),
                     timeout=6)  # the screen follows by itself
        await record(pilot, screen, "p", "复检合格")
        assert job(ui_services, bay.pads).status == JobStatus.QC_PASSED
        assert any("goes to the wash" in n for n in notes(app))
        assert status_of(ui_services, bay.order_id) == OrderStatus.IN_WORKSHOP
        assert rows(app, "check-cars")[0].startswith("Wash")
        assert status_of(ui_services, bay.order_id) == OrderStatus.IN_WORKSHOP  # the leader washes it, below

    app = app_for(Role.TEAM_LEADER)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_checks(pilot)
        await pilot.press("tab", "w")
        await settle(pilot, lambda: status_of(ui_services, bay.order_id) == OrderStatus.READY)
        await settle(pilot, lambda: rows(app, "check-cars") and rows(app, "check-cars")[0].startswith("Ready"))
        assert any("ready for delivery" in n for n in notes(app))
        with ui_services.db.reader() as s:
            order = s.get(RepairOrder, bay.order_id)
            assert order.washed_at == order.ready_at == ui_services.clock()


async def test_a_check_on_the_wrong_stage_is_explained(app_for, ui_services, bay):
    app = app_for(Role.TEAM_LEADER)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_checks(pilot)
        await pilot.press("s")  # both jobs are self-checked already
        await settle(pilot)
        assert screen_name(app) == "ChecksScreen"
        assert any("waiting for: Leader check" in n for n in notes(app))
        assert job(ui_services, bay.oil).status == JobStatus.SELF_CHECKED


@pytest.fixture
def busy_bay(ui_services, ui_actors, desk_data, bay) -> Bay:
    """For the snapshots: the oil waits for QC, the pads were sent back by QC (rework 1); 粤C24680 waits for the wash."""
    svc = ui_services
    lead, qc = ui_actors[Role.TEAM_LEADER], ui_actors[Role.QC]
    workshop.leader_check(svc, lead, bay.oil, notes="正常", recommendations="建议下次更换空调滤清器")
    workshop.leader_check(svc, lead, bay.pads)
    workshop.final_qc(svc, qc, bay.pads, passed=False, notes="刹车踏板偏软")
    other = order_through(svc, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤C24680"], stop="estimate")
    oil, pads = _into_workshop(svc, ui_actors, desk_data.shop, other.id)
    for job_id in (oil, pads):
        workshop.leader_check(svc, lead, job_id)
        workshop.final_qc(svc, qc, job_id, passed=True)
    svc.clock.now = dt.datetime(2026, 11, 24, 9, 50)
    return bay


@pytest.mark.parametrize("lang,size", [("en", (80, 24)), ("en", (160, 45)), ("zh_CN", (80, 24))],
                         ids=["en-80x24", "en-160x45", "zh-80x24"])
def test_checks_snapshot(snap_compare, app_for, busy_bay, lang, size):
    set_language(lang)
    app = app_for(Role.QC)

    async def checks_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_checks(pilot)

    assert snap_compare(app, terminal_size=size, run_before=checks_on_screen)


def test_qc_fail_dialog_snapshot(snap_compare, app_for, busy_bay):
    app = app_for(Role.QC)

    async def dialog_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_checks(pilot)
        await pilot.press("f")
        await settle(pilot, lambda: screen_name(pilot.app) == "CheckDialog")

    assert snap_compare(app, terminal_size=(80, 24), run_before=dialog_on_screen)


@pytest.fixture
def long_queue(ui_services, ui_actors, desk_data, bay) -> list[int]:
    """Eight cars of two self-checked jobs each: sixteen rows waiting for the leader (issue 17, the cursor)."""
    from frontdesk.services import checkin

    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    owner = checkin.save_customer(svc, adv, checkin.CustomerInput("刘洋", "13700001111")).id
    for n in range(7):
        vehicle = checkin.save_vehicle(svc, adv, owner, checkin.VehicleInput(
            plate=f"粤D1000{n}", vin=f"LSVAU2180N21{n:05d}", make="大众", model="朗逸",
            confirm_vin_check_digit=True)).id
        order = order_through(svc, ui_actors, desk_data.shop, vehicle, stop="estimate")
        _into_workshop(svc, ui_actors, desk_data.shop, order.id)
    svc.clock.now = dt.datetime(2026, 11, 24, 9, 50)
    return [bay.oil, bay.pads]


async def test_the_cursor_stays_on_its_row_after_a_check(app_for, ui_services, ui_actors, long_queue):
    """After a leader check the cursor stays on the job it was on; after a QC pass (the row leaves) on the next."""
    app = app_for(Role.TEAM_LEADER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(pilot)
        table = screen.table("check-jobs")
        assert table.row_count == 16
        await pilot.press(*["down"] * 5)
        picked = screen.selected_job.job_id
        await record(pilot, screen, "l", "正常")
        assert job(ui_services, picked).status == JobStatus.LEADER_CHECKED
        await settle(pilot)
        assert screen.selected_job.job_id == picked
        assert table.cursor_row > 0

    app = app_for(Role.QC)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_checks(pilot)
        table = screen.table("check-jobs")
        await settle(pilot, lambda: screen.selected_job is not None)
        lead = ui_actors[Role.TEAM_LEADER]
        for i in range(table.row_count):
            item = screen._items["check-jobs"][str(table.coordinate_to_cell_key((i, 0)).row_key.value)]
            if item.waiting_for == "leader":
                workshop.leader_check(ui_services, lead, item.job_id)
        await pilot.press("f5")
        await settle(pilot, lambda: sum(1 for i in screen._queue.jobs if i.waiting_for == "qc") == 16)
        table.move_cursor(row=6, animate=False)
        await settle(pilot)
        picked = screen.selected_job.job_id
        await record(pilot, screen, "p")
        assert job(ui_services, picked).status == JobStatus.QC_PASSED
        await settle(pilot)
        assert table.cursor_row == 6  # the next job moved up into the row: the inspector goes on from there
        assert screen.selected_job.job_id != picked
