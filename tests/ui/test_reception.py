"""Issue 20, item 1 at 80×24: a receptionist's morning — arrivals registered by keys, an appointment
matched by itself, the rotation passing over an advisor busy with a customer, and the advisor's
one-key take-next opening the check-in pre-filled with the car and the roof number."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Static

from frontdesk.model.enums import ArrivalPurpose, Role, Timeliness
from frontdesk.services import auth, reception
from frontdesk.services.reception import ArrivalInput

from ..conftest import PASSWORD
from .reception import screen_name, settle

SIZE = (80, 24)


async def test_a_receptionists_morning_and_the_advisors_take_next(app_for, ui_services, ui_actors, desk_data):
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    admin = auth.login(svc, Role.ADMIN.value, PASSWORD)
    auth.add_user(svc, admin, "advisor2", "陈静", Role.ADVISOR, PASSWORD)
    adv2 = auth.login(svc, "advisor2", PASSWORD)  # on duty: signed in today
    svc.clock.now = dt.datetime(2026, 11, 24, 13, 30)  # type: ignore[attr-defined]
    # 陈静 is with a customer: the lead gave her one, she took it and has not checked the car in yet.
    first = reception.register_arrival(svc, ui_actors[Role.RECEPTIONIST], ArrivalInput(plate="粤A00001"))
    assert first.advisor_id == adv.user_id  # the rotation starts with the first advisor
    reception.assign(svc, ui_actors[Role.SUPERVISOR], first.id, adv2.user_id)
    reception.take_next(svc, adv2)
    svc.clock.now = dt.datetime(2026, 11, 24, 13, 50)  # type: ignore[attr-defined]

    app = app_for(Role.RECEPTIONIST)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "ReceptionScreen")  # the receptionist's home
        # The booked car, found by part of its plate; roof number 7, key tag K7.
        await pilot.press(*"24680")
        await settle(pilot, lambda: bool(pilot.app.screen.query_one("#plate-results").row_count))
        await pilot.press("enter", "7", "tab", "K", "7", "enter")
        await settle(pilot, lambda: len(reception.queue(svc, adv)) == 1)
        # A walk-in typed in full: F2 registers it.
        await pilot.press(*"粤a11111", "f2")
        await settle(pilot, lambda: len(reception.queue(svc, adv)) == 2)
        # The same plate again is refused in one line.
        await pilot.press(*"粤A11111", "f2")
        await settle(pilot)
        hint = str(pilot.app.screen.query_one("#rc-hint", Static).render())
        assert "粤A11111 is already waiting" in hint
        await settle(pilot, lambda: pilot.app.screen.query_one("#queue").row_count == 2)
    booked, walk_in = reception.queue(svc, adv)
    assert (booked.plate, booked.roof_number, booked.key_tag, booked.purpose) == ("粤C24680", "7", "K7",
                                                                                  ArrivalPurpose.APPOINTMENT)
    assert (booked.appointment_id, booked.timeliness, booked.timeliness_minutes) == (
        desk_data.appointment_id, Timeliness.ON_TIME, -10)  # 13:50 for 14:00
    assert booked.advisor_id == adv.user_id  # the appointment's advisor
    assert (walk_in.plate, walk_in.purpose, walk_in.roof_number) == ("粤A11111", ArrivalPurpose.WALK_IN, "1")
    assert walk_in.advisor_id == adv.user_id  # 陈静 is next in the rotation, but busy: passed over

    # The advisor, on the desk home, takes the next customer with N: the check-in opens pre-filled.
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        await settle(pilot, lambda: "At reception 2, for you 2" in str(
            pilot.app.screen.query_one("#tab-appointments").label))  # the desk home says who waits
        await pilot.press("tab")  # from the search box to the lists
        await pilot.press("n")
        await settle(pilot, lambda: screen_name(pilot) == "CheckInScreen")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.query_one("#plate", Input).value == "粤C24680"
        note = screen.query_one("#checkin-note", Static)
        assert "7" in str(note.render())
        # the cursor is on the odometer, far down the form: the roof number stays in sight above it at 80x24
        assert screen.focused is screen.query_one("#odometer_km") and note.parent is screen
        assert note.region.height and screen.region.contains_region(note.region)
    assert [r.plate for r in reception.queue(svc, adv)] == ["粤A11111"]


async def test_the_wall_board_shows_the_reception_strip_plates_only(ui_services, ui_actors, desk_data):
    from textual.widgets import Static

    from frontdesk.board_app import BoardApp

    from .test_board import polled

    svc = ui_services
    reception.register_arrival(svc, ui_actors[Role.RECEPTIONIST], ArrivalInput(plate="粤C24680"))
    svc.clock.now += dt.timedelta(minutes=4)  # type: ignore[attr-defined]
    reception.register_arrival(svc, ui_actors[Role.RECEPTIONIST], ArrivalInput(plate="粤A11111"))
    svc.clock.now += dt.timedelta(minutes=8)  # type: ignore[attr-defined]
    app = BoardApp(svc)
    async with app.run_test(size=SIZE) as pilot:
        await polled(app)
        await pilot.pause()
        strip = app.screen.query_one("#board-reception", Static)
        text = str(strip.render())
        assert strip.display and "Reception: 2 waiting" in text and "longest 12 min (粤C24680)" in text
        assert "欧阳建国" not in app.export_screenshot()  # the booked car's owner: no names on the board


async def test_the_desk_lead_gives_a_customer_to_another_advisor_and_one_leaves(app_for, ui_services, ui_actors,
                                                                                desk_data):
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    admin = auth.login(svc, Role.ADMIN.value, PASSWORD)
    auth.add_user(svc, admin, "advisor2", "陈静", Role.ADVISOR, PASSWORD)
    auth.login(svc, "advisor2", PASSWORD)  # on duty: the rotation gives 陈静 the first car
    desk = ui_actors[Role.RECEPTIONIST]
    reception.register_arrival(svc, desk, ArrivalInput(plate="粤A11111"))
    reception.register_arrival(svc, desk, ArrivalInput(plate="粤A22222"))
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("reception")
        await settle(pilot, lambda: pilot.app.screen.query_one("#queue").row_count == 2)
        pilot.app.screen.query_one("#queue").focus()
        await pilot.press("a")  # 粤A11111 (the rotation gave it to 陈静, signed in last) → the first advisor
        await settle(pilot, lambda: screen_name(pilot) == "AdvisorPicker")
        picker = pilot.app.screen.query_one("#advisor-pick")  # the highlight starts on 陈静, marked •, not the first
        assert picker.highlighted == 1 and str(picker.get_option_at_index(1).prompt).startswith("• 陈静")
        await pilot.press("up", "enter")
        await settle(pilot, lambda: reception.queue(svc, adv)[0].advisor_id == adv.user_id)
        await settle(pilot, lambda: screen_name(pilot) == "ReceptionScreen")
        await pilot.press("down", "l")  # 粤A22222 left: asked first
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot, lambda: len(reception.queue(svc, adv)) == 1)
    [row] = reception.queue(svc, adv)
    assert (row.plate, row.advisor) == ("粤A11111", "Advisor Test")


def test_an_early_arrival_reads_early_by_so_many_minutes_in_either_language():
    """The registered line and the queue's detail once said "提前（-92 分钟）" and "(early, -92 min)"."""
    from frontdesk.i18n import set_language
    from frontdesk.screens.reception import timeliness_text

    assert timeliness_text(Timeliness.EARLY, -92) == "early 92 min"
    assert timeliness_text(Timeliness.LATE, 20) == "late 20 min"
    assert timeliness_text(Timeliness.ON_TIME, -10) == "on time"
    set_language("zh_CN")
    assert timeliness_text(Timeliness.EARLY, -92) == "提前 92 分钟"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_register_line_and_the_appointment_column_fit_80_columns(lang):
    """At 80 columns the plate's hint read "车牌（输入一部分即可查找车辆" / "Plate (or part: the search"
    and the appointment column "15:00 on ti"."""
    from rich.cells import cell_len

    from frontdesk.i18n import gettext, set_language
    from frontdesk.labels import TIMELINESS, label
    from frontdesk.screens import reception as screen

    set_language(lang)
    assert cell_len(gettext(screen.PLATE_HINT)) <= 28
    assert max(cell_len(f"15:00 {label(TIMELINESS, t)}") for t in TIMELINESS) <= screen.APPOINTMENT_WIDTH


