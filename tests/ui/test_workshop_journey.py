"""The workshop's part of the day by keys only, across the real screens and the real users.

Users change the way the app does it twice: the supervisor signs in on the login screen and
later signs out (Ctrl+P "Sign out") for the technician; the advisor signs out from the
approvals queue, a screen over the desk home, for the supervisor. Typing a name and password
costs seconds under Pilot, so the other changes start the real app with the user signed in
(another terminal on the same database); inside every screen it is keys only. Each step is
checked in the database as soon as the screen says it is done, through the services' read
models (the order, the bench, the dispatch board, the checks and approvals queues,
efficiency) and the stock movements and audit trail.

The story (the fixture's order of 粤A12345, signed at 09:00 with a wash, promised 13:00; the
store's oil filters were written off as a damaged batch, so the oil job's filter is short):

- 09:00 supervisor, dispatch: G shares the car out by suggestion: the oil service to
  Technician A (the user "technician"), the front pads to Technician B.
- 09:00 technician: starts the oil job; 09:20 issues its parts: 4 L of oil leave the store
  room, the filter is short, so it is ordered and the job pauses for it (20 min clocked).
- 09:30 supervisor: the filter marked ordered (expected in two days), 10:00 it arrives.
- 10:00 technician: resumes, issues the filter, 10:15 proposes additional work (a diagnosis
  with 1 L of oil) and the oil job pauses for the customer's answer (35 min clocked).
- 10:20 advisor, approvals queue (Ctrl+P): the customer approved on the phone.
- 10:20 supervisor: G gives the approved diagnosis to its suggestion, Technician A.
- 10:20 technician: resumes and finishes the oil job (45 min), self-check; starts, issues
  and finishes the diagnosis (30 min), self-check.
- 11:00 team leader, the team's bench: leader check of the oil job with a recommendation;
  Technician B has no terminal login, so the leader clocks B's pads job from the team bench
  (start, issue the pads, finish after 60 min, self-check) and checks it and the diagnosis.
- 12:00 QC, checks: the oil job fails (rework 1, its clock runs again), pads and diagnosis pass.
- 12:15 technician: finishes the oil job again (60 min in all), self-check; team leader
  check; QC passes it: the car waits for the wash.
- 12:30 supervisor, checks (Ctrl+P): W, the car is washed and ready.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

from sqlalchemy import select
from textual.pilot import Pilot

from frontdesk.model import AuditEvent, PartOrder, StockMovement
from frontdesk.model.enums import (
    JobOrigin,
    JobStatus,
    OrderStatus,
    PartOrderState,
    PauseReason,
    Role,
    StockMovementKind,
)
from frontdesk.services import approval_views, catalog, desk, estimate
from frontdesk.services import workshop_views as views
from frontdesk.services.setup import ensure_store, system_actor

from ..conftest import PASSWORD
from .desk_helpers import notes, rows, type_text
from .test_estimate import settle

J = JobStatus
PROMISED = dt.datetime(2026, 11, 24, 13, 0)
SIZE = (120, 36)
HOME = {Role.SUPERVISOR: "DispatchScreen", Role.TECHNICIAN: "TechnicianScreen", Role.TEAM_LEADER: "TechnicianScreen",
        Role.QC: "ChecksScreen", Role.ADVISOR: "DeskHomeScreen"}


# Reading the database -----------------------------------------------------------------------------------


def jobs_of(svc, order_id: int) -> dict[str, desk.LineView]:  # type: ignore[no-untyped-def]
    """The order's live labor lines by code (the diagnosis declined at the desk left out)."""
    return {ln.code: ln for ln in desk.order_view(svc, order_id).lines
            if ln.kind == "labor" and ln.status != J.DECLINED}


def parts_of(svc, order_id: int) -> dict[tuple[int | None, str], desk.LineView]:  # type: ignore[no-untyped-def]
    return {(ln.job_id, ln.code): ln for ln in desk.order_view(svc, order_id).lines if ln.kind == "part"}


def on_bench(svc, actor) -> dict[int, views.TechJob]:  # type: ignore[no-untyped-def]
    """Every job on a bench (the supervisor sees them all), with its clocked time up to now."""
    return {j.id: j for j in views.work_list(svc, actor).jobs}


def on_hand(svc, order_id: int, number: str) -> Decimal:  # type: ignore[no-untyped-def]
    """The store room's stock of a part, as the order's part lines show it."""
    return next(ln.on_hand for ln in desk.order_view(svc, order_id).lines if ln.kind == "part" and ln.code == number)


