"""The Textual App: nothing but the app class and its factory (screens live in screens/)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding

from frontdesk.i18n import current_language, gettext as _, set_language
from frontdesk.keys import HELP, LOCK, binding, translate_bindings
from frontdesk.lock_gate import LockableApp

if TYPE_CHECKING:
    from frontdesk.config import Settings
    from frontdesk.services.context import Actor, Services


def _navigation_commands():  # type: ignore[no-untyped-def]
    """The palette's provider, imported when the palette first opens (it pulls in the model)."""
    from frontdesk.commands import NavigationCommands

    return NavigationCommands


def _system_commands():  # type: ignore[no-untyped-def]
    """Help and quit, translated and found by pinyin (frontdesk.palette), instead of Textual's provider."""
    from frontdesk.palette import SystemCommands

    return SystemCommands


class FrontdeskApp(LockableApp):
    CSS_PATH = "assets/styles/app.tcss"
    TITLE = "frontdesk"
    COMMANDS = {_system_commands, _navigation_commands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, services: Services, *, actor: Actor | None = None, show_clock: bool = True) -> None:
        """``actor`` starts the console signed in (tests, benchmarks); ``show_clock`` False keeps snapshots stable."""
        super().__init__()
        self.services = services
        self.actor: Actor | None = actor
        self.show_clock = show_clock
        self._last_input = time.monotonic()
        self.idle_limit = services.settings.idle_lock_minutes * 60
        translate_bindings(self)
        self.set_keymap(services.settings.keymap)  # [keymap] in config.toml: a user's own keys

    BINDINGS = [
        # In order of importance: the footer keeps F1 and drops the others from the end when short of room.
        binding(HELP, "help", "Help", tooltip="Every key of this screen"),
        binding(LOCK, "lock", "Lock", tooltip="Lock the terminal until your password is typed"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="frontdesk.quit"),
        # Our own palette binding (Textual adds an untranslated one otherwise); the footer shows it on the right.
        binding("ctrl+p", "command_palette", "Commands", show=False, priority=True,
                tooltip="Every screen and the main actions, by name"),
    ]

    def on_mount(self) -> None:
        from frontdesk import gc_hold

        self.call_after_refresh(gc_hold.release)  # started: collect garbage again (frontdesk.gc_hold)
        self.title = self.services.settings.dealership.name
        self.set_interval(5, self._check_idle)
        if self.actor is not None:
            self._enter(self.actor, switch=False)
            return
        from frontdesk.screens.login import LoginScreen

        self.push_screen(LoginScreen())

    # Login, lock, sign out --------------------------------------------------------------

    def on_login_screen_logged_in(self, message) -> None:  # type: ignore[no-untyped-def]
        self._enter(message.actor, switch=True)

    def open_database(self) -> None:
        """Called once the login form is painted: open the database while the user types."""
        open_in_background = getattr(self.services, "open_in_background", None)
        if open_in_background is not None:  # frontdesk.deferred
            open_in_background(self._database_failed)

    def _database_failed(self, message: str) -> None:
        self.call_from_thread(self.exit, None, 1, message)

    def _enter(self, actor: Actor, *, switch: bool) -> None:
        from frontdesk.labels import ROLE, label
        from frontdesk.navigation import home_for

        if hasattr(self.services, "open_in_background"):  # signed in, so the database is open
            self.services = self.services.open()
        if getattr(self.services, "db", None) is not None:  # a save waiting for another terminal's lock says so
            self.services.db.on_wait = lambda: self.notify(_("Another terminal is saving; waiting for it…"))
        self.actor = actor
        sub_title = f"{actor.display_name} · {label(ROLE, actor.role)}"
        home = home_for(actor.role)()
        if switch:
            # Named once the screen it replaces is gone: a header half taken down (its title
            # already removed, itself not yet) would fail to show the new name (Textual's Header
            # watches the app's sub_title and looks for its title widget).
            home.sub_title = sub_title  # its own header names the new user from the first frame
            replaced = self.switch_screen(home)

            async def name_the_user() -> None:
                await replaced
                self.sub_title = sub_title

            self.call_later(name_the_user)
        else:
            self.sub_title = sub_title
            self.push_screen(home)

    async def action_logout(self) -> None:
        from frontdesk.screens.login import LoginScreen

        # The user is forgotten once their screens are gone: a screen uncovered on the way out
        # (the home under the approvals, say) resumes and may read as that user, never as nobody.
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(LoginScreen())
        self.sub_title = ""  # once the user's screens are gone (see _enter)
        self.actor = None

    def action_lock(self) -> None:
        if self.actor is None or self.locked:
            return
        from frontdesk.screens.lock import LockScreen

        def unlocked(result: bool | Actor | None) -> None:
            # Signed out, or another user signed in: the next user sees none of what was held.
            self.release(replay=result is True)
            self._last_input = time.monotonic()
            if result is None or result is False:
                self.call_later(self.action_logout)
            elif result is not True:
                self.call_later(self.hand_over, result)

        self.lock_with(LockScreen(self.actor.username, self.actor.display_name, self.unsaved_work), unlocked)

    async def hand_over(self, actor: Actor) -> None:
        """A shared desk: another user signed in at the lock; the last one's screens close, theirs opens."""
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        self._enter(actor, switch=True)

    def unsaved_work(self) -> list[str]:
        """What the open screens hold typed but unsaved: each screen that can lose work says so (``unsaved_work``)."""
        found: list[str] = []
        for screen in self.screen_stack:
            ask = getattr(screen, "unsaved_work", None)
            if callable(ask) and (what := ask()):
                found.append(str(what))
        return found

    def _check_idle(self) -> None:
        if self.actor is not None and not self.locked and time.monotonic() - self._last_input > self.idle_limit:
            self.action_lock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    # Help, navigation, language -----------------------------------------------------------

    def get_system_commands(self, screen):  # type: ignore[no-untyped-def]
        from frontdesk.palette import system_commands

        return system_commands(self, screen)  # not Textual's Theme, Keys, Maximize, Screenshot

    def action_command_palette(self) -> None:
        from frontdesk.palette import open_palette

        if not self.locked:
            open_palette(self)  # its placeholder and "No matches found" in the console's language

    def action_help(self) -> None:
        from frontdesk.screens.help import HelpScreen, help_rows

        self.push_screen(HelpScreen(help_rows(self.screen)))

    def open_destination(self, key: str, *, switch: bool = False, **kwargs: object) -> None:
        """Every jump between screens: the role is checked here, and screens never import each other."""
        from frontdesk.navigation import DESTINATIONS

        dest = next(d for d in DESTINATIONS if d.key == key)
        if self.actor is None or self.actor.role not in dest.roles:
            self.notify(_("Your role cannot open this screen."), severity="warning")
            return
        screen = dest.open(**kwargs)
        setattr(screen, "destination", key)  # what it was opened as (DeskScreen.destination)
        (self.switch_screen if switch else self.push_screen)(screen)

    def action_toggle_language(self) -> None:
        self.switch_language("en" if current_language() == "zh_CN" else "zh_CN")

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        translate_bindings(self)
        for screen in self.screen_stack:
            translate_bindings(screen)
        self.refresh_bindings()
        self.notify(_("Language switched; screens opened from now on use it."))

    def apply_settings(self, settings: Settings) -> None:
        """Saved settings take effect at once: screens and services read them through ``self.services``."""
        self.services.settings = settings
        self.idle_limit = settings.idle_lock_minutes * 60
        self.title = settings.dealership.name
        if settings.language != current_language():
            self.switch_language(settings.language)


def make_app(services: Services, *, actor: Actor | None = None, show_clock: bool = True) -> FrontdeskApp:
    """Build the real app on a real database: used by the CLI and the tests alike."""
    return FrontdeskApp(services, actor=actor, show_clock=show_clock)
