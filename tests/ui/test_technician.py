"""The technician's bench by keys: start, pause with a reason, resume, finish (clocked time), parts issued
and a short part ordered (the job waits), additional work proposed, self-check and the team leader's
check; snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import Job, JobCheck, PartLine, PartOrder, StockLevel
from frontdesk.model.enums import CheckKind, JobOrigin, JobStatus, PartOrderState, PauseReason, Role
from frontdesk.services import catalog, estimate, workshop
from frontdesk.services.desk import order_view
from frontdesk.services.setup import ensure_store, system_actor

from .test_estimate import settle


@pytest.fixture
def on_the_bench(ui_services, ui_actors, desk_data):
    """粤A12345 signed and dispatched to Technician A (the user "technician"): oil first, then pads."""
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    order = desk_data.estimate_order_id
    estimate.set_terms(svc, adv, order, payment_method="cash", promised_at=svc.clock() + dt.timedelta(hours=3))
    estimate.authorise(svc, adv, order, "张伟")
    jobs = {line.code: line.id for line in order_view(svc, order).lines
            if line.kind == "labor" and line.status == JobStatus.APPROVED}
    oil, pads = jobs["MT0101"], jobs["BR0201"]
    workshop.dispatch(svc, ui_actors[Role.SUPERVISOR], order, {oil: desk_data.shop.tech_a, pads: desk_data.shop.tech_a})
    return order, oil, pads


def _job(services, job_id: int) -> Job:
    with services.db.reader() as s:
        return s.get(Job, job_id)


async def _opened(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "TechnicianScreen"
                 and pilot.app.screen._list is not None)


async def _done(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "TechnicianScreen" and not pilot.app.screen._busy)


async def test_start_pause_resume_finish_and_self_check(app_for, ui_services, on_the_bench):
    _order, oil, _pads = on_the_bench
    clock = ui_services.clock
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        await pilot.press("s")
        await _done(pilot)
        assert _job(ui_services, oil).status == JobStatus.IN_PROGRESS
        clock.advance(minutes=20)
        await pilot.press("p")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChoiceScreen"
        await pilot.press("3")  # other
        await _done(pilot)
        job = _job(ui_services, oil)
        assert (job.status, job.pause_reason, job.clocked_seconds) == (JobStatus.PAUSED, PauseReason.OTHER, 1200)
        clock.advance(minutes=15)  # not clocked
        await pilot.press("s")  # resume
        await _done(pilot)
        clock.advance(minutes=25)
        await pilot.press("f")
        await settle(pilot, lambda: type(app.screen).__name__ == "ChoiceScreen")  # its parts were not issued: why?
        await pilot.press("2")  # not needed
        await _done(pilot)
        job = _job(ui_services, oil)
        assert (job.status, job.clocked_seconds) == (JobStatus.FINISHED, 45 * 60)
        assert "0:45" in str(app.screen.query_one("#bench").get_row_at(0)[4])
        await pilot.press("c", *"ok", "f6")
        await _done(pilot)
        assert _job(ui_services, oil).status == JobStatus.SELF_CHECKED


async def test_issue_parts_and_a_short_part_is_ordered(app_for, ui_services, desk_data, on_the_bench):
    _order, oil, pads = on_the_bench
    shop = desk_data.shop
    catalog.adjust_stock(ui_services, system_actor(ensure_store(ui_services)), shop.brake_pads, -1, "damaged")
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        await pilot.press("i")  # the oil job's filter and oil, both in stock
        await _done(pilot)
        with ui_services.db.reader() as s:
            issued = {p.part_id: p.issued_qty for p in s.scalars(select(PartLine).where(PartLine.job_id == oil))}
            assert issued == {shop.oil_filter: 1, shop.engine_oil: 4}
            assert s.scalar(select(StockLevel.on_hand).where(StockLevel.part_id == shop.engine_oil)) == 36
        await pilot.press("down", "s")  # the pads: started, then the pads are not there
        await _done(pilot)
        await pilot.press("i")
        await _done(pilot)
        with ui_services.db.reader() as s:
            request = s.scalars(select(PartOrder)).one()
        assert (request.state, request.qty, request.job_id) == (PartOrderState.REQUESTED, 1, pads)
        job = _job(ui_services, pads)
        assert (job.status, job.pause_reason) == (JobStatus.PAUSED, PauseReason.WAITING_PARTS)
        assert "Waiting parts" in str(app.screen.query_one("#bench").get_row_at(1)[3])


async def test_additional_work_by_keys(app_for, ui_services, desk_data, on_the_bench):
    order, oil, _pads = on_the_bench
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        await pilot.press("s")
        await _done(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert type(app.screen).__name__ == "ProposeScreen"
        await pilot.press("f2", *"gzzd", "enter")  # 故障诊断 by its pinyin initials
        await settle(pilot, lambda: type(app.screen).__name__ == "ProposeScreen")
        await pilot.press("f3", *"jylqq", "enter")  # 机油滤清器, one
        await settle(pilot, lambda: type(app.screen).__name__ == "ProposeScreen")
        await pilot.press("f6")
        await _done(pilot)
    with ui_services.db.reader() as s:
        extra = s.scalars(select(Job).where(Job.order_id == order, Job.origin == JobOrigin.ADDITIONAL)).one()
        assert (extra.code, extra.status, extra.hours) == ("DG0101", JobStatus.PROPOSED, Decimal("0.5"))
        assert [(p.part_id, p.qty) for p in extra.part_lines] == [(desk_data.shop.oil_filter, 1)]
    job = _job(ui_services, oil)
    assert (job.status, job.pause_reason) == (JobStatus.PAUSED, PauseReason.WAITING_APPROVAL)


async def test_team_leader_sends_back_then_passes_with_recommendations(app_for, ui_services, ui_actors, on_the_bench):
    _order, oil, pads = on_the_bench
    tech = ui_actors[Role.TECHNICIAN]
    for job in (oil,):
        workshop.start_job(ui_services, tech, job)
        workshop.finish_job(ui_services, tech, job, unissued_reason="not_needed")
        workshop.self_check(ui_services, tech, job)
    app = app_for(Role.TEAM_LEADER)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        assert app.screen._list.scope == "team" and {j.id for j in app.screen._list.jobs} == {oil, pads}
        await pilot.press("l", *"loose", "f7")  # not right: back to the technician
        await _done(pilot)
        assert _job(ui_services, oil).status == JobStatus.IN_PROGRESS
        workshop.finish_job(ui_services, tech, oil)
        workshop.self_check(ui_services, tech, oil)
        await pilot.press("f5")
        await _done(pilot)
        await pilot.press("l", "tab", *"tyres", "f6")
        await _done(pilot)
    assert _job(ui_services, oil).status == JobStatus.LEADER_CHECKED
    with ui_services.db.reader() as s:
        checks = s.scalars(select(JobCheck).where(JobCheck.job_id == oil, JobCheck.kind == CheckKind.LEADER)
                           .order_by(JobCheck.id)).all()
    assert [(c.passed, c.notes, c.recommendations) for c in checks] == [(False, "loose", ""), (True, "", "tyres")]


async def test_a_technician_does_not_get_the_leader_check_key(app_for, on_the_bench):
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        assert app.screen.check_action("leader_check", ()) is False
        assert app.screen.check_action("start", ()) is True
        assert app.screen.check_action("finish", ()) is None  # not started: shown, dimmed


# Snapshots --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,size", [("en", (80, 24)), ("en", (160, 45)), ("zh_CN", (80, 24))],
                         ids=["en-80x24", "en-160x45", "zh_CN-80x24"])
def test_technician_snapshot(snap_compare, app_for, ui_services, ui_actors, desk_data, on_the_bench, lang, size):
    _order, oil, pads = on_the_bench
    tech = ui_actors[Role.TECHNICIAN]
    workshop.start_job(ui_services, tech, oil)
    ui_services.clock.advance(minutes=35)
    catalog.adjust_stock(ui_services, system_actor(ensure_store(ui_services)), desk_data.shop.brake_pads, -1, "damaged")
    line = next(ln.id for ln in order_view(ui_services, _order).lines if ln.kind == "part" and ln.job_id == pads)
    workshop.issue_parts(ui_services, tech, line)  # short: ordered, the pads wait
    set_language(lang)
    app = app_for(Role.TECHNICIAN)

    async def opened(pilot):  # type: ignore[no-untyped-def]
        await _opened(pilot)
        await pilot.press("down")  # the pads and their order request
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)
