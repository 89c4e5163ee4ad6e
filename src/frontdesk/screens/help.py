"""F1: every key of the screen underneath, with what it does, and where the error log is.

The log's path is here so whoever supports the store can be told where to look
(frontdesk.error_log: unexpected errors with their tracebacks, ids only).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from frontdesk.error_log import log_file
from frontdesk.i18n import gettext as _
from frontdesk.keys import back, translate_bindings


class HelpScreen(ModalScreen[None]):
    BINDINGS = [back("Close")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        translate_bindings(self)
        self._rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_("Keys on this screen"), id="help-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="help-table")
            table.add_columns(_("Key"), _("Action"))
            for key, text in self._rows:
                table.add_row(key, text)
            yield table
            yield Static(_("Ctrl+P opens the command palette: every screen and action by name."), id="help-hint")
            yield Static(_("Error log (for whoever supports this store): {path}").format(path=log_file()),
                         id="help-log", markup=False)

    def action_back(self) -> None:
        self.dismiss()
