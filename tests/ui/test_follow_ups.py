"""The follow-up queue by keys: a reached call with five scores (a low one opens a complaint), a miss.

The fixture's 粤B67890 (李娜) left on 2026-11-20 at 09:00, so its call was due on 11-23 at
10:00: overdue at 09:00 on the 24th, first in the queue. 粤C24680 (欧阳建国) had a warranty
visit on the 21st: its call is due today at 10:00, later today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.model import Complaint, FollowUp
from frontdesk.model.enums import FollowUpStatus, Role
from frontdesk.screens.follow_ups import FollowUpsScreen
from frontdesk.services import aftercare

from ..test_aftercare_views import warranty_visit
from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import settle


@pytest.fixture
def calls(ui_services, ui_actors, desk_data) -> dict[str, int]:
    svc = ui_services
    svc.clock.now = dt.datetime(2026, 11, 21, 9, 0)
    order_id = warranty_visit(svc, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤C24680"], 8000)
    svc.clock.now = dt.datetime(2026, 11, 24, 9, 0)
    with svc.db.reader() as s:
        found = {f.order_id: f.id for f in s.scalars(select(FollowUp))}
    return {"粤B67890": found[desk_data.closed_order_id], "粤C24680": found[order_id]}


def follow_up(services, follow_id: int) -> FollowUp:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(FollowUp, follow_id)


async def open_queue(pilot) -> FollowUpsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = FollowUpsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and screen._queue is not None)
    return screen


async def test_record_a_reached_call_then_a_miss_by_keys(app_for, ui_services, calls):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        listed = rows(app, "calls")
        assert len(listed) == 2 and "11-23 10:00" in listed[0] and "李娜" in listed[0] and "欧阳建国" in listed[1]
        assert "Overdue 1" in str(screen.query_one("#fu-head").render())

        # Reached: R, then 5 5 4 5 2 (price), a comment, F6.
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "RecordCallDialog")
        await pilot.press("r", "5", "5", "4", "5", "2")
        assert app.screen.focused.id == "comments"
        await type_text(pilot, "价格偏高")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen and len(rows(app, "calls")) == 1)
        call = follow_up(ui_services, calls["粤B67890"])
        assert call.status == FollowUpStatus.DONE and call.reached and call.attempts == 1
        assert (call.score_overall, call.score_advisor, call.score_quality, call.score_timeliness, call.score_price) == (
            5, 5, 4, 5, 2)
        assert call.comments == "价格偏高" and call.caller_id == app.actor.user_id
        with ui_services.db.reader() as s:
            (case,) = s.scalars(select(Complaint)).all()
        assert "Price fairness 2" in case.description and "价格偏高" in case.description
        assert any(f"Complaint case no. {case.id}" in n for n in notes(app))

        # Not reached: N, what happened, F6: tried again at 13:00.
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(app) == "RecordCallDialog")
        await pilot.press("n")
        await type_text(pilot, "无人接听")
        await pilot.press("f6")
        await settle(pilot, lambda: app.screen is screen and any("next try" in n for n in notes(app)))
        miss = follow_up(ui_services, calls["粤C24680"])
        assert (miss.status, miss.attempts, miss.reached, miss.due_at) == (
            FollowUpStatus.DUE, 1, False, dt.datetime(2026, 11, 24, 13, 0))
        assert miss.comments == "无人接听"
        assert any("11-24 13:00" in n for n in notes(app))


async def test_a_call_recorded_at_another_desk_leaves_the_queue(app_for, ui_services, ui_actors, calls):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        assert len(rows(app, "calls")) == 2
        aftercare.record_follow_up(ui_services, ui_actors[Role.MANAGER], calls["粤B67890"], aftercare.FollowUpResult(
            reached=True, scores=dict.fromkeys(aftercare.SCORE_FIELDS, 5)))
        await settle(pilot, lambda: len(screen._queue.due) + len(screen._queue.later_today) == 1, timeout=6)
        assert len(rows(app, "calls")) == 1 and "欧阳建国" in rows(app, "calls")[0]


async def test_scores_are_required_and_the_dialog_keeps_what_was_typed(app_for, ui_services, calls):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "RecordCallDialog")
        await pilot.press("f6")  # neither R nor N
        assert "Press R" in str(app.screen.query_one("#reached-error").render())
        await pilot.press("4", "4")  # a score means reached
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(app) == "RecordCallDialog"
        assert "each question" in str(app.screen.query_one("#scores-error").render())
        await pilot.press("5", "5", "5", "f6")
        await settle(pilot, lambda: app.screen is screen)
        assert follow_up(ui_services, calls["粤B67890"]).score_overall == 4
        assert not any("Complaint" in n for n in notes(app))


async def test_the_manager_closes_an_escalated_call(app_for, ui_services, ui_actors, calls):
    adv = ui_actors[Role.ADVISOR]
    for _ in range(aftercare.MAX_ATTEMPTS):
        aftercare.record_follow_up(ui_services, adv, calls["粤B67890"], aftercare.FollowUpResult(reached=False))
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_queue(pilot)
        assert len(rows(app, "escalated")) == 1 and "李娜" in rows(app, "escalated")[0]
        await pilot.press("tab", "c")
        await settle(pilot, lambda: screen_name(app) == "CloseCallDialog")
        await type_text(pilot, "空号")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and rows(app, "escalated") == [])
        closed = follow_up(ui_services, calls["粤B67890"])
        assert (closed.status, closed.comments) == (FollowUpStatus.DONE, "空号")


async def test_an_advisor_cannot_close(app_for, calls):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot)
        assert screen.check_action("close", ()) is False and screen.check_action("record", ()) is True


async def test_the_dialog_opens_from_a_desk_home_row(app_for, ui_services, ui_actors, calls):
    """What the desk home does on Enter in its follow-ups list: the same dialog, from its own row."""
    from frontdesk.screens.follow_up_call import RecordCallDialog, report_outcome
    from frontdesk.services import desk_home as desk

    rows_ = desk.desk_home(ui_services, ui_actors[Role.ADVISOR]).follow_ups  # today's: both calls
    row = next(r for r in rows_ if r.plate == "粤C24680")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        under = app.screen
        app.push_screen(RecordCallDialog.for_row(row), lambda outcome: report_outcome(under, outcome))
        await settle(pilot, lambda: screen_name(app) == "RecordCallDialog")
        await pilot.press("r", *"55555", "f6")
        await settle(pilot, lambda: app.screen is under)
        assert follow_up(ui_services, row.id).status == FollowUpStatus.DONE
        assert any("Thank you" in n for n in notes(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_follow_ups_snapshot(snap_compare, app_for, calls, size):
    app = app_for(Role.ADVISOR)

    async def queue_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_queue(pilot)

    assert snap_compare(app, terminal_size=size, run_before=queue_on_screen)


def test_record_dialog_snapshot(snap_compare, app_for, calls):
    app = app_for(Role.ADVISOR)

    async def dialog_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot.app) == "RecordCallDialog")
        await pilot.press("r", "5", "4")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=dialog_on_screen)
