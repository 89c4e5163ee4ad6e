"""F1 and the command palette in the console's language (issue 17).

F1 used to list some forty of Textual's text-editing keys before the screen's own; now the
screen's keys come first, by section (this step, moving, the whole console), and the
editing keys are folded into one line at the end. The palette and the Select menus spoke
Textual's English; the palette also finds commands by pinyin, as the catalog pickers do.
"""

from __future__ import annotations

import pytest
from textual.command import CommandInput, CommandList, CommandPalette
from textual.widgets import DataTable

from frontdesk import navigation
from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.palette import DeskPalette, pinyin_match
from frontdesk.screens.help import APP, EDITING, MOVING, SECTIONS, STEP, HelpScreen

from .test_estimate import open_estimate, settle

LANGS = pytest.mark.parametrize("lang", ["zh_CN", "en"])


def help_table(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#help-table", DataTable)
    return [(str(table.get_row_at(n)[0]), str(table.get_row_at(n)[1])) for n in range(table.row_count)]


@LANGS
async def test_f1_shows_the_screens_keys_first_by_section_and_folds_the_editing_keys(app_for, desk_data, lang):
    from frontdesk.i18n import gettext as _

    set_language(lang)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        estimate = await open_estimate(pilot, desk_data.estimate_order_id)
        estimate.query_one("#lines").focus()  # a list with its cursor keys, like the desk's
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = help_table(app)
        actions = [action for _key, action in rows]
        titles = [_(SECTIONS[s]) for s in (STEP, MOVING, APP)]
        at = [actions.index(t) for t in titles]
        assert at == sorted(at) and at[0] == 0, actions  # this step, moving, the console: in that order
        step = actions[at[0] + 1:at[1]]
        assert step[:5] == [_("Add job"), _("Add part"), _("Edit"), _("Save"), _("Print")], step  # the screen's order
        assert _("Back") in actions[at[1]:at[2]] and _("Walkaround") in actions[at[1]:at[2]]
        assert _("Help") in actions[at[2]:] and _("Lock") in actions[at[2]:]
        # Textual's editing and cursor keys: one folded line at the very end, none of them shown
        assert rows[-1][0] == "▸" and _(SECTIONS[EDITING]) in rows[-1][1]
        assert _("Cursor up") not in actions and _("Delete right to start of word") not in actions
        if lang == "zh_CN":
            assert not any(a.isascii() and a.strip() for a in actions), actions  # every line in Chinese
        # E (or Enter on the fold) shows them, translated, after everything else
        await pilot.press("e")
        await settle(pilot)
        rows = help_table(app)
        actions = [action for _key, action in rows]
        assert actions.index(_("Cursor up")) > actions.index(_("Help"))
        assert rows[actions.index(_(SECTIONS[EDITING]))][0] == "▾"
        if lang == "zh_CN":
            assert "光标上移" in actions and "Cursor up" not in actions
        # one line per action: ctrl+c and super+c copy on one row
        copy = [keys for keys, action in rows if action == _("Copy selected text")]
        assert len(copy) == 1 and " / " in copy[0], copy
        await pilot.press("enter")  # the cursor is on the fold: Enter folds them again
        await settle(pilot)
        assert help_table(app)[-1][0] == "▸" and _("Cursor up") not in [a for _k, a in help_table(app)]


# -- the command palette ---------------------------------------------------------------------------


async def open_palette(pilot):  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await settle(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.pause(0.3)
    await settle(pilot)
    return pilot.app.screen


def options(palette) -> list[str]:  # type: ignore[no-untyped-def]
    """The first line of each option (a command's title), or the text of a message such as "No matches found"."""
    out = []
    for option in palette.query_one(CommandList).options:
        prompt = getattr(option.prompt, "renderable", option.prompt)  # the message is Align(Text)
        out.append(str(getattr(prompt, "plain", prompt)).split("\n", 1)[0].strip())
    return out


async def search(pilot, palette, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    palette.query_one(CommandInput).value = ""
    await pilot.press(*text)
    await pilot.pause(0.8)  # the search runs in a worker; "No matches found" comes after 0.5 s
    await settle(pilot)
    return options(palette)


@LANGS
async def test_the_palette_speaks_the_consoles_language_and_offers_no_textual_extras(app_for, desk_data, lang):
    from frontdesk.i18n import gettext as _

    set_language(lang)
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        palette = await open_palette(pilot)
        assert isinstance(palette, DeskPalette)
        placeholder = str(palette.query_one(CommandInput).placeholder)
        assert placeholder == _("Search for screens and commands…") and "Search for commands" not in placeholder
        titles = options(palette)
        for textual_only in ("Theme", "Keys", "Maximize", "Minimize", "Screenshot"):
            assert textual_only not in titles, titles
        assert _("Help") in titles and _("Quit") in titles and _("Appointments") in titles
        assert (await search(pilot, palette, "qqxzv"))[-1] == _("No matches found")
        if lang == "zh_CN":
            assert _("No matches found") != "No matches found"
            assert not any(t.isascii() for t in titles), titles


@pytest.mark.parametrize("query", ["yy", "yuyue", "YY"])
async def test_the_palette_finds_commands_by_pinyin(app_for, desk_data, query):
    set_language("zh_CN")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        palette = await open_palette(pilot)
        found = await search(pilot, palette, query)
        assert found[0] == "预约", found
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "AppointmentsScreen")


async def test_the_palette_still_finds_english_titles(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        palette = await open_palette(pilot)
        assert (await search(pilot, palette, "appoint"))[0] == "Appointments"
        assert (await search(pilot, palette, "sign out"))[0] == "Sign out"


def test_pinyin_matching_covers_the_characters_it_names() -> None:
    assert pinyin_match("yy", "预约") == (1.0, (0, 2))
    assert pinyin_match("yuyue", "预约") == (1.0, (0, 2))
    assert pinyin_match("jc", "检查与QC") == (1.0, (0, 2))
    assert pinyin_match("qc", "检查与QC") == (0.8, (3, 5))
    assert pinyin_match("xx", "预约") is None
    assert pinyin_match("yy", "Appointments") is None  # English titles: the fuzzy matcher's


# -- Textual's words in the footer -----------------------------------------------------------------------


async def test_a_select_menu_says_dismiss_in_the_consoles_language(app_for, desk_data):
    from textual.widgets import Select
    from textual.widgets._footer import FooterKey

    set_language("zh_CN")
    settings = next(d for d in navigation.DESTINATIONS if d.key == "settings")
    role = next(r for r in (Role.ADMIN, Role.MANAGER) if r in settings.roles)
    app = app_for(role)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_destination("settings")
        await settle(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        select = app.screen.query_one("#language", Select)
        select.focus()
        await pilot.press("enter")  # the menu opens
        await settle(pilot, lambda: select.expanded)
        await pilot.pause(0.2)
        labels = [key.description for key in app.screen.query(FooterKey)]
        assert "关闭菜单" in labels and "Dismiss menu" not in labels, labels
