"""Booking by phone: find the car, pick the day with its load in view; move, cancel, check in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from textual.widgets import Input

from frontdesk.i18n import set_language
from frontdesk.model import Appointment
from frontdesk.model.enums import AppointmentStatus, Role
from frontdesk.screens.appointments import default_slot, parse_day, parse_time, step_day, step_time
from frontdesk.services import checkin
from frontdesk.services.desk import day_load

from .desk_helpers import install, notes, rows, screen_name, settle, type_text

TODAY = dt.date(2026, 11, 24)
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def opened(monkeypatch):
    install(monkeypatch)


async def open_appointments(pilot) -> None:
    """From the desk home, by keys: into a list (in the search box "a" is typed), then a."""
    await settle(pilot)
    await pilot.press("tab", "a")
    await settle(pilot)
    assert screen_name(pilot.app) == "AppointmentsScreen"


async def to_day_list(pilot) -> None:
    """Tab through the form to the day's list."""
    for _ in range(8):
        if pilot.app.focused is not None and pilot.app.focused.id == "day-table":
            return
        await pilot.press("tab")
    assert pilot.app.focused.id == "day-table"


def value(app, field: str) -> str:
    return app.screen.query_one(f"#{field}", Input).value


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


# Typed days and times -----------------------------------------------------------------------


@pytest.mark.parametrize("typed,day", [
    ("2026-11-25", dt.date(2026, 11, 25)), ("2026/12/1", dt.date(2026, 12, 1)), ("20261125", dt.date(2026, 11, 25)),
    ("11-30", dt.date(2026, 11, 30)), ("1/5", dt.date(2027, 1, 5)),  # January is next year's
    ("2026-11", None), ("2026-02-30", None), ("", None),
])
def test_parse_day(typed, day):
    assert parse_day(typed, TODAY) == day


@pytest.mark.parametrize("typed,t", [
    ("14:30", dt.time(14, 30)), ("9.05", dt.time(9, 5)), ("1430", dt.time(14, 30)), ("930", dt.time(9, 30)),
    ("9", dt.time(9, 0)), ("14：30", dt.time(14, 30)), ("25:00", None), ("14:3", None), ("", None),
])
def test_parse_time(typed, t):
    assert parse_time(typed) == t


def test_steps():
    assert step_day("2026-11-30", 1, TODAY) == "2026-12-01"
    assert step_day("2026-11", 1, TODAY) is None  # still being typed: "-" is a separator then
    assert step_time("10:00", 1) == "10:30"
    assert step_time("10:10", 1) == "10:30" and step_time("10:10", -1) == "10:00"
    assert step_time("00:00", -1) == "00:00" and step_time("23:30", 1) == "23:30"
    assert default_slot(dt.datetime(2026, 11, 24, 9, 0)) == dt.datetime(2026, 11, 24, 10, 0)
    assert default_slot(dt.datetime(2026, 11, 24, 17, 20)) == dt.datetime(2026, 11, 25, 9, 0)


# The screen ---------------------------------------------------------------------------------


async def test_book_an_appointment_by_keys(app_for, desk_data, ui_services, ui_actors):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        assert app.focused.id == "vehicle"
        assert value(app, "day") == "2026-11-24" and value(app, "scheduled_at") == "10:00"
        assert "1 booked this day" in text_of(app, "#day-summary")  # 欧阳建国 at 14:00
        await type_text(pilot, "9999")  # the phone's last four
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "粤C24680" in text_of(app, "#vehicle-chosen")
        assert app.focused.id == "day"
        await pilot.press("+")  # tomorrow
        await settle(pilot)
        assert value(app, "day") == "2026-11-25"
        assert "2026-11-25 Wed (tomorrow)" in text_of(app, "#day-title")
        assert "0 booked this day" in text_of(app, "#day-summary")
        await pilot.press("tab", *"1030", "tab")
        await type_text(pilot, "oil change")
        await pilot.press("f6")
        await settle(pilot)
        (booked,) = day_load(ui_services, ui_actors[Role.ADVISOR], TOMORROW)
        assert booked.scheduled_at == dt.datetime(2026, 11, 25, 10, 30)
        assert booked.vehicle_id == desk_data.vehicle_ids["粤C24680"]
        assert booked.requested_work == "oil change"
        assert booked.advisor == ui_actors[Role.ADVISOR].display_name  # the current user by default
        assert [r.split()[:2] for r in rows(app, "day-table")] == [["10:30", "粤C24680"]]
        assert "Booked: 粤C24680 on 2026-11-25 at 10:30." in notes(app)
        assert "No car chosen yet." in text_of(app, "#vehicle-chosen")
        assert app.focused.id == "vehicle"  # ready for the next call


