"""The approvals queue by keys only: approve, decline, a schedule slip; a stale answer is refused.

The fixture order of 粤A12345 (oil service ¥630 customer pay, warranty pads ¥905: ¥1,535.00) is
authorised, promised at 13:00, dispatched and its oil job started. At 09:10 the technician
proposes a cabin filter (0.5 h = ¥90 and a filter ¥58: ¥148) and pauses the oil job for the
answer; at 09:20 a tyre rotation (0.4 h = ¥72, safety-related).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import AuditEvent, Job, RepairOrder
from frontdesk.model.enums import JobStatus, PauseReason, Role
from frontdesk.screens.approvals import ApprovalsScreen
from frontdesk.services import approval_views, desk, estimate, workshop

from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import settle

PROMISED = dt.datetime(2026, 11, 24, 13, 0)


@dataclass
class Waiting:
    order_id: int
    oil: int
    filter_job: int
    rotation: int


@pytest.fixture
def waiting(ui_services, ui_actors, desk_data) -> Waiting:
    svc, clock = ui_services, ui_services.clock
    adv, sup, tech = (ui_actors[r] for r in (Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN))
    order_id, shop = desk_data.estimate_order_id, desk_data.shop
    estimate.set_terms(svc, adv, order_id, payment_method="wechat", wash=True, promised_at=PROMISED)
    estimate.authorise(svc, adv, order_id, "张伟")
    jobs = {ln.code: ln.id for ln in desk.order_view(svc, order_id).lines if ln.kind == "labor"}
    workshop.dispatch(svc, sup, order_id, {jobs["MT0101"]: shop.tech_a, jobs["BR0201"]: shop.tech_b})
    workshop.start_job(svc, tech, jobs["MT0101"])
    clock.now = dt.datetime(2026, 11, 24, 9, 10)
    cabin = workshop.propose_additional(svc, tech, order_id, description="更换空调滤清器", hours="0.5",
                                        note="滤芯很脏", parts=((shop.oil_filter, "1"),), pause_job_id=jobs["MT0101"])
    clock.now = dt.datetime(2026, 11, 24, 9, 20)
    rotation = workshop.propose_additional(svc, tech, order_id, description="轮胎换位", hours="0.4", safety=True,
                                           note="前轮内侧偏磨")
    clock.now = dt.datetime(2026, 11, 24, 9, 30)
    return Waiting(order_id, jobs["MT0101"], cabin.id, rotation.id)


def job(services, job_id: int) -> Job:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(Job, job_id)


def order(services, order_id: int) -> RepairOrder:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(RepairOrder, order_id)


async def open_queue(pilot) -> ApprovalsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.open_destination("approvals")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ApprovalsScreen) and pilot.app.screen._queue is not None)
    return pilot.app.screen


async def test_approve_then_decline_by_keys(app_for, ui_services, waiting):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_queue(pilot)
        waiting_rows = rows(app, "waiting")
        assert len(waiting_rows) == 2 and "13800138000" in waiting_rows[0] and "¥148.00" in waiting_rows[0]
        detail = str(screen.query_one("#ap-detail").render())
        assert "滤芯很脏" in detail and "¥1,535.00" in detail and "¥1,683.00" in detail

        # approved on the phone by the customer: A, and F6 with the defaults
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(app) == "DecisionDialog")
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "SlipDialog")  # the added 0.5 h: a new promised time offered
        await pilot.press("escape")  # the promise holds
        await settle(pilot, lambda: app.screen is screen and len(rows(app, "waiting")) == 1)
        cabin = job(ui_services, waiting.filter_job)
        assert cabin.status == JobStatus.ASSIGNED  # to the technician who has the car
        assert (cabin.decision_by, cabin.decision_channel, cabin.decision_at) == ("张伟", "phone", ui_services.clock())
        assert approval_views.order_totals(ui_services, waiting.order_id).gross == Decimal("1683.00")
        assert any("¥1,683.00" in n for n in notes(app))  # the new total is said
        assert "¥1,683.00" in str(screen.query_one("#ap-head").render())
        oil = job(ui_services, waiting.oil)  # the last open question is not answered yet: the oil job still waits
        assert oil.status == JobStatus.PAUSED and oil.pause_reason == PauseReason.WAITING_APPROVAL

        # declined by the person who brought the car, in person, with a note: D, then type
        await pilot.press("d")
        await settle(pilot, lambda: screen_name(app) == "DecisionDialog")
        await pilot.press("ctrl+u")
        await type_text(pilot, "李娜")
        await pilot.press("tab", "enter", "down", "enter")  # the channel: phone -> in person
        await pilot.press("tab")
        await type_text(pilot, "下次再做")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and len(rows(app, "waiting")) == 0)
        rotation = job(ui_services, waiting.rotation)
        assert rotation.status == JobStatus.DECLINED
        assert (rotation.decision_by, rotation.decision_channel, rotation.decision_note) == ("李娜", "in_person", "下次再做")
        assert approval_views.order_totals(ui_services, waiting.order_id).gross == Decimal("1683.00")
        assert any("safety-related" in n for n in notes(app))
        assert job(ui_services, waiting.oil).pause_reason == PauseReason.CUSTOMER_APPROVED  # free to go on
        decided = rows(app, "decided")
        assert len(decided) == 2 and "Declined" in decided[0] and "Approved" in decided[1]
        # the declined job is a recommendation for the next visit
        history = desk.vehicle_history(ui_services, desk.order_view(ui_services, waiting.order_id).vehicle_id)
        assert [r.description for r in history.declined if r.job_id == waiting.rotation] == ["轮胎换位"]


async def test_schedule_slip_by_keys(app_for, ui_services, waiting):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("s")
        await settle(pilot, lambda: screen_name(app) == "SlipDialog")
        assert app.screen.query_one("#promised_at").value == "2026-11-24 14:00"  # an hour after the promise
        await pilot.press("plus", "plus", "up")  # +1.5 h
        await pilot.press("tab", "tab", "tab")  # who was told (张伟), how (phone), what they were told
        await type_text(pilot, "配件明天到")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen and len(rows(app, "decided")) == 1)
        assert order(ui_services, waiting.order_id).promised_at == dt.datetime(2026, 11, 24, 15, 30)
        with ui_services.db.reader() as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.action == "order.reschedule")).one()
        assert event.after["told"] == "张伟" and event.after["channel"] == "phone" and event.after["note"] == "配件明天到"
        assert "13:00 → 15:30" in rows(app, "decided")[0]


async def test_a_slip_into_the_past_is_refused_in_the_dialog(app_for, ui_services, waiting):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot)
        await pilot.press("s")
        await settle(pilot, lambda: screen_name(app) == "SlipDialog")
        await pilot.press("ctrl+u", *"08:00", "enter")
        await settle(pilot, lambda: "future" in str(app.screen.query_one("#promised_at-error").render()))
        assert screen_name(app) == "SlipDialog"  # still open with what was typed
        assert order(ui_services, waiting.order_id).promised_at == PROMISED


async def test_an_answer_recorded_elsewhere_meanwhile_is_not_overwritten(app_for, ui_services, ui_actors, waiting):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(app) == "DecisionDialog")
        # another advisor records the customer's no at their terminal first
        workshop.record_decision(ui_services, ui_actors[Role.MANAGER], waiting.filter_job, approved=False,
                                 decided_by="张伟")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen and any("another terminal" in n or "changed" in n
                                                                 for n in notes(app)))
        assert job(ui_services, waiting.filter_job).status == JobStatus.DECLINED
        await settle(pilot, lambda: len(rows(app, "waiting")) == 1)


async def test_the_queue_follows_other_terminals(app_for, ui_services, ui_actors, waiting):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot)
        assert len(rows(app, "waiting")) == 2
        workshop.propose_additional(ui_services, ui_actors[Role.TECHNICIAN], waiting.order_id,
                                    description="更换雨刮片", hours="0.2")
        await settle(pilot, lambda: len(rows(app, "waiting")) == 3, timeout=6)  # no key pressed


def test_only_the_desk_opens_the_queue(app_for, ui_services, waiting):
    from frontdesk.navigation import allowed

    assert "approvals" in [d.key for d in allowed(Role.ADVISOR)]
    assert "approvals" not in [d.key for d in allowed(Role.TECHNICIAN)]
    assert "approvals" not in [d.key for d in allowed(Role.QC)]


@pytest.mark.parametrize("lang,size", [("en", (80, 24)), ("en", (160, 45)), ("zh_CN", (80, 24))],
                         ids=["en-80x24", "en-160x45", "zh-80x24"])
def test_approvals_snapshot(snap_compare, app_for, waiting, lang, size):
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def queue_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_queue(pilot)

    assert snap_compare(app, terminal_size=size, run_before=queue_on_screen)


def test_decision_dialog_snapshot(snap_compare, app_for, waiting):
    app = app_for(Role.ADVISOR)

    async def dialog_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_queue(pilot)
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(pilot.app) == "DecisionDialog")

    assert snap_compare(app, terminal_size=(80, 24), run_before=dialog_on_screen)
