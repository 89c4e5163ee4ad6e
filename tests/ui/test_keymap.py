"""Keys a user can change: ``[keymap]`` in config.toml remaps a binding by its id (issue 16, item 6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdesk.config import load_settings
from frontdesk.model.enums import Role

from .desk_helpers import screen_name, settle


async def test_a_remapped_key_acts_and_the_footer_shows_it(app_for, desk_data, ui_services):
    ui_services.settings = replace(ui_services.settings, keymap={"frontdesk.lock": "f11"})
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        shown = {b.binding.id: app.get_key_display(b.binding) for b in app.screen.active_bindings.values()}
        assert shown["frontdesk.lock"].lower() == "f11"
        await pilot.press("f12")  # the old key no longer locks
        await pilot.pause()
        assert screen_name(app) != "LockScreen"
        await pilot.press("f11")
        await pilot.pause()
        assert screen_name(app) == "LockScreen"


def test_the_keymap_is_read_from_the_settings_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"frontdesk.save" = "f10, ctrl+s"\n', "utf-8")
    assert load_settings(path).keymap == {"frontdesk.save": "f10,ctrl+s"}


@pytest.mark.parametrize("table", ['[keymap]\n"save" = "f10"\n', '[keymap]\n"frontdesk.save" = ""\n',
                                   'keymap = "f10"\n'])
def test_a_keymap_that_names_no_binding_is_refused(tmp_path, table):
    path = tmp_path / "config.toml"
    path.write_text(table, "utf-8")
    with pytest.raises(ValueError, match="keymap"):
        load_settings(path)
