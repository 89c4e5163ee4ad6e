"""Issue 18's handoffs, items 1, 6, 7 and 11, as journeys at 80x24: a first-time caller booked and
checked in, the pickup time agreed with the customer on the desk and the board, follow-up calls of
the coming days found, and the desk home following another terminal within two seconds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from textual.widgets import Input, TextArea

from frontdesk.model import Appointment, Customer, RepairOrder, Vehicle
from frontdesk.model.enums import AppointmentStatus, Role
from frontdesk.services import search as search_service

from .desk_helpers import notes, rows, screen_name, settle, type_text

SIZE = (80, 24)


def _e_value(app, field: str) -> str:
    return app.screen.query_one(f"#{field}", Input).value


# Item 1: a new caller can be booked ----------------------------------------------------------------


async def test_item1_a_first_time_caller_is_booked_by_phone_and_checked_in_from_the_appointment(
        app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "a")
        await settle(pilot)
        assert screen_name(app) == "AppointmentsScreen"
        await type_text(pilot, "王建国")  # not on file: the search finds nothing
        await settle(pilot)
        assert app.screen.query_one("#vehicle-box").query_one("#vehicle-results").row_count == 0
        await pilot.press("f7")  # a new caller: what was searched for is the caller's name
        await settle(pilot)
        assert _e_value(app, "name") == "王建国"
        assert app.focused.id == "phone"
        await pilot.press(*"13912345678", "enter", "enter", *"卡罗拉", "enter")  # no plate known yet
        assert app.focused.id == "day"
        await pilot.press("plus", "enter", "minus")  # tomorrow; 10:00 -> 09:30
        assert (_e_value(app, "day"), _e_value(app, "scheduled_at")) == ("2026-11-25", "09:30")
        await pilot.press("enter", *"常规保养", "f6")
        await settle(pilot)
        assert "Booked: 王建国 on 2026-11-25 at 09:30." in notes(app)
        assert "卡罗拉" in rows(app, "day-table")[0] and "王建国" in rows(app, "day-table")[0]

    # The customer and a booked car (no VIN yet) are on file, found by search like any other.
    [hit] = search_service.search(ui_services, "王建国")
    assert (hit.plate, hit.vin, hit.model, hit.phone) == ("", "", "卡罗拉", "13912345678")
    with ui_services.db.reader() as s:
        appt = s.scalars(select(Appointment).where(Appointment.vehicle_id == hit.vehicle_id)).one()
        assert (appt.scheduled_at, appt.requested_work) == (dt.datetime(2026, 11, 25, 9, 30), "常规保养")

    # The next morning the car arrives: checking the appointment in opens the check-in form filled in.
    ui_services.clock.now = dt.datetime(2026, 11, 25, 9, 20)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("王建国" in r for r in rows(app, "appointments-table"))
        await pilot.press("tab", "enter")  # Enter on the appointment
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        assert (_e_value(app, "name"), _e_value(app, "phone"), _e_value(app, "model")) == (
            "王建国", "13912345678", "卡罗拉")
        assert app.screen.query_one("#concerns", TextArea).text == "常规保养"
        assert app.focused.id == "plate"  # the advisor completes the car off the car itself
        # Enter walks the fields a work order needs: plate, VIN, make, model (booked), name, mobile, odometer
        await pilot.press(*"粤A88888", "enter", *"LSGPC52U1AF123456", "enter")
        await settle(pilot)  # the VIN decoded: the make it fills is selected, typed over
        await pilot.press(*"丰田", "enter", "enter", "enter", "enter", *"12000", "enter", "5", "f6")
        await settle(pilot, 0.5)
        assert screen_name(app) == "WalkaroundScreen"

    with ui_services.db.reader() as s:
        vehicle = s.get(Vehicle, hit.vehicle_id)
        assert (vehicle.plate, vehicle.vin, vehicle.make, vehicle.model) == (
            "粤A88888", "LSGPC52U1AF123456", "丰田", "卡罗拉")
        order = s.scalars(select(RepairOrder).where(RepairOrder.vehicle_id == vehicle.id)).one()
        assert (order.concerns, order.odometer_km, order.appointment_id) == ("常规保养", 12000, appt.id)
        assert s.get(Appointment, appt.id).status == AppointmentStatus.ARRIVED
        assert len(s.scalars(select(Customer).where(Customer.name == "王建国")).all()) == 1


# Item 6: the agreed pickup time ------------------------------------------------------------------------


async def test_item6_the_pickup_time_agreed_with_the_customer_shows_on_the_ready_list_and_the_board(
        app_for, ui_services, ui_actors, desk_data):
    from frontdesk.board_app import BoardApp

    from ..factories import order_through

    order = order_through(ui_services, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤C24680"], stop="ready")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "right", "right")  # the ready list
        assert app.focused.id == "ready-table"
        [row] = rows(app, "ready-table")
        assert "粤C24680" in row and "16:30" not in row
        await pilot.press("t")  # the customer on the phone: "half past four"
        await settle(pilot)
        assert app.focused.id == "pickup_at"
        await pilot.press("end", "ctrl+u", *"16:30", "enter")
        await settle(pilot)
        assert "Pickup time recorded for 粤C24680." in notes(app)
        [row] = rows(app, "ready-table")
        assert "16:30" in row
    with ui_services.db.reader() as s:
        assert s.get(RepairOrder, order.id).pickup_at == dt.datetime(2026, 11, 24, 16, 30)

    board = BoardApp(ui_services)
    async with board.run_test(size=SIZE) as pilot:
        for _ in range(20):
            await pilot.pause(0.1)
            table = board.screen.query_one("#board-table")
            if table.row_count:
                break
        cells = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        [line] = [c for c in cells if "粤C24680" in c]
        assert "16:30" in line and "PICKUP" in line


async def test_item6_a_pickup_time_in_the_past_is_refused_beside_the_field(app_for, ui_services, ui_actors, desk_data):
    from ..factories import order_through

    order_through(ui_services, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤C24680"], stop="ready")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "right", "right", "t")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"08:00", "enter")
        await settle(pilot)
        assert "cannot be in the past" in str(app.screen.query_one("#pickup_at-error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert "08:00" not in rows(app, "ready-table")[0]


# Item 7: follow-ups ahead --------------------------------------------------------------------------------


def _e_closed_with_call_at(svc, actors, shop, vehicle_id: int, call_at: dt.datetime) -> int:
    """An order delivered today whose customer asked to be called back at ``call_at``; paid and gone."""
    from frontdesk.model.enums import PaymentMethod
    from frontdesk.services import settlement

    from ..factories import order_through

    order = order_through(svc, actors, shop, vehicle_id, stop="delivered")
    settled = settlement.prepare_settlement(svc, actors[Role.ADVISOR], order.id, settlement.SettlementInput(
        follow_up_at=call_at, safety_ack_by="张伟"))
    settlement.take_payment(svc, actors[Role.CASHIER], order.id, PaymentMethod.CASH, settled.customer_amount,
                            tendered=settled.customer_amount)
    settlement.issue_gate_pass(svc, actors[Role.CASHIER], order.id)
    return order.id


async def test_item7_a_call_the_customer_asked_for_in_three_days_is_found_on_that_day_and_by_search(
        app_for, ui_services, ui_actors, desk_data):
    from frontdesk.screens.follow_ups import FollowUpsScreen

    order_id = _e_closed_with_call_at(ui_services, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤C24680"],
                                      dt.datetime(2026, 11, 27, 15, 0))
    with ui_services.db.reader() as s:
        number = s.get(RepairOrder, order_id).number
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = FollowUpsScreen()
        app.push_screen(screen)
        await settle(pilot)
        today = rows(app, "calls")
        assert any("粤B67890" in r for r in today) and not any("粤C24680" in r for r in today)
        await pilot.press("right_square_bracket", "right_square_bracket")  # 11-26: nothing of it yet
        await settle(pilot)
        assert not any("粤C24680" in r for r in rows(app, "calls"))
        await pilot.press("right_square_bracket")  # 11-27, three days ahead: the call at the time agreed
        await settle(pilot)
        [row] = rows(app, "calls")
        assert "粤C24680" in row and "11-27 15:00" in row and "★" in row and "欧阳建国" in row
        assert "2026-11-27" in str(screen.table("calls").border_title)
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(pilot)  # back to today, not before it
        assert any("粤B67890" in r for r in rows(app, "calls"))

        # Found by plate, by name and by order number, whatever its day.
        for typed in ("c2468", "欧阳", number[-8:]):
            await pilot.press("f3")
            assert app.focused.id == "fu-find"
            await type_text(pilot, typed)
            await settle(pilot)
            [row] = rows(app, "calls")
            assert "粤C24680" in row and "11-27 15:00" in row, typed
            await pilot.press("escape")  # out of the search: today's list again
            await settle(pilot)
            assert not any("粤C24680" in r for r in rows(app, "calls"))
        assert screen_name(app) == "FollowUpsScreen"


# Item 11: the desk home follows the other terminals within 2 s --------------------------------------


def _e_other_terminal(ui_services):
    """A second terminal on the same database: its own connections, the same store and clock."""
    from frontdesk.db import Database
    from frontdesk.services.context import Services

    return Services(db=Database(ui_services.db.url), settings=ui_services.settings, clock=ui_services.clock)


async def _e_until(pilot, check, seconds: float) -> float:
    """Wait (the app running) until ``check()`` holds; the seconds it took, or fail after ``seconds``."""
    loop_start = dt.datetime.now()
    while not check():
        waited = (dt.datetime.now() - loop_start).total_seconds()
        assert waited < seconds, f"not shown within {seconds} s"
        await pilot.pause(0.1)
    return (dt.datetime.now() - loop_start).total_seconds()


async def test_item11_another_terminals_check_in_and_dispatch_show_on_the_desk_within_2_s(
        app_for, ui_services, ui_actors, desk_data):
    from frontdesk.services import checkin, estimate, workshop
    from frontdesk.services.desk import order_view

    other = _e_other_terminal(ui_services)
    adv2, supervisor = ui_actors[Role.MANAGER], ui_actors[Role.SUPERVISOR]
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any("粤C24680" in r for r in rows(app, "in-house-table"))
        # At the other terminal: the appointment's car is checked in.
        checkin.check_in(other, adv2, checkin.CheckInInput(
            vehicle_id=desk_data.vehicle_ids["粤C24680"], odometer_km=3050, fuel_eighths=5, concerns="做首保",
            appointment_id=desk_data.appointment_id))
        await _e_until(pilot, lambda: any("粤C24680" in r for r in rows(app, "in-house-table")), 2.0)
        assert not any("粤C24680" in r for r in rows(app, "appointments-table"))  # it arrived: off the list

        # At the other terminals: the estimate order is signed, then dispatched by the supervisor.
        order = desk_data.estimate_order_id
        estimate.set_terms(other, adv2, order, payment_method="cash", promised_at=other.clock() + dt.timedelta(hours=3))
        estimate.authorise(other, adv2, order, "张伟")
        await _e_until(pilot, lambda: any("粤A12345" in r and "Authorised" in r
                                          for r in rows(app, "in-house-table")), 2.0)
        jobs = {line.id: desk_data.shop.tech_a for line in order_view(other, order).lines
                if line.kind == "labor" and line.status.value == "approved"}
        workshop.dispatch(other, supervisor, order, jobs)
        await _e_until(pilot, lambda: any("粤A12345" in r and "In workshop" in r
                                          for r in rows(app, "in-house-table")), 2.0)
    other.db.dispose()


async def test_item11_an_idle_desk_reads_only_the_change_counter(app_for, ui_services, desk_data, monkeypatch):
    """Nothing recorded anywhere: the lists are not read again (the poll costs one tiny read)."""
    from frontdesk.services import desk_home as desk_home_service

    reads: list[int] = []
    real = desk_home_service._read
    monkeypatch.setattr(desk_home_service, "_read", lambda *a: reads.append(1) or real(*a))
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = len(reads)
        await pilot.pause(2.5)
        assert len(reads) == first
