"""Service reminders by keys: the window moves with +/-, a missed call keeps the car, a reached one drops it.

The fixture's 粤B67890 (李娜, sold 2025-03-01) left on 2026-11-20 at 15 230 km; its next
service is due on 2027-05-19 or at 22 730 km. On 2027-05-01 that is 18 days ahead; with one
reading, the pace is 15 230 km over the 629 days since the sale: about 19 152 km today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from frontdesk.model import ReminderCall
from frontdesk.model.enums import Role
from frontdesk.screens.reminders import RemindersScreen

from .desk_helpers import notes, rows, screen_name, type_text
from .test_estimate import settle

TODAY = dt.datetime(2027, 5, 1, 9, 0)


@pytest.fixture
def due(ui_services, desk_data) -> int:
    ui_services.clock.now = TODAY
    return desk_data.vehicle_ids["粤B67890"]


async def open_list(pilot) -> RemindersScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = RemindersScreen()
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and screen._list is not None)
    return screen


def calls(services) -> list[ReminderCall]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(ReminderCall).order_by(ReminderCall.id)))


async def test_window_keys_and_recording_calls(app_for, ui_services, due):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot)
        (row,) = rows(app, "reminders")
        assert "粤B67890" in row and "in 18 d" in row and "13912345678" in row
        # at 80 columns the row keeps why the car is due; its estimated reading is the detail's (issue 17)
        detail = str(screen.query_one("#rm-detail").render())
        assert "Call 李娜 13912345678" in detail and "about 19,152 km today" in detail

        await pilot.press("minus", "minus", "minus")  # 30 -> 9 days: not yet
        await settle(pilot, lambda: screen._list is not None and screen._list.days == 9)
        assert rows(app, "reminders") == []
        await pilot.press("right_square_bracket")  # 1 500 km: still 3 578 to go
        await settle(pilot, lambda: screen._list.km == 1500)
        assert rows(app, "reminders") == []
        await pilot.press("plus", "plus")  # 23 days
        await settle(pilot, lambda: screen._list.days == 23 and len(rows(app, "reminders")) == 1)

        # No answer: 5, F6. The car stays, with the result.
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(app) == "ReminderCallDialog")
        await pilot.press("5", "f6")
        # the last call's result: the detail's at 80 columns (the row's last column drops first)
        await settle(pilot, lambda: app.screen is screen and "No answer" in str(screen.query_one("#rm-detail").render()))
        assert [(c.vehicle_id, c.reached, c.result) for c in calls(ui_services)] == [(due, False, "no_answer")]
        assert any("stays on the list" in n for n in notes(app))

        # Reached, booking: 1, Enter to the notes, type, Enter records. The car leaves the list.
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(app) == "ReminderCallDialog")
        await pilot.press("1", "enter")
        await type_text(pilot, "周六上午来")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and rows(app, "reminders") == [])
        last = calls(ui_services)[-1]
        assert (last.reached, last.result, last.notes, last.caller_id) == (True, "booked", "周六上午来", app.actor.user_id)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_reminders_snapshot(snap_compare, app_for, due, size):
    app = app_for(Role.ADVISOR)

    async def list_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_list(pilot)

    assert snap_compare(app, terminal_size=size, run_before=list_on_screen)


def test_reminder_dialog_snapshot(snap_compare, app_for, due):
    app = app_for(Role.ADVISOR)

    async def dialog_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_list(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: screen_name(pilot.app) == "ReminderCallDialog")

    assert snap_compare(app, terminal_size=(80, 24), run_before=dialog_on_screen)
