"""The idle lock: the desk is left alone, the screen hides everything until the password."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.services.errors import FrontdeskError


class LockScreen(ModalScreen[bool]):
    """Dismissed with True once the same user's password is typed (or False to sign out)."""

    AUTO_FOCUS = "#unlock-password"

    def __init__(self, username: str, display_name: str) -> None:
        super().__init__()
        self.username = username
        self.display_name = display_name

    def compose(self) -> ComposeResult:
        with Center(id="lock-box"):
            with Vertical(id="lock-form"):
                yield Static(_("Locked"), id="lock-title")
                yield Static(_("{name}, type your password to go on.").format(name=self.display_name))
                yield Input(id="unlock-password", password=True)
                yield Static("", id="lock-error", classes="error")

    @on(Input.Submitted, "#unlock-password")
    def _submit(self, event: Input.Submitted) -> None:
        self._check(event.value)

    @work(thread=True, exclusive=True, group="unlock", exit_on_error=False)
    def _check(self, password: str) -> None:
        from frontdesk.services import sign_in

        try:
            sign_in.login(self.app.services, self.username, password)  # type: ignore[attr-defined]
        except FrontdeskError as exc:
            self.app.call_from_thread(self._fail, str(exc))
            return
        self.app.call_from_thread(self.dismiss, True)

    def _fail(self, message: str) -> None:
        self.query_one("#lock-error", Static).update(message)
        self.query_one("#unlock-password", Input).value = ""
