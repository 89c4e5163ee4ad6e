"""The idle lock: the desk is left alone, the screen hides everything until the password.

A plain opaque Screen (a ModalScreen may be translucent): nothing underneath shows through.
While it is up the app holds every other screen and notice (frontdesk.lock_gate); it lets
this screen pop only after ``released`` is set, which happens here and nowhere else. F1
lists this screen's own keys in place: a help screen above the lock would be one more
screen for the gate to trust.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import HELP, translate_bindings

from . import pipeline


class LockScreen(Screen[bool]):
    """Dismissed with True once the same user's password is typed (or False to sign out)."""

    AUTO_FOCUS = "#unlock-password"
    # The app's F1 id, so a remapped help key works here too.
    BINDINGS = [Binding(HELP, "keys", "Help", tooltip="Every key of this screen", id="frontdesk.help")]

    def __init__(self, username: str, display_name: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.username = username
        self.display_name = display_name
        self.released = False  # the gate lets this screen pop once this is set

    def compose(self) -> ComposeResult:
        with Center(id="lock-box"):
            with Vertical(id="lock-form"):
                yield Static(_("Locked"), id="lock-title")
                yield Static(_("{name}, type your password to go on.").format(name=self.display_name))
                yield Input(id="unlock-password", password=True)
                yield Static("", id="lock-error", classes="error")
                keys = Static("", id="lock-keys", markup=False)
                keys.display = False
                yield keys

    @on(Input.Submitted, "#unlock-password")
    def _submit(self, event: Input.Submitted) -> None:
        self._check(event.value)

    def _check(self, password: str) -> None:
        """Through the pipeline (screens/pipeline.py): a refusal or an unexpected error is said under the field."""
        from frontdesk.services import sign_in

        pipeline.call(self, sign_in.login, self.app.services, self.username, password,  # type: ignore[attr-defined]
                      then=lambda _actor: self._release(True), failed=lambda error: self._fail(str(error)),
                      group="unlock", exclusive=True, saves=False)

    def _release(self, ok: bool) -> None:
        self.released = True
        self.dismiss(ok)

    def action_keys(self) -> None:
        """This screen's keys and the app's that still work (the gate disables the rest), not an input's editing keys."""
        keys = self.query_one("#lock-keys", Static)
        keys.display = not keys.display
        rows = [(_("Enter"), _("Unlock"))] + [
            (self.app.get_key_display(a.binding), a.binding.description)
            for a in self.active_bindings.values()
            if a.enabled and a.node in (self, self.app) and (a.binding.id or "").startswith("frontdesk.")
        ]
        keys.update("\n".join(key + " " * max(2, 10 - cell_len(key)) + text for key, text in rows))

    def _fail(self, message: str) -> None:
        self.query_one("#lock-error", Static).update(message)
        self.query_one("#unlock-password", Input).value = ""
