"""Issue 20, item 2 at 80x24: the day view shows the load per band, a booking over capacity is refused and
the lead lets it in with their password, and the reminder queue the day before records an outcome by key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from frontdesk.model import Appointment, AuditEvent
from frontdesk.model.enums import Role
from frontdesk.model.order import ReminderOutcome
from frontdesk.services import checkin

from ..conftest import PASSWORD
from .desk_helpers import notes, rows, screen_name, settle, type_text

TODAY = dt.date(2026, 11, 24)
TOMORROW = dt.date(2026, 11, 25)


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector).render())


async def open_from_desk(pilot, key: str, screen: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("tab", key)  # into a list (in the search box the letter is typed), then the key
    await settle(pilot)
    assert screen_name(pilot.app) == screen


async def test_a_booking_over_capacity_is_refused_and_the_lead_lets_it_in(app_for, desk_data, ui_services, ui_actors):
    adv = ui_actors[Role.ADVISOR]
    # 欧阳建国 is booked at 14:00 already (the fixture); a second car fills the advisor's 14:00 band (2 slots)
    checkin.book_appointment(ui_services, adv, desk_data.vehicle_ids["粤B67890"], dt.datetime(2026, 11, 24, 14, 20),
                             "空调不凉")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_from_desk(pilot, "a", "AppointmentsScreen")
        await type_text(pilot, "8000")  # 张伟's phone
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "粤A12345" in text_of(app, "#vehicle-chosen")
        await pilot.press("tab", *["backspace"] * 5, *"1410")
        await settle(pilot)
        # the day view: the chosen band's load, FULL for this advisor, and the bands' digits
        summary = text_of(app, "#day-summary")
        assert "14:00–14:30 2/2 booked" in summary and "FULL" in summary
        strip = text_of(app, "#day-load").splitlines()
        assert strip[0].split()[:2] == ["09", "11"]  # 08:30-17:30: the hours every other one at 80 columns
        assert strip[1][11] == "2"  # the 14:00 band (the 12th from 08:30) holds two
        assert strip[2] == "Mech 1/64 Body 0/24 Elec 1/16h"  # 空调不凉 is electrical work
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(app) == "LeadOverrideDialog"
        summary = text_of(app, "#mgr-summary")
        assert "The 14:00–14:30 band is full" in summary and "Nearest free band: 14:30." in summary
        await type_text(pilot, "supervisor")
        await pilot.press("enter")
        await type_text(pilot, "wrong-pass")
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "LeadOverrideDialog"  # a wrong password: said, the dialog stays
        assert "Not approved" in text_of(app, "#password-error")
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "AppointmentsScreen"
        assert "Booked: 粤A12345 on 2026-11-24 at 14:10." in notes(app)
        assert [r.split()[:2] for r in rows(app, "day-table")] == [
            ["14:00", "粤C24680"], ["14:10", "粤A12345"], ["14:20", "粤B67890"]]
    with ui_services.db.reader() as s:
        appt = s.scalars(select(Appointment).where(Appointment.vehicle_id == desk_data.vehicle_ids["粤A12345"])).one()
        assert appt.override_by_id == ui_actors[Role.SUPERVISOR].user_id
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "appointment",
                                                   AuditEvent.entity_id == appt.id)).one()
        assert event.after["capacity_override"]["name"] == ui_actors[Role.SUPERVISOR].display_name


async def test_the_lead_may_be_left_out_and_the_booking_stays_refused(app_for, desk_data, ui_services, ui_actors):
    adv = ui_actors[Role.ADVISOR]
    checkin.book_appointment(ui_services, adv, desk_data.vehicle_ids["粤B67890"], dt.datetime(2026, 11, 24, 14, 20),
                             "空调不凉")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_from_desk(pilot, "a", "AppointmentsScreen")
        await type_text(pilot, "8000")
        await settle(pilot)
        await pilot.press("enter", "tab", *["backspace"] * 5, *"1400", "f6")
        await settle(pilot)
        assert screen_name(app) == "LeadOverrideDialog"
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "AppointmentsScreen"
        assert "band is full" in text_of(app, "#scheduled_at-error")
    with ui_services.db.reader() as s:
        assert s.scalar(select(Appointment.id).where(
            Appointment.vehicle_id == desk_data.vehicle_ids["粤A12345"])) is None


async def test_the_reminder_queue_records_no_answer_then_confirmed(app_for, desk_data, ui_services, ui_actors):
    adv = ui_actors[Role.ADVISOR]
    appt = checkin.book_appointment(ui_services, adv, desk_data.vehicle_ids["粤B67890"],
                                    dt.datetime(2026, 11, 25, 9, 30), "空调不凉")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_from_desk(pilot, "r", "AppointmentCallsScreen")
        assert [r.split()[:2] for r in rows(app, "to-call")] == [["09:30", "粤B67890"]]
        assert "To call about 2026-11-25 Wed (1)" in app.screen.query_one("#to-call").border_title
        assert "Call 李娜 13912345678" in text_of(app, "#ac-detail")
        await pilot.press("n")
        await settle(pilot)
        assert any("stays in the list" in n for n in notes(app))
        assert [r.split()[:2] for r in rows(app, "to-call")] == [["09:30", "粤B67890"]]
        assert "Tried 1 times" in text_of(app, "#ac-detail")
        await pilot.press("c")
        await settle(pilot)
        assert rows(app, "to-call") == []
        assert [r.split()[:2] for r in rows(app, "called")] == [["09:30", "粤B67890"]]
    with ui_services.db.reader() as s:
        row = s.get(Appointment, appt.id)
        assert (row.reminder_outcome, row.reminder_tries, row.reminder_by_id) == (
            ReminderOutcome.CONFIRMED, 2, adv.user_id)


async def test_the_reminder_call_moves_an_appointment_with_the_move_dialog(app_for, desk_data, ui_services, ui_actors):
    adv = ui_actors[Role.ADVISOR]
    appt = checkin.book_appointment(ui_services, adv, desk_data.vehicle_ids["粤B67890"],
                                    dt.datetime(2026, 11, 25, 9, 30), "空调不凉")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_from_desk(pilot, "r", "AppointmentCallsScreen")
        await pilot.press("m")
        await settle(pilot)
        assert screen_name(app) == "MoveDialog"
        await pilot.press("+", "+", "enter")  # an hour later
        await settle(pilot)
        assert screen_name(app) == "AppointmentCallsScreen"
        assert any("Moved: 粤B67890 to 11-25 10:30." in n for n in notes(app))
    with ui_services.db.reader() as s:
        row = s.get(Appointment, appt.id)
        assert (row.scheduled_at, row.reminder_outcome) == (dt.datetime(2026, 11, 25, 10, 30), ReminderOutcome.MOVED)


def test_a_reminder_call_names_a_plateless_car_by_its_model_and_the_booking_as_such():
    """A first-time caller's car has no plate: the message once read "No answer:  stays ... (12-08 09:30)",
    no car, and a time that read as when to call again."""
    from types import SimpleNamespace

    from frontdesk.screens.appointment_calls import AppointmentCallsScreen
    from frontdesk.services.capacity import ReminderItem

    said: list[str] = []
    screen = SimpleNamespace(notify=said.append, action_refresh=lambda: None)
    item = ReminderItem(
        id=1, version=1, scheduled_at=dt.datetime(2026, 12, 8, 9, 30), vehicle_id=1, plate="", model="丰田 卡罗拉",
        customer_name="王建国", phone="13912345678", requested_work="", advisor="王芳", tries=1, last_outcome=None,
        last_at=None, campaign=False)
    AppointmentCallsScreen._recorded(screen, item, ReminderOutcome.NO_ANSWER.value)  # type: ignore[arg-type]
    assert said == ["No answer: 丰田 卡罗拉 (booked 12-08 09:30) stays in the list to be tried again."]
