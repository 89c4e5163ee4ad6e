"""A yes/no question over the current screen ("the VIN's check digit is off: is it right?").

Keys, not the mouse: Y, or F6 (the save key pressed a second time), says yes; N or Esc
says no. The focus starts on "No", so a stray Enter never confirms anything.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import SAVE, back, binding, translate_bindings


class ConfirmScreen(ModalScreen[bool]):
    """Dismissed with True (yes) or False (no)."""

    CSS_PATH = "../assets/styles/confirm.tcss"
    AUTO_FOCUS = "#confirm-no"

    BINDINGS = [
        binding("y", "confirm", "Yes", tooltip="Answer yes"),
        binding(SAVE, "save", "Yes", show=False, tooltip="Pressing save again answers yes"),
        binding("n", "cancel", "No", tooltip="Answer no"),
        back("No"),
    ]

    def __init__(self, title: str, message: str, *, yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self._title = title
        self._message = message
        self._yes = yes or _("Yes")
        self._no = no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._title, id="confirm-title")
            yield Static(self._message, id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._yes} (Y)", id="confirm-yes", variant="warning")
                yield Button(f"{self._no} (N)", id="confirm-no")

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_save(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_back(self) -> None:
        self.dismiss(False)
