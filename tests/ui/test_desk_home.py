"""The advisor's home: lists of the day, incremental search, and where Enter leads."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from textual.widgets import DataTable, Input, Tab

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.services import checkin, estimate, workshop
from frontdesk.services.desk import order_view
from frontdesk.services import search as search_service

from .desk_helpers import install, notes, rows, screen_name, settle, type_text


@pytest.fixture
def opened(monkeypatch):
    """The check-in and estimate screens replaced by recorders of their arguments."""
    install(monkeypatch)


def plates(app, table_id: str = "search-results") -> set[str]:
    return {r.split()[0] for r in rows(app, table_id)}


def promise(ui_services, ui_actors, order_id: int, minutes: int) -> None:
    estimate.set_terms(ui_services, ui_actors[Role.ADVISOR], order_id,
                       promised_at=ui_services.clock() + dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("typed,plate", [
    ("粤a·12", "粤A12345"),   # plate fragment, lower case, with a separator
    ("a12345", "粤A12345"),    # without the province
    ("654321", "粤B67890"),    # last six of the VIN
    ("9999", "粤C24680"),      # last four of the phone
    ("李娜", "粤B67890"),      # a name
    ("欧阳", "粤C24680"),      # part of a name
])
async def test_typing_a_fragment_finds_the_vehicle(app_for, desk_data, typed, plate):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.focused.id == "search"  # focused on arrival
        await type_text(pilot, typed)
        assert app.screen.query_one("#search", Input).value == typed
        await settle(pilot)
        assert plates(app) == {plate}
        assert app.screen.has_class("-searching")
        assert "1 found" in str(app.screen.query_one("#search-status").render())


async def test_results_show_plate_model_customer_phone_and_open_order(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"粤a12")
        await settle(pilot)
        (row,) = rows(app, "search-results")
        for part in ("粤A12345", "大众 朗逸", "张伟", "13800138000", "GZ01-20261124-0001", "Estimate"):
            assert part in row, part


async def test_enter_opens_the_estimate_of_an_open_order(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_text(pilot, "粤a·12")
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "EstimateScreen"
        assert app.screen.args == {"order_id": desk_data.estimate_order_id}


async def test_enter_on_a_car_without_an_open_order_starts_its_check_in(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"李娜")  # her last order is closed
        await settle(pilot)
        await pilot.press("down")
        assert app.focused.id == "search-results"
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        assert app.screen.args == {"vehicle_id": desk_data.vehicle_ids["粤B67890"], "appointment_id": None}


async def test_enter_typed_before_the_results_arrive_still_opens_the_car(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"9999", "enter")  # no pause: the debounce has not run yet
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        assert app.screen.args["vehicle_id"] == desk_data.vehicle_ids["粤C24680"]


async def test_up_down_and_esc_in_the_results(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"粤")  # every plate of the province: several results
        await settle(pilot)
        assert plates(app) == {"粤A12345", "粤B67890", "粤C24680"}
        await pilot.press("down")
        results = app.screen.query_one("#search-results", DataTable)
        assert app.focused is results and results.cursor_row == 0
        await pilot.press("down", "down")
        assert results.cursor_row == 2
        await pilot.press("up", "up", "up")  # past the first result: back in the box
        assert app.focused.id == "search"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == ""
        assert not app.screen.has_class("-searching")
        assert screen_name(app) == "DeskHomeScreen"  # Esc never leaves the home


async def test_stale_results_are_thrown_away_and_typing_never_waits(app_for, desk_data, monkeypatch):
    """A slow search for an older text must not overwrite the results of the newer one."""
    real = search_service.search
    release = threading.Event()

    def slow_for_first_text(services, query, **kwargs):
        if query == "粤a":
            release.wait(5)
        return real(services, query, **kwargs)

    monkeypatch.setattr(search_service, "search", slow_for_first_text)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"粤a")
        await pilot.pause(0.3)  # the slow search is running in its thread
        await type_text(pilot, "·12")  # the screen takes keys meanwhile
        assert app.screen.query_one("#search", Input).value == "粤a·12"
        await pilot.pause(0.3)
        release.set()
        await settle(pilot)
        assert plates(app) == {"粤A12345"}
        assert app.screen.query_one("#search", Input).value == "粤a·12"


async def test_todays_appointment_is_listed_and_enter_checks_it_in(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        (row,) = rows(app, "appointments-table")
        assert row.startswith("14:00 粤C24680 欧阳建国 做首保")
        assert "Appointments (1)" in str(app.screen.query_one("#tab-appointments", Tab).label)
        await pilot.press("tab")
        assert app.focused.id == "appointments-table"
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        assert app.screen.args == {"vehicle_id": desk_data.vehicle_ids["粤C24680"],
                                   "appointment_id": desk_data.appointment_id}


async def test_in_house_order_at_the_desk_opens_its_estimate(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        (row,) = rows(app, "in-house-table")
        assert row.startswith("粤A12345 张伟 Estimate")
        await pilot.press("tab", "right")  # the appointments, then the next list
        assert app.focused.id == "in-house-table"
        assert app.screen.query_one("#desk-tabs").active == "tab-in-house"
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "EstimateScreen"
        assert app.screen.args == {"order_id": desk_data.estimate_order_id}


async def test_tab_and_arrows_move_between_the_lists(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(5):
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert seen == ["appointments-table", "in-house-table", "ready-table", "follow-ups-table", "search"]
        await pilot.press("shift+tab")
        assert app.focused.id == "follow-ups-table"
        await pilot.press("right")
        assert app.focused.id == "appointments-table"
        await pilot.press("left", "left")
        assert app.focused.id == "ready-table"
        assert app.screen.query_one("#ready-table").display  # the only list on show at 80x24
        assert not app.screen.query_one("#in-house-table").display
        await pilot.press("f3")
        assert app.focused.id == "search"


async def test_overdue_car_is_marked(app_for, desk_data, ui_services, ui_actors):
    promise(ui_services, ui_actors, desk_data.estimate_order_id, minutes=60)  # 10:00
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        (row,) = rows(app, "in-house-table")
        assert "10:00" in row and "OVERDUE" not in row
        ui_services.clock.advance(minutes=90)  # 10:30, the car is not ready
        await pilot.press("f5")
        await settle(pilot)
        (row,) = rows(app, "in-house-table")
        assert "10:00" in row and "OVERDUE" in row
        table = app.screen.query_one("#in-house-table", DataTable)
        flag = table.get_row_at(0)[4]
        assert "red" in str(flag.style)
        assert "Overdue 1" in str(app.screen.query_one("#tab-in-house", Tab).label)


async def test_a_car_waiting_for_the_customer_is_counted(app_for, desk_data, ui_services, ui_actors):
    """Additional work found in the workshop: the desk sees at once that a customer must be called."""
    from ..factories import order_through

    order = order_through(ui_services, ui_actors, desk_data.shop, desk_data.vehicle_ids["粤C24680"], stop="authorised")
    jobs = [line.job_id for line in order_view(ui_services, order.id).lines if line.kind == "labor" and line.status == "approved"]
    workshop.dispatch(ui_services, ui_actors[Role.SUPERVISOR], order.id, dict.fromkeys(jobs, desk_data.shop.tech_a))
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "Awaiting approval" not in str(app.screen.query_one("#tab-in-house", Tab).label)
        workshop.propose_additional(ui_services, ui_actors[Role.TECHNICIAN], order.id, description="更换雨刮片",
                                    hours="0.2")
        await pilot.press("f5")
        await settle(pilot)
        assert "Awaiting approval 1" in str(app.screen.query_one("#tab-in-house", Tab).label)


async def test_f2_new_check_in_and_a_for_appointments(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        assert app.screen.args == {"vehicle_id": None, "appointment_id": None}
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")  # in the search box a letter is typed...
        assert app.screen.query_one("#search", Input).value == "a"
        await pilot.press("escape", "tab", "a")  # ...from a list it opens the appointments
        await settle(pilot)
        assert screen_name(app) == "AppointmentsScreen"


async def test_lists_are_read_again_on_return(app_for, desk_data, ui_services, ui_actors, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        # Meanwhile, at another terminal: a second appointment for today.
        checkin.book_appointment(ui_services, ui_actors[Role.ADVISOR], desk_data.vehicle_ids["粤B67890"],
                                 dt.datetime(2026, 11, 24, 16, 0), "空调不凉")
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "DeskHomeScreen"
        assert [r.split()[1] for r in rows(app, "appointments-table")] == ["粤C24680", "粤B67890"]
        assert "Appointments (2)" in str(app.screen.query_one("#tab-appointments", Tab).label)


async def test_an_order_in_the_workshop_tells_its_status(app_for, desk_data, ui_services, ui_actors, opened):
    """The workshop's screens come later: Enter on such an order says where it is."""
    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    order = desk_data.estimate_order_id
    estimate.set_terms(svc, adv, order, payment_method="cash", promised_at=svc.clock() + dt.timedelta(hours=3))
    estimate.authorise(svc, adv, order, "张伟")
    jobs = {line.id: desk_data.shop.tech_a for line in order_view(svc, order).lines
            if line.kind == "labor" and line.status.value == "approved"}
    workshop.dispatch(svc, ui_actors[Role.SUPERVISOR], order, jobs)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        (row,) = rows(app, "in-house-table")
        assert "In workshop" in row and "Waiting" in row  # status and the board's stage
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        assert screen_name(app) == "DeskHomeScreen"
        assert "Order GZ01-20261124-0001 is In workshop." in notes(app)


# Snapshots -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_desk_home_snapshot(snap_compare, app_for, desk_data, ui_services, ui_actors, lang, size):
    promise(ui_services, ui_actors, desk_data.estimate_order_id, minutes=60)
    ui_services.clock.advance(minutes=90)  # the estimate order is overdue: its mark is in the picture
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def settled(pilot):
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=settled)


async def test_f2_after_a_search_that_found_nothing_carries_the_text_to_the_check_in(app_for, desk_data, opened):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_text(pilot, "粤e·55667")
        await settle(pilot)
        assert rows(app, "search-results") == []
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.args == {"vehicle_id": None, "appointment_id": None, "prefill": "粤e·55667"}
