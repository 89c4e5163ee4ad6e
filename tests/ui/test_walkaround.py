"""The walkaround by keys only: panel marks, the checklist, saving, editing, printing the sheet."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Checkbox, Input, Static
from textual.widgets._footer import FooterKey

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
        await pilot.press("c", "s", "v")  # covers, spare tyre, valuables: the note is asked for in a dialog
        await settle(pilot, lambda: screen_name(pilot) == "NoteDialog")
        await pilot.press(*"行车记录仪", "enter")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
        assert app.screen.query_one("#valuables", Input).value == "行车记录仪"
        app.screen.query_one("#warning_lights", Input).focus()
        await pilot.press(*"ABS, tpms")
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
        await pilot.press("v", "enter")  # the dialog refuses an empty note
        await settle(pilot)
        assert screen_name(pilot) == "NoteDialog"
        assert "Say which valuables" in str(app.screen.query_one("#note-error", Static).render())
        await pilot.press("escape")  # no note: the box stays unticked
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
        assert not app.screen.query_one("#has_valuables", Checkbox).value
        app.screen.query_one("#has_valuables", Checkbox).value = True  # ticked with the mouse, the note left empty
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(pilot) == "WalkaroundScreen"
        assert "Say which valuables" in str(app.screen.query_one("#valuables-error", Static).render())
    assert order_view(ui_services, new_order).walkaround is None


async def test_a_command_letter_never_moves_the_focus_into_the_form(app_for, ui_services, new_order):
    """``v`` and ``p`` ask for their note in a dialog on show; Esc or Enter gives the keys back to the grid."""
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walkaround(pilot, new_order)
        grid = app.screen.query_one(PanelGrid)
        await pilot.press("v")
        await settle(pilot, lambda: screen_name(pilot) == "NoteDialog")
        await pilot.press(*"钱包在副驾储物箱", "enter")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
        assert app.focused is grid
        await pilot.press("t", "p")  # the next letters are commands again: the tool kit, then the photos' dialog
        await settle(pilot, lambda: screen_name(pilot) == "NoteDialog")
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(pilot) == "WalkaroundScreen")
        screen = app.screen
        assert screen.query_one("#tool_kit", Checkbox).value and not screen.query_one("#photos_taken", Checkbox).value
        assert screen.query_one("#valuables", Input).value == "钱包在副驾储物箱"
        assert app.focused is grid
        await pilot.press("v")  # ticked: v unticks it at once, no dialog
        await settle(pilot)
        assert screen_name(pilot) == "WalkaroundScreen" and not screen.query_one("#has_valuables", Checkbox).value


async def test_the_toast_does_not_cover_the_red_line_it_points_to(app_for, ui_services, new_order):
    """Toasts stack at the bottom right, over the lower fields: a refusal's toast goes to the other half."""
    from textual.widgets._toast import Toast

    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_walkaround(pilot, new_order)
        app.screen.query_one("#photos_taken", Checkbox).value = True  # the photos' note: the form's bottom lines
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        line = screen.query_one("#photos_ref-error", Static)
        assert "Enter where the photos are filed" in str(line.render())
        assert app.focused is screen.query_one("#photos_ref", Input)
        assert screen.region.contains_region(line.region) and line.region.height  # scrolled into view
        assert line.region.y >= 12  # low on the screen, where the toasts stack
        toasts = [t.region for t in app.screen.query(Toast)]
        assert toasts and any("marked in red" in n.message for n in app._notifications)  # still said
        assert not any(t.overlaps(line.region) for t in toasts)
        assert not any(t.overlaps(screen.query_one("#photos_ref", Input).region) for t in toasts)
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


async def test_a_returning_car_starts_from_a_clean_grid_and_n_says_no_new_damage(app_for, ui_services, ui_actors, desk_data):
    """粤B67890's last visit marked a scratch and a dent: this visit's grid starts empty; N saves it so and goes on."""
    vehicle = desk_data.vehicle_ids["粤B67890"]
    assert order_view(ui_services, desk_data.closed_order_id).walkaround.marks  # the last visit's marks
    order = checkin.check_in(ui_services, ui_actors[Role.ADVISOR], checkin.CheckInInput(
        vehicle_id=vehicle, odometer_km=16000, fuel_eighths=5, concerns="")).id
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walkaround(pilot, order)
        assert not app.screen.query_one(PanelGrid).marks
        footer = [key.description for key in app.screen.query(FooterKey) if key.display]
        assert "No new damage" in footer  # in the footer at 80 columns
        await pilot.press("n")
        await settle(pilot, lambda: screen_name(pilot) == "EstimateScreen")
    walk = order_view(ui_services, order).walkaround
    assert walk is not None and walk.marks == () and walk.signed_by == "李娜"


async def test_no_new_damage_is_refused_while_damage_is_marked(app_for, ui_services, new_order):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walkaround(pilot, new_order)
        await pilot.press(DAMAGE_KEYS["scratch"], "n")
        await settle(pilot)
        assert screen_name(pilot) == "WalkaroundScreen"
        assert any("F6 saves it" in str(n.message) for n in app._notifications)
    assert order_view(ui_services, new_order).walkaround is None
