"""What to export from the import screen (screens/import_file.py): a catalog or this month's orders.

A short list chosen with the arrows and Enter (or the digit in front of it); Esc cancels.
Dismissed with ``(what, format)``: what is "parts", "labor" or "orders", format "csv" or "xlsx".
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.i18n import gettext as _
from frontdesk.keys import back, binding, translate_bindings

def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return msgid


CHOICES: tuple[tuple[str, str, str], ...] = (
    ("parts", "xlsx", N_("Parts price list (Excel)")),
    ("parts", "csv", N_("Parts price list (CSV)")),
    ("labor", "xlsx", N_("Labor-time table (Excel)")),
    ("labor", "csv", N_("Labor-time table (CSV)")),
    ("orders", "xlsx", N_("This month's orders (Excel)")),
    ("orders", "csv", N_("This month's orders (CSV)")),
)


class ExportChoice(ModalScreen[tuple[str, str] | None]):
    """Dismissed with the chosen ``(what, format)``, or None."""

    CSS_PATH = "../assets/styles/import_file.tcss"
    AUTO_FOCUS = "#ex-list"

    BINDINGS = [
        *(binding(str(n), f"pick({n - 1})", "", show=False) for n in range(1, len(CHOICES) + 1)),
        back("Cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="ex-box"):
            yield Static(_("Export into the paperwork folder"), id="ex-title")
            yield OptionList(*(Option(f"{n}  {_(text)}", id=f"{what}.{fmt}")
                               for n, (what, fmt, text) in enumerate(CHOICES, start=1)), id="ex-list")
            yield Static(_("Enter chooses, Esc cancels."), id="ex-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option_index)

    def action_pick(self, index: int) -> None:
        what, fmt, _text = CHOICES[index]
        self.dismiss((what, fmt))

    def action_back(self) -> None:
        self.dismiss(None)
