"""F1 and the command palette in the console's language (issue 17).

F1 used to list some forty of Textual's text-editing keys before the screen's own; now the
screen's keys come first, by section (this step, moving, the whole console), and the
editing keys are folded into one line at the end. The palette and the Select menus spoke
Textual's English; the palette also finds commands by pinyin, as the catalog pickers do.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.help import EDITING, MOVING, SECTIONS, STEP, APP, HelpScreen

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