def movements(svc, part_id: int) -> list[tuple[StockMovementKind, Decimal]]:  # type: ignore[no-untyped-def]
    with svc.db.reader() as s:
        return [(m.kind, m.qty) for m in s.scalars(
            select(StockMovement).where(StockMovement.part_id == part_id).order_by(StockMovement.id))]


def actions(svc, order_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with svc.db.reader() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.order_id == order_id)
                              .order_by(AuditEvent.id)))


def part_order(svc) -> PartOrder:  # type: ignore[no-untyped-def]
    with svc.db.reader() as s:
        return s.scalars(select(PartOrder)).one()


# Driving the terminal ----------------------------------------------------------------------------------


def screen_name(pilot) -> str:  # type: ignore[no-untyped-def]
    return type(pilot.app.screen).__name__


def home_loaded(pilot, role: Role) -> bool:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    if screen_name(pilot) != HOME[role]:
        return False
    loaded = {"DispatchScreen": "_loaded", "TechnicianScreen": "_list", "ChecksScreen": "_queue",
              "ApprovalsScreen": "_queue", "DeskHomeScreen": "_home"}[HOME[role]]
    return getattr(screen, loaded) is not None


@asynccontextmanager
async def terminal(app_for, role: Role | None) -> AsyncIterator[Pilot]:  # type: ignore[no-untyped-def]
    """A terminal running the real app: at the login screen (None), or with ``role``'s user signed in, home loaded."""
    app = app_for(role)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "LoginScreen" if role is None else home_loaded(pilot, role))
        yield pilot


async def sign_in(pilot, role: Role) -> None:  # type: ignore[no-untyped-def]
    """Sign out whoever is on (Ctrl+P, "Sign out"), then sign in as ``role``'s user: their home, loaded."""
    app = pilot.app
    if app.actor is not None:
        await pilot.press("ctrl+p", *"Sign out")
        await settle(pilot)
        await pilot.press("enter")
    await settle(pilot, lambda: screen_name(pilot) == "LoginScreen")
    await pilot.press(*role.value, "enter", *PASSWORD, "enter")
    await settle(pilot, lambda: home_loaded(pilot, role))
    assert app.actor.role == role and app.actor.username == role.value


async def open_screen(pilot, title: str, name: str, loaded: str) -> None:  # type: ignore[no-untyped-def]
    """Another screen by its name in the command palette (Ctrl+P)."""
    await pilot.press("ctrl+p", *title)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot, lambda: screen_name(pilot) == name and getattr(pilot.app.screen, loaded) is not None)


async def bench_done(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: screen_name(pilot) == "TechnicianScreen" and not pilot.app.screen._busy)


async def bench_key(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*keys)
    await bench_done(pilot)


async def bench_check(pilot, key: str, text: str = "", recommendations: str = "") -> None:  # type: ignore[no-untyped-def]
    """C (self-check) or L (leader check) on the bench: notes, recommendations after Tab, F6 passes."""
    await pilot.press(key)
    await settle(pilot, lambda: screen_name(pilot) == "CheckScreen")
    await type_text(pilot, text)
    if recommendations:
        await pilot.press("tab")
        await type_text(pilot, recommendations)
    await pilot.press("f6")
    await bench_done(pilot)


async def bench_to(pilot, job_id: int) -> None:  # type: ignore[no-untyped-def]
    """Down/Up on the bench until ``job_id`` is under the cursor."""
    screen = pilot.app.screen
    order = [j.id for j in screen._list.jobs]
    key = "down" if order.index(job_id) > order.index(screen._job().id) else "up"
    for _ in range(len(order)):
        if screen._job().id == job_id:
            break
        await pilot.press(key)
    await settle(pilot)
    assert screen._job().id == job_id


async def checks_to(pilot, job_id: int) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    order = [i.job_id for i in screen._queue.jobs]
    key = "down" if order.index(job_id) > order.index(screen.selected_job.job_id) else "up"
    for _ in range(len(order)):
        if screen.selected_job.job_id == job_id:
            break
        await pilot.press(key)
    assert screen.selected_job.job_id == job_id


async def record_check(pilot, key: str, text: str = "") -> None:  # type: ignore[no-untyped-def]
    """On the checks screen: the key, the notes, Enter; back on the checks screen."""
    screen = pilot.app.screen
    await pilot.press(key)
    await settle(pilot, lambda: screen_name(pilot) == "CheckDialog")
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot, lambda: pilot.app.screen is screen and not screen._polling)


