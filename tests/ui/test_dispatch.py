"""Dispatch by keys: the supervisor's home; whole order by suggestion with a priority, one job by the
picker, reassignment, parts on order marked ordered and arrived, efficiency; snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import AuditEvent, Job, PartOrder, StockLevel
from frontdesk.model.enums import JobPriority, JobStatus, OrderStatus, PartOrderState, Role
from frontdesk.services import catalog, estimate, part_orders, workshop
from frontdesk.services.desk import order_view
from frontdesk.services.setup import ensure_store, system_actor

from .test_estimate import settle


@pytest.fixture
def signed(ui_services, ui_actors, desk_data):
    """The estimate order of 粤A12345 signed: oil service (1 h) and front pads (1.5 h) to dispatch."""
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    order = desk_data.estimate_order_id
    estimate.set_terms(svc, adv, order, payment_method="cash", promised_at=svc.clock() + dt.timedelta(hours=3))
    estimate.authorise(svc, adv, order, "张伟")
    jobs = {line.code: line.id for line in order_view(svc, order).lines
            if line.kind == "labor" and line.status == JobStatus.APPROVED}
    return order, jobs["MT0101"], jobs["BR0201"]


def _job(services, job_id: int) -> Job:
    with services.db.reader() as s:
        return s.get(Job, job_id)


async def _opened(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "DispatchScreen"
                 and pilot.app.screen._loaded is not None)


async def test_whole_order_to_the_suggestions_with_a_priority(app_for, ui_services, desk_data, signed):
    order, oil, pads = signed
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        assert "粤A12345" in str(app.screen.query_one("#dispatch-hint").render())
        await pilot.press("p")  # the car's unassigned jobs: urgent
        await pilot.press("g")  # each to its suggestion, shared out
        await settle(pilot, lambda: not app.screen._busy)
    oil_job, pads_job = _job(ui_services, oil), _job(ui_services, pads)
    assert (oil_job.status, oil_job.technician_id, oil_job.priority) == (JobStatus.ASSIGNED, desk_data.shop.tech_a,
                                                                       JobPriority.URGENT)
    assert (pads_job.technician_id, pads_job.priority) == (desk_data.shop.tech_b, JobPriority.URGENT)
    assert order_view(ui_services, order).status == OrderStatus.IN_WORKSHOP


async def test_one_job_by_the_picker_then_reassigned_and_rushed(app_for, ui_services, desk_data, signed):
    _order, oil, pads = signed
    shop = desk_data.shop
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        await pilot.press("enter", "down")  # the car's jobs; the pads
        await pilot.press("a")
        await settle(pilot)
        assert type(app.screen).__name__ == "TechnicianPicker"
        await pilot.press("down", "enter")  # the cursor starts on the suggestion (A): B instead
        await settle(pilot, lambda: _job(ui_services, pads).status == JobStatus.ASSIGNED and not app.screen._busy)
        assert _job(ui_services, pads).technician_id == shop.tech_b
        assert _job(ui_services, oil).status == JobStatus.APPROVED  # only the job under the cursor
        await pilot.press("p")  # an assigned job's priority is saved at once
        await settle(pilot, lambda: _job(ui_services, pads).priority == JobPriority.URGENT and not app.screen._busy)
        await pilot.press("p")
        await settle(pilot, lambda: _job(ui_services, pads).priority == JobPriority.RUSH and not app.screen._busy)
        await pilot.press("g")  # reassign to the suggestion: A (B's own hours leave with the job, A wins the tie)
        await settle(pilot, lambda: _job(ui_services, pads).technician_id == shop.tech_a and not app.screen._busy)
    with ui_services.db.reader() as s:
        moves = s.scalars(select(AuditEvent).where(AuditEvent.entity == "job", AuditEvent.entity_id == pads,
                                                   AuditEvent.action == "job.assign").order_by(AuditEvent.id)).all()
    assert [m.after for m in moves] == [
        {"technician_id": shop.tech_b, "priority": "urgent"}, {"technician_id": shop.tech_b, "priority": "rush"},
        {"technician_id": shop.tech_a, "priority": "rush"}]


async def test_parts_on_order_are_marked_ordered_and_arrived(app_for, ui_services, ui_actors, desk_data, signed):
    order, oil, pads = signed
    svc, shop = ui_services, desk_data.shop
    admin = system_actor(ensure_store(svc))
    workshop.dispatch(svc, ui_actors[Role.SUPERVISOR], order, {oil: shop.tech_a, pads: shop.tech_b})
    catalog.adjust_stock(svc, admin, shop.brake_pads, -1, "damaged in the store room")
    line = next(ln.id for ln in order_view(svc, order).lines if ln.kind == "part" and ln.job_id == pads)
    part_orders.request_part(svc, ui_actors[Role.TECHNICIAN], line)
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot)
        await pilot.press("o", "o")  # the parts on order, and into that list
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one("#side")
        await pilot.press("m")
        await settle(pilot)
        assert type(app.screen).__name__ == "PromptScreen"
        await pilot.press("enter")  # the expected date offered: in two days
        await settle(pilot, lambda: not getattr(app.screen, "_busy", True))
        with svc.db.reader() as s:
            request = s.scalars(select(PartOrder)).one()
        assert request.state == PartOrderState.ORDERED and request.expected_on == dt.date(2026, 11, 26)
        await pilot.press("r")
        await settle(pilot, lambda: not app.screen._busy)
        with svc.db.reader() as s:
            assert s.scalars(select(PartOrder)).one().state == PartOrderState.ARRIVED
            level = s.scalar(select(StockLevel).where(StockLevel.part_id == shop.brake_pads))
            assert (level.on_hand, level.reserved) == (Decimal(1), Decimal(1))
        await pilot.press("e")
        await settle(pilot)
        assert app.screen._side == "efficiency"


async def test_roles_without_dispatch_cannot_open_it(app_for):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_destination("dispatch")
        await settle(pilot)
        assert type(app.screen).__name__ == "DeskHomeScreen"


# Snapshots --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,size", [("en", (80, 24)), ("en", (160, 45)), ("zh_CN", (80, 24))],
                         ids=["en-80x24", "en-160x45", "zh_CN-80x24"])
def test_dispatch_snapshot(snap_compare, app_for, ui_services, ui_actors, desk_data, signed, lang, size):
    order, oil, _pads = signed
    workshop.dispatch(ui_services, ui_actors[Role.SUPERVISOR], order, {oil: desk_data.shop.tech_a}, priority="rush")
    set_language(lang)
    app = app_for(Role.SUPERVISOR)

    async def on_the_pads(pilot):  # type: ignore[no-untyped-def]
        await _opened(pilot)
        await pilot.press("enter", "down")  # the pads: unassigned, its suggestion above the lists
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=on_the_pads)
