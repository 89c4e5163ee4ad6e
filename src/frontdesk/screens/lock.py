"""The idle lock: the desk is left alone, the screen hides everything until a password.

A plain opaque Screen (a ModalScreen may be translucent): nothing underneath shows through.
While it is up the app holds every other screen and notice (frontdesk.lock_gate); it lets
this screen pop only after ``released`` is set, which happens here and nowhere else. F1
lists this screen's own keys in place: a help screen above the lock would be one more
screen for the gate to trust.

A desk is shared: the cashier steps up to the advisor's locked terminal. F2 turns the form
into a sign-in for another user, through the same service as the login screen (audited,
and its lockout counts). The other user's arrival closes the locked user's screens, so when
one of them holds typed but unsaved work the lock says whose and what, and asks first (Y
signs in and drops it, N goes back): the question is asked here, in place, because the gate
holds any dialog pushed while locked, and the work is never shown to the newcomer. The
locked user can always unlock instead and save it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import BACK, HELP, NEW, binding, translate_bindings

from . import pipeline

if TYPE_CHECKING:
    from frontdesk.services.context import Actor


class LockScreen(Screen["bool | Actor"]):
    """Dismissed with True once the same user's password is typed, False to sign out, or another user's Actor."""

    AUTO_FOCUS = "#unlock-password"
    DEFAULT_CSS = """
    LockScreen #lock-other, LockScreen #lock-question { height: auto; }
    LockScreen #lock-hint { color: $text-muted; margin-top: 1; }
    LockScreen #lock-question-text { color: $warning; text-style: bold; }
    """
    # The app's F1 id, so a remapped help key works here too.
    BINDINGS = [
        Binding(HELP, "keys", "Help", tooltip="Every key of this screen", id="frontdesk.help"),
        binding(NEW, "other_user", "Another user", tooltip="Another user signs in at this terminal"),
        binding(BACK, "own_password", "Back", key_display="Esc",
                tooltip="Back to the locked user's password"),
        binding("y", "answer(True)", "Yes", show=False, tooltip="Sign in and drop the unsaved work"),
        binding("n", "answer(False)", "No", show=False, tooltip="Keep the locked user's work"),
    ]

    def __init__(self, username: str, display_name: str,
                 unsaved: Callable[[], Sequence[str]] = tuple) -> None:
        """``unsaved`` names the locked user's work that another user's sign-in would close unsaved."""
        super().__init__()
        translate_bindings(self)
        self.username = username
        self.display_name = display_name
        self.released = False  # the gate lets this screen pop once this is set
        self._unsaved = unsaved
        self._mode = "own"  # "own": the locked user's password; "other": another user; "ask": drop unsaved work?
        self._newcomer: Actor | None = None

    def compose(self) -> ComposeResult:
        with Center(id="lock-box"):
            with Vertical(id="lock-form"):
                yield Static(_("Locked"), id="lock-title")
                with Vertical(id="lock-own"):
                    yield Static(_("{name}, type your password to go on.").format(name=self.display_name))
                    yield Input(id="unlock-password", password=True)
                with Vertical(id="lock-other"):
                    yield Static(_("Another user signs in; {name}'s screens are closed.").format(
                        name=self.display_name))
                    yield Input(id="other-username", placeholder=_("User name"))
                    yield Input(id="other-password", password=True, placeholder=_("Password"))
                with Vertical(id="lock-question"):
                    yield Static("", id="lock-question-text")
                yield Static("", id="lock-error", classes="error")
                yield Static("", id="lock-hint")
                keys = Static("", id="lock-keys", markup=False)
                keys.display = False
                yield keys

    def on_mount(self) -> None:
        self._show_mode("own")

    # Modes -----------------------------------------------------------------------------------

    def _show_mode(self, mode: str) -> None:
        self._mode = mode
        self.query_one("#lock-own").display = mode == "own"
        self.query_one("#lock-other").display = mode == "other"
        self.query_one("#lock-question").display = mode == "ask"
        key = self._key_of("other_user")
        self.query_one("#lock-hint", Static).update(
            _("{key}: another user signs in").format(key=key) if mode == "own" else
            _("{key}: back to {name}'s password").format(key=key, name=self.display_name) if mode == "other" else
            _("Y: sign in and drop it · N: keep it"))
        self.query_one("#lock-error", Static).update("")
        if mode == "own":
            self.query_one("#unlock-password", Input).focus()
        elif mode == "other":
            self.query_one("#other-username", Input).focus()
        else:
            self.set_focus(None)  # Y and N answer; no field takes them as text
        self.refresh_bindings()

    def _key_of(self, action: str) -> str:
        """The key shown for ``action`` (a user's [keymap] may have moved it from F2)."""
        for bindings in self._bindings.key_to_bindings.values():
            for b in bindings:
                if b.action == action and b.show:
                    shown = self.app.get_key_display(b)
                    return shown.upper() if len(shown) <= 3 and shown[:1] == "f" else shown
        return NEW.upper()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            return self._mode == "ask"
        if action == "other_user":
            return self._mode != "ask"
        if action == "own_password":
            return self._mode != "own"
        return True

    def action_own_password(self) -> None:
        self._newcomer = None
        self.query_one("#unlock-password", Input).value = ""
        self._show_mode("own")

    def action_other_user(self) -> None:
        for field in ("#other-username", "#other-password", "#unlock-password"):
            self.query_one(field, Input).value = ""
        self._show_mode("other" if self._mode == "own" else "own")

    # The locked user ---------------------------------------------------------------------------

    @on(Input.Submitted, "#unlock-password")
    def _submit(self, event: Input.Submitted) -> None:
        self._check(event.value)

    def _check(self, password: str) -> None:
        """Through the pipeline (screens/pipeline.py): a refusal or an unexpected error is said under the field."""
        from frontdesk.services import sign_in

        pipeline.call(self, sign_in.login, self.app.services, self.username, password,  # type: ignore[attr-defined]
                      then=lambda _actor: self._release(True), failed=lambda error: self._fail(str(error)),
                      group="unlock", exclusive=True, saves=False)

    # Another user ------------------------------------------------------------------------------

    @on(Input.Submitted, "#other-username")
    def _to_password(self) -> None:
        self.query_one("#other-password", Input).focus()

    @on(Input.Submitted, "#other-password")
    def _submit_other(self) -> None:
        from frontdesk.services import sign_in

        username = self.query_one("#other-username", Input).value
        password = self.query_one("#other-password", Input).value
        if not username.strip():
            self._fail(_("Enter your user name."))
            self.query_one("#other-username", Input).focus()
            return
        self.query_one("#lock-error", Static).update(_("Checking…"))
        pipeline.call(self, sign_in.login, self.app.services, username, password,  # type: ignore[attr-defined]
                      then=self._signed_in, failed=lambda error: self._fail(str(error)),
                      group="unlock", exclusive=True, saves=False)

    def _signed_in(self, actor: Actor) -> None:
        if actor.username == self.username:  # the locked user, by the other door: just unlock
            self._release(True)
            return
        unsaved = list(self._unsaved())
        if not unsaved:
            self._release(actor)
            return
        self._newcomer = actor
        self.query_one("#lock-question-text", Static).update(
            _("{name} has unsaved work on this terminal: {what}. Signing in closes it and the changes are lost.")
            .format(name=self.display_name, what=", ".join(unsaved)))
        self._show_mode("ask")

    def action_answer(self, drop: bool) -> None:
        newcomer, self._newcomer = self._newcomer, None
        if drop and newcomer is not None:
            self._release(newcomer)
            return
        self._show_mode("own")  # kept: the locked user unlocks and saves it

    # Shared ------------------------------------------------------------------------------------

    def _release(self, result: bool | Actor) -> None:
        self.released = True
        self.dismiss(result)

    def action_keys(self) -> None:
        """This screen's keys and the app's that still work (the gate disables the rest), not an input's editing keys."""
        keys = self.query_one("#lock-keys", Static)
        keys.display = not keys.display
        rows = [(_("Enter"), _("Unlock"))] + [
            (self.app.get_key_display(a.binding), a.binding.description)
            for a in self.active_bindings.values()
            if a.enabled and a.binding.show and a.node in (self, self.app)
            and (a.binding.id or "").startswith("frontdesk.")
        ]
        keys.update("\n".join(key + " " * max(2, 10 - cell_len(key)) + text for key, text in rows))

    def _fail(self, message: str) -> None:
        self.query_one("#lock-error", Static).update(message)
        for field in ("#unlock-password", "#other-password"):
            self.query_one(field, Input).value = ""
        if self._mode == "other":
            self.query_one("#other-password", Input).focus()
