"""三包 at 80x24 (issue 21, item 4): the check-in's line for a car near a threshold, and the manager's list.

The fixture's 粤B67890 (李娜, sold 2025-03-01, so in its period until 2027-02-28) had its front
brake pads replaced under warranty on 2026-11-20, ready the same hour: one day, brakes once —
one repair short of the limit (2), so it is near a threshold. 粤C24680 has no sale date: no line.
"""

from __future__ import annotations

from textual.widgets import Static

from frontdesk.model.enums import Role
from frontdesk.screens.checkin import CheckInScreen
from frontdesk.screens.sanbao import SanbaoScreen

from .desk_helpers import rows
from .test_estimate import settle

ALERT = "三包: near a threshold: Brakes repaired 1 time (limit 2)"


async def test_the_check_in_flags_the_car_and_the_manager_lists_it(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = CheckInScreen(vehicle_id=desk_data.vehicle_ids["粤B67890"])
        app.push_screen(screen)
        await settle(pilot, lambda: app.screen is screen and screen._loaded)
        line = screen.query_one("#checkin-sanbao", Static)
        await settle(pilot, lambda: line.display)
        assert str(line.render()) == ALERT and line.region.height == 1
        assert screen.focused is not None and screen.focused.id == "odometer_km"  # the key flow as before
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is not screen)
        other = CheckInScreen(vehicle_id=desk_data.vehicle_ids["粤C24680"])
        app.push_screen(other)
        await settle(pilot, lambda: app.screen is other and other._loaded)
        assert not other.query_one("#checkin-sanbao", Static).display

    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_destination("sanbao")
        await settle(pilot, lambda: isinstance(app.screen, SanbaoScreen) and bool(rows(app, "sanbao-cars")))
        (row,) = rows(app, "sanbao-cars")
        assert "粤B67890" in row and "Near" in row and "李娜" in row and "Brakes 1" in row
        detail = str(app.screen.query_one("#sb-detail").render())
        assert ALERT in detail and "sold 2025-03-01 · period ends 2027-02-28" in detail
        assert "李娜 " in detail  # with the phone, which gives way first in a narrow list
        table = app.screen.table("sanbao-cars")
        assert "Repairs by system" in table.shown_columns
        state = next(iter(table.columns.values()))
        assert state.width >= len(" At limit ")  # the threshold badge whole, not " At li"