async def test_esc_on_the_receptionists_home_stays_and_on_a_leads_reception_goes_back(app_for):
    """Esc on the receptionist's home popped it: a blank terminal, nothing but Ctrl+Q left."""
    app = app_for(Role.RECEPTIONIST)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "ReceptionScreen")
        pilot.app.screen.query_one("#queue").focus()
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(pilot) == "ReceptionScreen"
    app = app_for(Role.SUPERVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = screen_name(pilot)
        app.open_destination("reception")
        await settle(pilot, lambda: screen_name(pilot) == "ReceptionScreen")
        pilot.app.screen.query_one("#queue").focus()
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(pilot) == home)


async def test_a_customer_taken_with_n_and_the_checkin_discarded_waits_again(app_for, ui_services, ui_actors,
                                                                             desk_data):
    """New-user trial: N took the customer, Esc and Y discarded the check-in; the customer was lost."""
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    svc.clock.now = dt.datetime(2026, 11, 24, 13, 30)  # type: ignore[attr-defined]
    reception.register_arrival(svc, ui_actors[Role.RECEPTIONIST], ArrivalInput(plate="粤A11111"))
    svc.clock.now = dt.datetime(2026, 11, 24, 13, 31)  # type: ignore[attr-defined]
    reception.register_arrival(svc, ui_actors[Role.RECEPTIONIST], ArrivalInput(plate="粤A22222"))
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        await pilot.press("tab", "n")
        await settle(pilot, lambda: screen_name(pilot) == "CheckInScreen")
        await settle(pilot)
        assert [r.plate for r in reception.queue(svc, adv)] == ["粤A22222"]
        await pilot.press(*"LFV2A21K2C12")  # something typed: Esc asks before discarding it
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot, lambda: screen_name(pilot) == "DeskHomeScreen")
        await settle(pilot, lambda: len(reception.queue(svc, adv)) == 2)
    assert [r.plate for r in reception.queue(svc, adv)] == ["粤A11111", "粤A22222"]  # back in its own place


def test_the_advisor_pickers_line_is_one_translatable_sentence(monkeypatch):
    """zh showed "(空闲, 1 位等候)": the brackets and comma were outside the translation."""
    from frontdesk.screens import reception as screen

    zh = {"{name}  ({state}, {waiting})": "{name}（{state}，{waiting}）", "free": "空闲", "{n} waiting": "{n} 位等候"}
    monkeypatch.setattr(screen, "_", lambda msgid: zh.get(msgid, msgid))
    picker = screen.AdvisorPicker("粤A11111", (), 7)
    assert picker._line(reception.AdvisorOnDuty(7, "陈静", False, 1)) == "• 陈静（空闲，1 位等候）"


async def test_the_receptionists_footer_has_no_next_customer_key(app_for):
    """Only advisors take customers: the receptionist's footer showed N "Next customer" all the same."""
    for role, shown in ((Role.RECEPTIONIST, False), (Role.SUPERVISOR, True)):
        app = app_for(role)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            if role != Role.RECEPTIONIST:
                app.open_destination("reception")
            await settle(pilot, lambda: screen_name(pilot) == "ReceptionScreen")
            assert (pilot.app.screen.check_action("take_next", ()) is not False) is shown, role  # False: hidden