async def test_the_day_moves_with_plus_and_minus_and_the_list_follows(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_appointments(pilot)
        assert [r.split()[:2] for r in rows(app, "day-table")] == [["14:00", "粤C24680"]]
        await to_day_list(pilot)
        await pilot.press("+")  # from the list too
        await settle(pilot)
        assert value(app, "day") == "2026-11-25" and rows(app, "day-table") == []
        await pilot.press("-", "-")
        await settle(pilot)
        assert value(app, "day") == "2026-11-23"
        await pilot.press("f3")
        assert app.focused.id == "vehicle"


async def test_nothing_is_booked_without_a_car_or_with_a_bad_time(app_for, desk_data, ui_services, ui_actors):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert "Find and pick the car first." in text_of(app, "#vehicle-error")
        await type_text(pilot, "李娜")
        await settle(pilot)
        await pilot.press("enter", "tab", *"2561", "f6")
        await settle(pilot)
        assert "Enter the time as 14:30." in text_of(app, "#scheduled_at-error")
        assert app.focused.id == "scheduled_at"
        # Today 08:00 has passed: the service says so beside the time.
        await pilot.press(*["backspace"] * 4, *"0800", "f6")
        await settle(pilot)
        assert "An appointment cannot be in the past." in text_of(app, "#scheduled_at-error")
        assert len(day_load(ui_services, ui_actors[Role.ADVISOR], TODAY)) == 1  # only the fixture's


async def test_move_an_appointment(app_for, desk_data, ui_services, ui_actors):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        await to_day_list(pilot)
        await pilot.press("f4")
        assert app.focused.id == "scheduled_at" and value(app, "scheduled_at") == "14:00"
        assert "Moving 粤C24680" in text_of(app, "#appt-mode")
        await pilot.press("+", "+", "+")  # half an hour each: 15:30
        assert value(app, "scheduled_at") == "15:30"
        await pilot.press("enter")  # Enter on the time saves the move
        await settle(pilot)
        (moved,) = day_load(ui_services, ui_actors[Role.ADVISOR], TODAY)
        assert moved.id == desk_data.appointment_id and moved.scheduled_at == dt.datetime(2026, 11, 24, 15, 30)
        assert "New appointment" in text_of(app, "#appt-mode")
        # To another day: F4, + on the day, F6.
        await to_day_list(pilot)
        await pilot.press("f4", "shift+tab", "+", "f6")
        await settle(pilot)
        assert day_load(ui_services, ui_actors[Role.ADVISOR], TODAY) == []
        (moved,) = day_load(ui_services, ui_actors[Role.ADVISOR], TOMORROW)
        assert moved.scheduled_at == dt.datetime(2026, 11, 25, 15, 30)


async def test_a_move_against_a_stale_version_is_refused_and_reloaded(app_for, desk_data, ui_services, ui_actors):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        await to_day_list(pilot)
        await pilot.press("f4")
        # Another terminal moves it first.
        checkin.move_appointment(ui_services, ui_actors[Role.MANAGER], desk_data.appointment_id,
                                 dt.datetime(2026, 11, 24, 16, 0))
        await pilot.press("+", "f6")
        await settle(pilot)
        (row,) = day_load(ui_services, ui_actors[Role.ADVISOR], TODAY)
        assert row.scheduled_at == dt.datetime(2026, 11, 24, 16, 0)  # theirs stands
        assert "New appointment" in text_of(app, "#appt-mode")
        assert [r.split()[0] for r in rows(app, "day-table")] == ["16:00"]  # reloaded


async def test_cancel_and_no_show_need_the_key_twice(app_for, desk_data, ui_services, ui_actors):
    adv = ui_actors[Role.ADVISOR]
    second = checkin.book_appointment(ui_services, adv, desk_data.vehicle_ids["粤B67890"],
                                      dt.datetime(2026, 11, 24, 16, 0), "空调不凉").id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        await to_day_list(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert len(day_load(ui_services, adv, TODAY)) == 2  # armed only
        await pilot.press("x")
        await settle(pilot)
        assert [r.id for r in day_load(ui_services, adv, TODAY)] == [second]
        await pilot.press("n", "n")
        await settle(pilot)
        assert day_load(ui_services, adv, TODAY) == []
        assert rows(app, "day-table") == []
    with ui_services.db.reader() as s:
        status = dict(s.execute(select(Appointment.id, Appointment.status)).all())
    assert status == {desk_data.appointment_id: AppointmentStatus.CANCELLED, second: AppointmentStatus.NO_SHOW}


@pytest.mark.parametrize("key", ["enter", "f2"])
async def test_an_arriving_appointment_is_checked_in_with_one_key(app_for, desk_data, opened, key):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        await to_day_list(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        assert app.screen.args == {"vehicle_id": desk_data.vehicle_ids["粤C24680"],
                                   "appointment_id": desk_data.appointment_id}


async def test_esc_goes_back_to_the_desk(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_appointments(pilot)
        await type_text(pilot, "粤")
        await settle(pilot)
        await pilot.press("escape")  # first the search box is emptied
        assert screen_name(app) == "AppointmentsScreen" and value(app, "vehicle") == ""
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "DeskHomeScreen"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_appointments_snapshot(snap_compare, app_for, desk_data, lang):
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def opened_by_keys(pilot):
        await open_appointments(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=opened_by_keys)
