"""The settings screen by keys: F6 saves to the file and the running console at once; the
language switches without a restart; a bad value is refused beside its field."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Static

from frontdesk.config import load_settings
from frontdesk.i18n import current_language, set_language
from frontdesk.model import Store
from frontdesk.model.enums import Role
from frontdesk.screens.settings import SettingsScreen

from .desk_helpers import notes, screen_name, type_text
from .test_estimate import settle

COMMENT = "# The store's settings: ask the service manager before changing them."


@pytest.fixture
def config(tmp_path: Path, ui_services):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(f'{COMMENT}\nvat_rate = "0.13"\n[dealership]\nname = "示范汽车销售服务有限公司"\n', "utf-8")
    ui_services.settings = replace(load_settings(path), language="en")
    return path


async def open_settings(pilot) -> SettingsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(SettingsScreen())
    await settle(pilot, lambda: isinstance(pilot.app.screen, SettingsScreen) and pilot.app.screen._pristine is not None)
    return pilot.app.screen


async def tab_to(pilot, widget_id: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(40):
        if pilot.app.focused is not None and pilot.app.focused.id == widget_id:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached #{widget_id}")


async def retype(pilot, widget_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    await tab_to(pilot, widget_id)
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, text)


def field_label(app, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#{name}-field > Label", Label).content)


def footer_key(app, key: str) -> str:  # type: ignore[no-untyped-def]
    return next(b.binding.description for k, b in app.screen.active_bindings.items() if k == key)


async def test_vat_and_name_saved_by_keys_take_effect_at_once(app_for, ui_services, ui_actors, config):
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        assert app.focused is not None and app.focused.id == "name"
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "广州越秀汽车服务有限公司")
        await retype(pilot, "vat_rate", "9")
        await pilot.press("f6")
        await settle(pilot, lambda: app.services.settings.vat_rate == Decimal("0.09"))

        running = app.services.settings
        assert running.dealership.name == "广州越秀汽车服务有限公司" and str(running.vat_rate) == "0.09"
        assert app.title == "广州越秀汽车服务有限公司"
        text = config.read_text("utf-8")
        saved = tomllib.loads(text)
        assert saved["vat_rate"] == "0.09" and saved["dealership"]["name"] == "广州越秀汽车服务有限公司"
        assert text.startswith(COMMENT)
        assert load_settings(config) == running
        with ui_services.db.reader() as s:  # the letterhead every terminal prints
            assert s.get(Store, ui_actors[Role.MANAGER].store_id).name == "广州越秀汽车服务有限公司"
        assert any("Settings saved" in n for n in notes(app))
        assert screen_name(app) == "SettingsScreen"
        await pilot.press("escape")  # saved: nothing to confirm
        await settle(pilot)
        assert screen_name(app) != "SettingsScreen"


async def test_a_bad_value_is_refused_beside_its_field(app_for, ui_services, config):
    app = app_for(Role.ADMIN)
    before = config.read_bytes()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        await retype(pilot, "vat_rate", "13%%")
        await pilot.press("f6")
        await settle(pilot, lambda: str(app.screen.query_one("#vat_rate-error", Static).content) != "")
        assert "not a number" in str(app.screen.query_one("#vat_rate-error", Static).content)
        assert app.focused is not None and app.focused.id == "vat_rate"
        assert config.read_bytes() == before and app.services.settings.vat_rate == Decimal("0.13")
        await retype(pilot, "vat_rate", "13%")  # a percent sign is fine
        await pilot.press("f6")
        await settle(pilot, lambda: any("Settings saved" in n for n in notes(app)))
        assert str(app.screen.query_one("#vat_rate-error", Static).content) == ""


async def test_leaving_with_changes_asks_first(app_for, config):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        await retype(pilot, "follow_up_days", "5")
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("n")
        await settle(pilot, lambda: screen_name(app) == "SettingsScreen")
        await pilot.press("f5")  # undo: back to what was saved, so Esc leaves at once
        await settle(pilot)
        assert app.screen.query_one("#follow_up_days", Input).value == "3"
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(app) not in ("SettingsScreen", "ConfirmScreen"))


async def test_the_claims_and_sanbao_settings_are_edited_here(app_for, config):
    """Issue 21: the warranty claim deadline and the 三包 thresholds, typed, checked together and saved."""
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        assert field_label(app, "warranty_claim_days") == "Warranty claim due (days after the repair)"
        await retype(pilot, "warranty_claim_days", "45")
        await retype(pilot, "sanbao_km", "60000")
        await retype(pilot, "sanbao_days_warn", "40")  # past the 35-day limit: refused beside its field
        await pilot.press("f6")
        await settle(pilot, lambda: str(app.screen.query_one("#sanbao_days_warn-error", Static).content) != "")
        assert app.focused is not None and app.focused.id == "sanbao_days_warn"
        assert app.services.settings.warranty_claim_days == 30
        await retype(pilot, "sanbao_days_limit", "50")
        await retype(pilot, "sanbao_repeat_limit", "3")
        await pilot.press("f6")
        await settle(pilot, lambda: app.services.settings.sanbao_days_limit == 50)
        running = app.services.settings
        assert (running.warranty_claim_days, running.sanbao_km, running.sanbao_days_warn,
                running.sanbao_repeat_limit, running.sanbao_years) == (45, 60000, 40, 3, 2)
        saved = tomllib.loads(config.read_text("utf-8"))
        assert saved["warranty_claim_days"] == 45 and saved["sanbao_days_limit"] == 50


async def choose_language(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    await tab_to(pilot, "language")
    await pilot.press("enter", key, "enter")  # open the list, move to the other language, choose it


async def test_the_language_switches_without_a_restart(app_for, config):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        assert field_label(app, "phone") == "Phone" and footer_key(app, "f6") == "Save"
        await choose_language(pilot, "up")  # 简体中文 is above English
        await pilot.press("f6")
        await settle(pilot, lambda: current_language() == "zh_CN" and field_label(app, "phone") == "电话")
        assert footer_key(app, "f6") == "保存" and app.services.settings.language == "zh_CN"
        assert tomllib.loads(config.read_text("utf-8"))["language"] == "zh_CN"

        await choose_language(pilot, "down")
        await pilot.press("f6")
        await settle(pilot, lambda: current_language() == "en" and field_label(app, "phone") == "Phone")
        assert footer_key(app, "f6") == "Save" and tomllib.loads(config.read_text("utf-8"))["language"] == "en"


async def test_a_role_without_the_right_is_refused(app_for, config):
    app = app_for(Role.ADVISOR)
    before = config.read_bytes()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        await retype(pilot, "vat_rate", "9")
        await pilot.press("f6")
        await settle(pilot, lambda: bool(notes(app)))
        assert config.read_bytes() == before and app.services.settings.vat_rate == Decimal("0.13")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_settings_snapshot(snap_compare, app_for, config, lang, size):
    set_language(lang)
    app = app_for(Role.ADMIN)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_settings(pilot)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)
