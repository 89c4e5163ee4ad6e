"""The walkaround by keys only: panel marks, the checklist, saving, editing, printing the sheet."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Checkbox, Input, Static

from frontdesk.i18n import set_language
from frontdesk.labels import DAMAGE_CODES, DAMAGE_KEYS
from frontdesk.model.enums import Role
from frontdesk.screens.walkaround import WalkaroundScreen
from frontdesk.services import checkin
from frontdesk.services.desk import order_view
from frontdesk.widgets.panel_grid import PanelGrid

from .reception import screen_name, settle


@pytest.fixture
def new_order(ui_services, ui_actors, desk_data) -> int:
    """粤C24680 just checked in: no walkaround yet."""
    order = checkin.check_in(ui_services, ui_actors[Role.ADVISOR], checkin.CheckInInput(
        vehicle_id=desk_data.vehicle_ids["粤C24680"], odometer_km=3050, fuel_eighths=5, concerns="做首保"))
    return order.id


async def open_walkaround(pilot, order_id: int) -> None:
    await settle(pilot)
    pilot.app.push_screen(WalkaroundScreen(order_id=order_id))
    await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen" and pilot.app.screen._loaded)


async def test_two_marks_and_a_valuable_are_saved_and_lead_to_the_estimate(app_for, ui_services, new_order):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walkaround(pilot, new_order)
        assert app.screen.query_one("#signed_by", Input).value == "欧阳建国"  # the owner signs by default
        # the cursor starts on the front bumper: scratch it; down to the bonnet, right to the wing: dent
        await pilot.press(DAMAGE_KEYS["scratch"], "down", "right", DAMAGE_KEYS["dent"])
        assert "Front right wing" in str(app.screen.query_one("#panel-status", Static).render())
        assert str(app.screen.query_one("#panel-front_right_wing", Static).render()).endswith(DAMAGE_CODES["dent"])
        await pilot.press("c", "s", "v")  # covers, spare tyre, valuables: the note comes next
        assert app.focused is app.screen.query_one("#valuables", Input)
        await pilot.press(*"行车记录仪", *["tab"] * 5, *"ABS, tpms")  # past four boxes to the warning lights
        # letters typed into a text field stay there: no box was ticked by "t", "p" or "s"
        assert [app.screen.query_one(f"#{box}", Checkbox).value for box in ("tool_kit", "photos_taken", "spare_tyre")] \
            == [False, False, True]
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "EstimateScreen")
    walk = order_view(ui_services, new_order).walkaround
    assert walk is not None
    assert set(walk.marks) == {("front_bumper", "scratch"), ("front_right_wing", "dent")}
    assert walk.valuables == "行车记录仪" and walk.covers_fitted and walk.spare_tyre and not walk.tool_kit
    assert walk.warning_lights == ("ABS", "tpms") and walk.signed_by == "欧阳建国"


async def test_an_existing_walkaround_opens_for_editing(app_for, ui_services, desk_data):
    order = desk_data.estimate_order_id  # front bumper scratched, rear left door dented, a dashcam left in
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_walkaround(pilot, order)
        screen = app.screen
        assert screen.query_one(PanelGrid).marks == {("front_bumper", "scratch"), ("rear_left_door", "dent")}
        assert screen.query_one("#has_valuables", Checkbox).value
        assert screen.query_one("#valuables", Input).value == "行车记录仪"
        assert screen.query_one("#signed_by", Input).value == "张伟"
        await pilot.press(DAMAGE_KEYS["scratch"], DAMAGE_KEYS["crack"])  # the scratch was dirt; the bumper is cracked
        await pilot.press("f6")
        await settle(pilot, lambda: screen_name(pilot) == "EstimateScreen")
    walk = order_view(ui_services, order).walkaround
    assert set(walk.marks) == {("front_bumper", "crack"), ("rear_left_door", "dent")}
    assert walk.valuables == "行车记录仪"


async def test_ticked_valuables_need_a_note_and_nothing_is_saved_without_it(app_for, ui_services, new_order):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walkaround(pilot, new_order)
        await pilot.press("v", "f6")
        await settle(pilot)
        assert screen_name(pilot) == "WalkaroundScreen"
        assert "Say which valuables" in str(app.screen.query_one("#valuables-error", Static).render())
    assert order_view(ui_services, new_order).walkaround is None


async def test_f8_saves_and_prints_the_checkin_sheet(app_for, ui_services, new_order, tmp_path):
    ui_services.settings = replace(ui_services.settings, pdf_dir=str(tmp_path / "pdf"))
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_walkaround(pilot, new_order)
        await pilot.press(DAMAGE_KEYS["chip"], "f8")
        await settle(pilot, lambda: any(".pdf" in n.message for n in app._notifications))
        assert screen_name(pilot) == "WalkaroundScreen"  # printing stays: the customer signs the paper
        version = order_view(ui_services, new_order).version
        assert app.screen._version == version  # a second save will not meet a conflict
    pdfs = list((tmp_path / "pdf").glob("*.pdf"))
    assert len(pdfs) == 1 and "checkin" in pdfs[0].name
    assert order_view(ui_services, new_order).walkaround.marks == (("front_bumper", "chip"),)


async def test_escape_asks_before_dropping_unsaved_marks(app_for, ui_services, new_order):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walkaround(pilot, new_order)
        await pilot.press("1", "escape")
        await settle(pilot)
        assert screen_name(pilot) == "ConfirmScreen"
        await pilot.press("y")
        await settle(pilot)
        assert screen_name(pilot) not in ("WalkaroundScreen", "ConfirmScreen")
    assert order_view(ui_services, new_order).walkaround is None


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PanelGrid({}, DAMAGE_KEYS, DAMAGE_CODES)


async def test_the_arrows_follow_the_shape_of_the_car():
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(PanelGrid)
        grid.focus()
        seen = []
        for key in ("left", "down", "left", "down", "down", "right", "right", "right", "down", "down", "down", "up"):
            await pilot.press(key)
            seen.append(grid.panel)
        assert seen == [
            "front_bumper",  # nothing left of the bumper
            "bonnet", "front_left_wing", "front_left_door", "rear_left_door", "roof", "rear_right_door",
            "rear_right_door",  # the edge of the body
            "rear_right_wing", "boot_lid", "rear_bumper", "boot_lid",
        ]
        await pilot.press("2", "4", "2", "delete")
        assert grid.marks == frozenset()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_walkaround_snapshot(snap_compare, app_for, desk_data, lang, size):
    set_language(lang)
    app = app_for(Role.ADVISOR)

    async def marked_car(pilot):
        await open_walkaround(pilot, desk_data.estimate_order_id)
        await pilot.press("down", "right", "3")

    assert snap_compare(app, terminal_size=size, run_before=marked_car)
