"""A car registered at reception as an accident (issue 21): the check-in saved, the insurer's claim
record comes up over the walkaround (Esc leaves it for later); from the desk's lists, I opens the
accident record of the car highlighted."""

from __future__ import annotations

from frontdesk.model.enums import ArrivalPurpose, Role
from frontdesk.screens.checkin import CheckInScreen
from frontdesk.services import reception
from frontdesk.services.desk import vehicle_card

from .desk_helpers import notes, screen_name
from .reception import settle


async def test_an_accident_arrival_is_offered_its_claim_record_after_the_check_in(
        app_for, ui_services, ui_actors, desk_data):
    vehicle = desk_data.vehicle_ids["粤B67890"]
    reception.register_arrival(ui_services, ui_actors[Role.RECEPTIONIST], reception.ArrivalInput(
        vehicle_id=vehicle, purpose=ArrivalPurpose.ACCIDENT, key_tag="K12"))
    taken = reception.take_next(ui_services, ui_actors[Role.ADVISOR])
    assert taken.purpose == ArrivalPurpose.ACCIDENT
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CheckInScreen(arrival=taken))
        await settle(pilot, lambda: screen_name(app) == "CheckInScreen")
        await pilot.press(*"16000", "tab", "4", "tab", "tab", "tab", *"追尾")  # the check-in's keys, unchanged
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(app) == "AccidentScreen")
        order_id = vehicle_card(ui_services, vehicle).open_order_id
        assert order_id is not None and app.screen._order_id == order_id
        assert [type(s).__name__ for s in app.screen_stack[-2:]] == ["WalkaroundScreen", "AccidentScreen"]
        assert any("record the insurer's claim" in n for n in notes(app))
        await pilot.press("escape")  # not now: the walkaround, as for every check-in
        await settle(pilot, lambda: screen_name(app) == "WalkaroundScreen")


async def test_i_on_the_desk_lists_opens_the_highlighted_cars_accident_record(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "right")  # the appointments, then the cars in the workshop
        assert app.focused is not None and app.focused.id == "in-house-table"
        await pilot.press("i")
        await settle(pilot, lambda: screen_name(app) == "AccidentScreen")
        assert app.screen._order_id == desk_data.estimate_order_id
