"""F1: every key of the screen underneath, with what it does, and where the error log is.

The keys come in the order a user looks for them: this step's own (in the screen's order
of importance, its BINDINGS), then the keys that move (back, the next list or tab, the
screens this one opens), then the app's (help, lock, palette, quit). Textual's own keys
of the focused field or list — some forty cursor, selection and editing keys that every
text box has — are folded into one line at the end (E, or Enter on it, shows them): listed
first, as they used to be, they buried the screen's own keys.

The log's path is here so whoever supports the store can be told where to look
(frontdesk.error_log: unexpected errors with their tracebacks, ids only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from frontdesk.error_log import log_file
from frontdesk.i18n import N_, gettext as _
from frontdesk.keys import back, binding, translate_bindings

STEP, MOVING, APP, EDITING = "step", "moving", "app", "editing"
#: Section titles (msgids), in the order shown.
SECTIONS = {STEP: N_("This step"), MOVING: N_("Moving"), APP: N_("The whole console"),
            EDITING: N_("Editing and list keys")}
#: Actions that take the user somewhere else: another list, tab, field or screen.
MOVING_ACTIONS = frozenset({"back", "next_list", "next_area", "next_field", "tab", "next_tab", "page",
                            "focus_next", "focus_previous", "app.focus_next", "app.focus_previous"})
FOLD = "fold"


@dataclass(frozen=True)
class HelpRow:
    section: str
    keys: str
    action: str


def _is_moving(action: str) -> bool:
    from frontdesk.navigation import DESTINATIONS

    name = action.split("(", 1)[0]
    return name in MOVING_ACTIONS or name in {d.key for d in DESTINATIONS}


def help_rows(screen: Screen) -> list[HelpRow]:
    """The rows of F1 for ``screen``: one per action (its keys together), by section."""
    app = screen.app
    by_action: dict[tuple[str, str], tuple[str, list[str], str]] = {}
    for _key, active in screen.active_bindings.items():
        b = active.binding
        if not b.description:  # the silent capitals of letter commands (keys.translate_bindings)
            continue
        ours = bool(b.id and b.id.startswith("frontdesk."))
        if active.node is app:
            section = APP
        elif _is_moving(b.action):
            section = MOVING
        elif ours:
            section = STEP
        else:
            section = EDITING  # Textual's own: their msgids are in frontdesk.textual_keys
        slot = by_action.setdefault((section, b.action), (section, [], _(b.description)))
        display = app.get_key_display(b)
        if display not in slot[1]:
            slot[1].append(display)
    rows = [HelpRow(section, " / ".join(keys), text) for section, keys, text in by_action.values()]
    order = list(SECTIONS)
    return sorted(rows, key=lambda r: order.index(r.section))  # stable: the screen's order within a section


class HelpScreen(ModalScreen[None]):
    BINDINGS = [back("Close"), binding("e", "toggle_editing", "Show or hide the editing keys", show=False)]

    def __init__(self, rows: Iterable[HelpRow]) -> None:
        super().__init__()
        translate_bindings(self)
        self._rows = list(rows)
        self.editing_shown = False

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_("Keys on this screen"), id="help-title")
            table: DataTable[str | Text] = DataTable(cursor_type="row", id="help-table")
            table.add_columns(_("Key"), _("Action"))
            yield table
            yield Static(_("Ctrl+P opens the command palette: every screen and action by name."), id="help-hint")
            yield Static(_("Error log (for whoever supports this store): {path}").format(path=log_file()),
                         id="help-log", markup=False)

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#help-table", DataTable)
        table.clear()
        editing = [r for r in self._rows if r.section == EDITING]
        for section in SECTIONS:
            rows = [r for r in self._rows if r.section == section]
            if not rows:
                continue
            if section == EDITING:
                mark = "▾" if self.editing_shown else "▸"
                table.add_row(Text(mark, style="bold"), Text(_("{title} ({count}): E shows them").format(
                    title=_(SECTIONS[section]), count=len(editing)) if not self.editing_shown else _(SECTIONS[section]),
                    style="bold"), key=FOLD)
                if not self.editing_shown:
                    continue
            else:
                table.add_row("", Text(_(SECTIONS[section]), style="bold"), key=f"section-{section}")
            for n, row in enumerate(rows):
                table.add_row(row.keys, row.action, key=f"{section}-{n}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value == FOLD:
            self.action_toggle_editing()

    def action_toggle_editing(self) -> None:
        if not any(r.section == EDITING for r in self._rows):
            return
        self.editing_shown = not self.editing_shown
        self._fill()
        table = self.query_one("#help-table", DataTable)
        table.move_cursor(row=table.get_row_index(FOLD))

    def action_back(self) -> None:
        self.dismiss()