def bench_cell(pilot, job_id: int, column: int) -> str:  # type: ignore[no-untyped-def]
    return str(pilot.app.screen.query_one("#bench").get_row(f"j{job_id}")[column])


# The day ---------------------------------------------------------------------------------------------------


async def test_dispatch_to_ready_by_keys(app_for, ui_services, ui_actors, desk_data):
    svc, shop, clock = ui_services, desk_data.shop, ui_services.clock
    sup = ui_actors[Role.SUPERVISOR]
    order_id = desk_data.estimate_order_id
    number = {"filter": "06L115562B", "oil": "LQ-0001", "pads": "5Q0698151"}

    def left(part: str) -> Decimal:
        return on_hand(svc, order_id, number[part])

    # Set-up through the services: signed with a wash at 09:00; the filters written off, so the order's is short
    estimate.set_terms(svc, ui_actors[Role.ADVISOR], order_id, payment_method="wechat", wash=True, promised_at=PROMISED)
    estimate.authorise(svc, ui_actors[Role.ADVISOR], order_id, "张伟")
    catalog.adjust_stock(svc, system_actor(ensure_store(svc)), shop.oil_filter, -10, "damaged batch")
    jobs = jobs_of(svc, order_id)
    oil, pads = jobs["MT0101"].id, jobs["BR0201"].id
    assert desk.order_view(svc, order_id).status == OrderStatus.AUTHORISED
    filter_line = parts_of(svc, order_id)[(oil, "06L115562B")]
    assert (filter_line.on_hand, filter_line.reserved, filter_line.short) == (0, 1, False)  # reserved, not there
    gross_signed = approval_views.order_totals(svc, order_id).gross
    assert gross_signed == Decimal("1535.00")

    async with terminal(app_for, None) as pilot:
        app = pilot.app
        # 09:00 supervisor: the car waits for work; G shares it out by suggestion -------------------------
        await sign_in(pilot, Role.SUPERVISOR)
        assert "粤A12345: 2 jobs to assign" in str(app.screen.query_one("#dispatch-hint").render())
        await pilot.press("g")
        await settle(pilot, lambda: not app.screen._busy and app.screen._loaded.board.orders[0].unassigned == ())
        jobs = jobs_of(svc, order_id)
        assert desk.order_view(svc, order_id).status == OrderStatus.IN_WORKSHOP
        assert (jobs["MT0101"].status, jobs["BR0201"].status) == (J.ASSIGNED, J.ASSIGNED)
        bench = on_bench(svc, sup)
        assert (bench[oil].technician_id, bench[pads].technician_id) == (shop.tech_a, shop.tech_b)
        assert "order.dispatch" in actions(svc, order_id)

        # 09:00 technician: start the oil job; 09:20 issue its parts: the filter is short --------------------
        await sign_in(pilot, Role.TECHNICIAN)
        assert [j.id for j in app.screen._list.jobs] == [oil]  # Technician A's own work only
        await bench_key(pilot, "s")
        assert on_bench(svc, sup)[oil].status == J.IN_PROGRESS
        clock.advance(minutes=20)
        await bench_key(pilot, "i")
        job = on_bench(svc, sup)[oil]
        assert (job.status, job.pause_reason, job.clocked_seconds, job.running) == (
            J.PAUSED, PauseReason.WAITING_PARTS, 20 * 60, False)
        assert job.waiting_parts and "Waiting parts" in bench_cell(pilot, oil, 3)
        assert "0:20" in bench_cell(pilot, oil, 4)
        request = part_order(svc)
        assert (request.state, request.qty, request.job_id, request.part_id) == (
            PartOrderState.REQUESTED, 1, oil, shop.oil_filter)
        assert left("oil") == 36 and left("filter") == 0
        assert movements(svc, shop.engine_oil)[-1] == (StockMovementKind.ISSUE, -4)
        assert parts_of(svc, order_id)[(oil, "LQ-0001")].reserved == 0
        assert any("1 short: ordered" in n for n in notes(app))

    # 09:30 supervisor: the filter is ordered; 10:00 it arrives ----------------------------------------
    clock.advance(minutes=10)
    async with terminal(app_for, Role.SUPERVISOR) as pilot:
        app = pilot.app
        await pilot.press("o", "o")  # the parts on order, and into that list
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one("#side")
        await pilot.press("m")
        await settle(pilot, lambda: screen_name(pilot) == "PromptScreen")
        await pilot.press("enter")  # the expected date offered: in two days
        await settle(pilot, lambda: screen_name(pilot) == "DispatchScreen" and not app.screen._busy)
        request = part_order(svc)
        assert (request.state, request.expected_on) == (PartOrderState.ORDERED, dt.date(2026, 11, 26))
        clock.advance(minutes=30)
        await pilot.press("r")
        await settle(pilot, lambda: not app.screen._busy and part_order(svc).state == PartOrderState.ARRIVED)
        assert part_order(svc).arrived_at == dt.datetime(2026, 11, 24, 10, 0)
        assert left("filter") == 1 and parts_of(svc, order_id)[(oil, "06L115562B")].reserved == 1
        assert movements(svc, shop.oil_filter)[-1] == (StockMovementKind.RECEIPT, 1)
        job = on_bench(svc, sup)[oil]
        assert (job.status, job.pause_reason, job.waiting_parts) == (J.PAUSED, PauseReason.OTHER, False)

    # 10:00 technician: resume, issue the filter; 10:15 additional work found, the job waits --------------
    async with terminal(app_for, Role.TECHNICIAN) as pilot:
        app = pilot.app
        assert "0:20" in bench_cell(pilot, oil, 4)  # the 40 minutes waiting were not clocked
        await bench_key(pilot, "s")
        await bench_key(pilot, "i")
        assert left("filter") == 0
        assert movements(svc, shop.oil_filter)[-1] == (StockMovementKind.ISSUE, -1)
        assert parts_of(svc, order_id)[(oil, "06L115562B")].reserved == 0
        clock.advance(minutes=15)
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(pilot) == "ProposeScreen")
        await pilot.press("f2", *"gzzd", "enter")  # 故障诊断 by its pinyin initials
        await settle(pilot, lambda: screen_name(pilot) == "ProposeScreen")
        await pilot.press("f3", *"LQ-0001", "enter")  # one litre of oil (the quantity box says 1)
        await settle(pilot, lambda: screen_name(pilot) == "ProposeScreen")
        await pilot.press("tab", "tab")  # past the hours, into the note
        assert app.screen.focused.id == "propose-note"
        await type_text(pilot, "怠速抖动")
        await pilot.press("f6")
        await bench_done(pilot)
        extra_line = next(ln for ln in jobs_of(svc, order_id).values() if ln.origin == JobOrigin.ADDITIONAL)
        extra = extra_line.id
        assert (extra_line.code, extra_line.status, extra_line.quantity) == ("DG0101", J.PROPOSED, Decimal("0.5"))
        job = on_bench(svc, sup)[oil]
        assert (job.status, job.pause_reason, job.clocked_seconds) == (J.PAUSED, PauseReason.WAITING_APPROVAL, 35 * 60)
        assert any("the advisor asks the customer" in n for n in notes(app))

    # 10:20 advisor: the approvals queue; the customer says yes on the phone ------------------------------
    clock.advance(minutes=5)
    async with terminal(app_for, Role.ADVISOR) as pilot:
        app = pilot.app
        await open_screen(pilot, "Approvals", "ApprovalsScreen", "_queue")
        [waiting] = rows(app, "waiting")
        assert "粤A12345" in waiting and "13800138000" in waiting and "故障诊断" in waiting
        [item] = app.screen._queue.waiting
        assert item.job_id == extra and item.note == "怠速抖动" and item.waiting_jobs == 1
        assert item.total_if_approved == gross_signed + item.amount
        await pilot.press("a")
        await settle(pilot, lambda: screen_name(pilot) == "DecisionDialog")
        await pilot.press("f6")  # 张伟, on the phone
        await settle(pilot, lambda: screen_name(pilot) == "SlipDialog")  # the added 0.5 h offer a new promised time
        await pilot.press("escape")  # the promise holds
        await settle(pilot, lambda: screen_name(pilot) == "ApprovalsScreen" and rows(app, "waiting") == [])
        assert "Approved" in rows(app, "decided")[0]
        assert jobs_of(svc, order_id)["DG0101"].status == J.ASSIGNED  # to the technician who has the car
        assert approval_views.order_totals(svc, order_id).gross == item.total_if_approved
        assert parts_of(svc, order_id)[(extra, "LQ-0001")].reserved == 1  # held for the approved work
        [decided] = [d for d in approval_views.approvals_queue(svc, ui_actors[Role.ADVISOR]).decided_today
                     if d.kind == "approved"]
        assert (decided.answered_by, decided.channel, decided.at) == ("张伟", "phone", clock())
        assert on_bench(svc, sup)[oil].pause_reason == PauseReason.CUSTOMER_APPROVED  # free to go on

        # 10:20 supervisor: the approved work is with Technician A, who has the car: nothing to dispatch -------
        await sign_in(pilot, Role.SUPERVISOR)  # from the approvals queue: the desk home under it must not wake up
        assert "every job is assigned" in str(app.screen.query_one("#dispatch-hint").render())
        assert on_bench(svc, sup)[extra].technician_id == shop.tech_a

    # 10:20 technician: the oil job resumed and finished, the diagnosis done ---------------------------
    async with terminal(app_for, Role.TECHNICIAN) as pilot:
        app = pilot.app
        assert [j.id for j in app.screen._list.jobs] == [oil, extra]
        await bench_key(pilot, "s")
        clock.advance(minutes=10)
        await bench_key(pilot, "f")
        job = on_bench(svc, sup)[oil]
        assert (job.status, job.clocked_seconds) == (J.FINISHED, 45 * 60)
        assert "0:45" in bench_cell(pilot, oil, 4)
        await bench_check(pilot, "c", "已试车")
        assert on_bench(svc, sup)[oil].status == J.SELF_CHECKED
        await bench_to(pilot, extra)
        await bench_key(pilot, "s")
        await bench_key(pilot, "i")
        assert left("oil") == 35
        clock.advance(minutes=30)
        await bench_key(pilot, "f")
        await bench_check(pilot, "c")
        job = on_bench(svc, sup)[extra]
        assert (job.status, job.clocked_seconds) == (J.SELF_CHECKED, 30 * 60)

    # 11:00 team leader: the team's bench; B's pads clocked by the leader; the leader checks ---------------
    async with terminal(app_for, Role.TEAM_LEADER) as pilot:
        app = pilot.app
        assert app.screen._list.scope == "team"
        assert [j.id for j in app.screen._list.jobs] == [oil, pads, extra]
        await bench_check(pilot, "l", "正常", "建议下次更换空调滤清器")
        assert jobs_of(svc, order_id)["MT0101"].status == J.LEADER_CHECKED
        await bench_to(pilot, pads)
        await bench_key(pilot, "s")
        await bench_key(pilot, "i")
        assert left("pads") == 0 and movements(svc, shop.brake_pads)[-1] == (StockMovementKind.ISSUE, -1)
        clock.advance(minutes=60)
        await bench_key(pilot, "f")
        job = on_bench(svc, sup)[pads]
        assert (job.status, job.technician_id, job.clocked_seconds) == (J.FINISHED, shop.tech_b, 60 * 60)
        await bench_check(pilot, "c")
        await bench_check(pilot, "l")
        await bench_to(pilot, extra)
        await bench_check(pilot, "l")
        jobs = jobs_of(svc, order_id)
        assert {code: ln.status for code, ln in jobs.items()} == {
            "MT0101": J.LEADER_CHECKED, "BR0201": J.LEADER_CHECKED, "DG0101": J.LEADER_CHECKED}

    # 12:00 QC: the oil job fails (rework), the pads and the diagnosis pass ---------------------------------
    async with terminal(app_for, Role.QC) as pilot:
        app = pilot.app
        queue = {i.job_id: i for i in app.screen._queue.jobs}
        assert {job_id: i.waiting_for for job_id, i in queue.items()} == {oil: "qc", pads: "qc", extra: "qc"}
        assert [(c.kind, c.passed, c.notes, c.recommendations) for c in queue[oil].checks] == [
            ("self", True, "已试车", ""), ("leader", True, "正常", "建议下次更换空调滤清器")]
        await checks_to(pilot, oil)
        await record_check(pilot, "f", "机滤渗油")
        assert any("rework 1" in n for n in notes(app))
        job = on_bench(svc, sup)[oil]
        assert (job.status, job.rework_count, job.running, job.clocked_seconds) == (J.IN_PROGRESS, 1, True, 45 * 60)
        assert rows(app, "check-jobs")[-1].startswith("Sent back")
        await checks_to(pilot, pads)
        await record_check(pilot, "p")
        await checks_to(pilot, extra)
        await record_check(pilot, "p", "复检合格")
        jobs = jobs_of(svc, order_id)
        assert {code: ln.status for code, ln in jobs.items()} == {
            "MT0101": J.IN_PROGRESS, "BR0201": J.QC_PASSED, "DG0101": J.QC_PASSED}
        assert desk.order_view(svc, order_id).status == OrderStatus.IN_WORKSHOP

    # 12:15 technician puts it right; leader check; QC passes: the car goes to the wash ----------------------
    clock.advance(minutes=15)
    async with terminal(app_for, Role.TECHNICIAN) as pilot:
        app = pilot.app
        assert [j.id for j in app.screen._list.jobs] == [oil]
        assert "Rework ×1" in str(app.screen.query_one("#bench-detail").render())
        assert "1:00" in bench_cell(pilot, oil, 4)  # 45 min, and 15 since QC sent it back
        await bench_key(pilot, "f")
        await bench_check(pilot, "c", "已紧固")

    async with terminal(app_for, Role.TEAM_LEADER) as pilot:
        app = pilot.app
        assert [j.id for j in app.screen._list.jobs] == [oil]
        await bench_check(pilot, "l")

    async with terminal(app_for, Role.QC) as pilot:
        app = pilot.app
        await checks_to(pilot, oil)
        await record_check(pilot, "p")
        assert any("goes to the wash" in n for n in notes(app))
        assert desk.order_view(svc, order_id).status == OrderStatus.IN_WORKSHOP
        assert rows(app, "check-cars")[0].startswith("Wash")

    # 12:30 supervisor: the checks screen (Ctrl+P); washed, and the car is ready ---------------------------
    clock.advance(minutes=15)
    async with terminal(app_for, Role.SUPERVISOR) as pilot:
        app = pilot.app
        assert app.screen._loaded.board.orders == ()  # no work left to dispatch
        await open_screen(pilot, "Checks and QC", "ChecksScreen", "_queue")
        await pilot.press("tab", "w")
        await settle(pilot, lambda: rows(app, "check-cars") and rows(app, "check-cars")[0].startswith("Ready"))
        assert any("ready for delivery" in n for n in notes(app))

    # The day in the database ---------------------------------------------------------------------------------
    view = desk.order_view(svc, order_id)
    assert view.status == OrderStatus.READY
    assert {code: ln.status for code, ln in jobs_of(svc, order_id).items()} == {
        "MT0101": J.QC_PASSED, "BR0201": J.QC_PASSED, "DG0101": J.QC_PASSED}
    [car] = approval_views.checks_queue(svc, ui_actors[Role.QC]).ready
    ready_at = dt.datetime(2026, 11, 24, 12, 30)
    assert (car.order_id, car.washed_at, car.ready_at) == (order_id, ready_at, ready_at)
    assert (car.rework_count, car.jobs) == (1, 3)
    efficiency = {e.technician_id: e for e in views.efficiency(svc, sup, since=dt.datetime(2026, 11, 24))}
    a, b = efficiency[shop.tech_a], efficiency[shop.tech_b]
    # A: oil 1 h sold, 60 min clocked (20 + 15 + 10 + 15 after the QC fail); the diagnosis 0.5 h, 30 min
    assert (a.jobs, a.sold_hours, a.clocked_hours, a.reworks) == (2, Decimal("1.5"), Decimal("1.50"), 1)
    assert (b.jobs, b.sold_hours, b.clocked_hours, b.reworks) == (1, Decimal("1.5"), Decimal("1.00"), 0)
    # Stock: what was issued left the store room, what arrived came in; nothing is held any more
    assert movements(svc, shop.oil_filter) == [
        (StockMovementKind.ADJUST, 10), (StockMovementKind.ADJUST, -10), (StockMovementKind.RECEIPT, 1),
        (StockMovementKind.ISSUE, -1)]
    assert movements(svc, shop.engine_oil) == [
        (StockMovementKind.ADJUST, 40), (StockMovementKind.ISSUE, -4), (StockMovementKind.ISSUE, -1)]
    assert movements(svc, shop.brake_pads) == [(StockMovementKind.ADJUST, 1), (StockMovementKind.ISSUE, -1)]
    assert all(ln.reserved == 0 for ln in view.lines if ln.kind == "part" and ln.status != J.DECLINED)
    assert (left("filter"), left("oil"), left("pads")) == (0, 35, 0)
    assert view.totals.gross == item.total_if_approved
    # Every step left its audit event
    done = actions(svc, order_id)
    for action in ("order.dispatch", "job.start", "parts.issue", "parts.order", "parts.receive", "job.resume",
                   "job.propose", "job.decide", "job.finish", "job.self_check", "job.leader_check",
                   "job.qc", "order.wash"):
        assert action in done, action
    assert done.count("job.qc") == 4 and done.count("job.finish") == 4
