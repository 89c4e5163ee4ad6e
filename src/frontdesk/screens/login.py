"""Login: one terminal, one user at a time; the role decides what is offered next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Static

from frontdesk.bench_hook import screen_ready
from frontdesk.i18n import gettext as _
from frontdesk.widgets.key_footer import KeyFooter

from . import pipeline

if TYPE_CHECKING:
    from frontdesk.services.context import Actor, Services
    from frontdesk.services.errors import FrontdeskError


class LoginScreen(Screen[None]):
    """Asks for a user name and password; posts ``LoggedIn`` when they are right."""

    AUTO_FOCUS = "#username"

    def __init__(self) -> None:
        super().__init__()
        self._prepared_for = ""

    class LoggedIn(Message):
        def __init__(self, actor: Actor) -> None:
            super().__init__()
            self.actor = actor

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        with Center(id="login-box"):
            with Vertical(id="login-form"):
                yield Static(_("Sign in"), id="login-title")
                yield Label(_("User name"))
                yield Input(id="username", placeholder=_("e.g. advisor"))
                yield Label(_("Password"))
                yield Input(id="password", password=True)
                yield Static("", id="login-error", classes="error")
                yield Button(_("Sign in"), id="login-submit", variant="primary")
        yield KeyFooter()

    def on_mount(self) -> None:
        screen_ready(self.app, "login")  # benchmarks only: see frontdesk.bench_hook
        self.call_after_refresh(self.app.open_database)  # type: ignore[attr-defined]

    @on(Input.Submitted, "#username")
    def _next_field(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Blurred, "#username")
    def _username_given(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        if username and username != self._prepared_for:
            self._prepared_for = username
            self._prepare_home(username)

    def _prepare_home(self, username: str) -> None:
        """While the password is typed, load the code of the screen this user sees first.

        A cashier's or a supervisor's home reads through the ORM: loading it here (a third of
        a second) hides that behind the typing. The desk home needs no ORM and loads none.
        Only a convenience: a failure here is logged and not shown, the sign-in that follows
        says what is wrong.
        """
        pipeline.call(self, _load_home_of, self.app.services, username,  # type: ignore[attr-defined]
                      failed=_quiet, group="login-prepare", exclusive=True, saves=False)

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login-submit")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username.strip():
            self._show_error(_("Enter your user name."))
            self.query_one("#username", Input).focus()
            return
        self.query_one("#login-error", Static).update(_("Checking…"))
        self._check(username, password)

    def _check(self, username: str, password: str) -> None:
        """Signed in: ``LoggedIn``; refused or broken: the reason under the form, which stays usable."""
        from frontdesk.services import sign_in

        def signed_in(actor: Actor) -> None:
            self.post_message(self.LoggedIn(actor))

        worker = pipeline.call(self, sign_in.login, self.app.services, username, password,  # type: ignore[attr-defined]
                               then=signed_in, failed=self._refused, group="login", exclusive=True, saves=False)
        # What is typed after Enter (a plate, say) is for the home screen: it waits for the answer (key_hold).
        hold = getattr(self.app, "hold_keys_for", None)
        if hold is not None:
            hold(worker, "sign-in")

    def _refused(self, error: FrontdeskError) -> None:
        """Keys typed ahead were meant for a desk that did not open: they must not become the next password."""
        drop = getattr(self.app, "drop_typed_ahead", None)
        if drop is not None:
            drop()
        self._show_error(str(error))

    def _show_error(self, message: str) -> None:
        self.query_one("#login-error", Static).update(message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()


def _load_home_of(services: Services, username: str) -> None:
    from importlib import import_module

    from frontdesk.navigation import home_module
    from frontdesk.services import sign_in

    role = sign_in.role_named(services, username)
    if role is not None:
        import_module(home_module(role))


def _quiet(error: FrontdeskError) -> None:
    """Nothing to show: the pipeline has logged it, and the sign-in itself reports."""
