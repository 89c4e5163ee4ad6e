"""Complaint cases by keys: the manager takes a case on and resolves it; others only read.

Two cases on the fixture's closed order of 粤B67890 (李娜): one a cashier opened on 11-22
at 15:00 (nobody owns it yet), one from a follow-up call on 11-23, already in progress.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, Complaint
from frontdesk.model.enums import ComplaintStatus, Role
from frontdesk.screens.complaints import ComplaintsScreen
from frontdesk.services import aftercare

from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import settle


@pytest.fixture
def cases(ui_services, ui_actors, desk_data) -> tuple[int, int]:
    svc, clock = ui_services, ui_services.clock
    clock.now = dt.datetime(2026, 11, 22, 15, 0)
    first = aftercare.open_complaint(svc, ui_actors[Role.CASHIER], desk_data.closed_order_id, "收银台排队太久，没人招呼")
    clock.now = dt.datetime(2026, 11, 23, 10, 30)
    second = aftercare.open_complaint(svc, ui_actors[Role.ADVISOR], desk_data.closed_order_id, "刹车还有异响")
    aftercare.update_complaint(svc, ui_actors[Role.MANAGER], second.id, owner_id=ui_actors[Role.ADVISOR].user_id,
                               status="in_progress")
    clock.now = dt.datetime(2026, 11, 24, 9, 0)
    return first.id, second.id


def complaint(services, case_id: int) -> Complaint:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(Complaint, case_id)


async def open_list(pilot) -> ComplaintsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = ComplaintsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and screen._board is not None)
    return screen


async def test_the_manager_takes_a_case_on_and_resolves_it(app_for, ui_services, ui_actors, cases):
    first, second = cases
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot)
        listed = rows(app, "complaints")
        assert len(listed) == 2 and "Open" in listed[0] and "In progress" in listed[1]
        assert "Without an owner: 1" in str(screen.query_one("#cp-head").render())

        await pilot.press("t")  # take the open case on
        await settle(pilot, lambda: "Manager Test" in rows(app, "complaints")[0])
        taken = complaint(ui_services, first)
        assert (taken.status, taken.owner_id) == (ComplaintStatus.IN_PROGRESS, ui_actors[Role.MANAGER].user_id)

        await pilot.press("r")  # resolve: the resolution is required
        await settle(pilot, lambda: screen_name(app) == "ResolveDialog")
        await pilot.press("enter")
        await settle(pilot)
        assert "resolved" in str(app.screen.query_one("#resolution-error").render())
        await type_text(pilot, "店长致电道歉，赠送保养券")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and "Resolved" in rows(app, "complaints")[-1])
        done = complaint(ui_services, first)
        assert (done.status, done.resolution, done.resolved_at) == (
            ComplaintStatus.RESOLVED, "店长致电道歉，赠送保养券", ui_services.clock())
        assert any("Resolved" in n for n in notes(app))

        # The other case changes owner: O, then the cashier's digit.
        await pilot.press("up")  # the resolved case went to the bottom; the one in progress is on top
        await settle(pilot)
        assert screen.selected.id == second
        await pilot.press("o")
        await settle(pilot, lambda: screen_name(app) == "OwnerDialog")
        choice = app.screen.query_one("#owner")
        cashier = next(n for n, (code, _t) in enumerate(choice.options) if code == str(ui_actors[Role.CASHIER].user_id))
        await pilot.press(str(cashier + 1), "enter")
        await settle(pilot, lambda: app.screen is screen)
        assert complaint(ui_services, second).owner_id == ui_actors[Role.CASHIER].user_id
        with ui_services.db.reader() as s:
            actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "complaint"))]
        assert actions.count("complaint.update") == 4


async def test_an_advisor_reads_but_does_not_change(app_for, ui_services, cases):
    first, _second = cases
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot)
        assert "Read only" in str(screen.query_one("#cp-head").render())
        assert all(screen.check_action(a, ()) is False for a in ("take", "assign", "progress", "resolve"))
        await pilot.press("t", "r")
        await settle(pilot)
        assert screen_name(app) == "ComplaintsScreen"
        assert complaint(ui_services, first).status == ComplaintStatus.OPEN


async def test_a_cashier_records_a_complaint_at_the_till(app_for, ui_services, desk_data, cases):
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot)
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(app) == "NewComplaintDialog")
        await type_text(pilot, "粤Z00000")
        await pilot.press("enter")
        await type_text(pilot, "发票开错了")
        await pilot.press("f6")
        await settle(pilot)
        assert "No order" in str(app.screen.query_one("#order-error").render())  # kept open, nothing saved
        await pilot.press("shift+tab", "ctrl+u")
        await type_text(pilot, "粤B67890")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen and len(rows(app, "complaints")) == 3)
        with ui_services.db.reader() as s:
            case = s.scalars(select(Complaint).order_by(Complaint.id.desc())).first()
        assert (case.order_id, case.description, case.status) == (desk_data.closed_order_id, "发票开错了",
                                                                  ComplaintStatus.OPEN)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_complaints_snapshot(snap_compare, app_for, cases, size):
    app = app_for(Role.MANAGER)

    async def list_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_list(pilot)

    assert snap_compare(app, terminal_size=size, run_before=list_on_screen)
