"""While the console is locked nothing but the lock may show: what asks to show something waits here.

Screens push, switch, pop and notify from workers that finish whenever their service call
returns, and the app's keys and the command palette work over any screen. Rather than teach
every screen about the lock, the app is a :class:`LockableApp`: while a lock screen is up,
those calls are held in order and done once the password is typed — or dropped when the
user signs out instead, so the next user sees nothing of the last one's work. App actions
other than quitting are refused outright (a palette opening after unlock would surprise).

The gate is also where keys wait for their screen (frontdesk.key_hold): a :class:`LockableApp`
is a ``KeyHoldApp``, so a password typed ahead of the lock screen lands in its field.

Pops need care: Textual's ``Screen.dismiss`` pops whatever is on top, so a modal underneath
answering from its worker would lift the lock. Only the lock screen popping itself passes,
once it has set ``released`` (see screens/lock.py).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.await_complete import AwaitComplete
from textual.command import CommandPalette
from textual.screen import Screen

from frontdesk.key_hold import KeyHoldApp

# The app's own actions a locked console still runs: quitting, and moving focus on the lock's form.
LOCKED_ACTIONS = frozenset({"quit", "focus_next", "focus_previous"})


class LockableApp(KeyHoldApp):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock: Screen[Any] | None = None
        self._held: list[Callable[[], object]] = []
        self._held_mutex = threading.Lock()  # notify is called from worker threads

    @property
    def locked(self) -> bool:
        return self._lock is not None

    def lock_with(self, screen: Screen[Any], callback: Callable[[Any], None]) -> None:
        """Cover everything with ``screen``; ``callback`` gets its result and must call :meth:`release`."""
        if CommandPalette.is_open(self):  # opened before the lock: it must not wait underneath
            self.pop_screen()
        self.clear_notifications()  # a notice on show may name a customer
        self.push_screen(screen, callback)
        self._lock = screen

    def release(self, *, replay: bool) -> None:
        """Open the gate and do what was held, in order (``replay``), or forget it (signed out)."""
        with self._held_mutex:
            held, self._held, self._lock = self._held, [], None
        for do in held if replay else ():
            do()

    def _hold(self, do: Callable[[], object]) -> bool:
        with self._held_mutex:
            if self._lock is not None:
                self._held.append(do)
            return self._lock is not None

    # The gated calls --------------------------------------------------------------------

    def push_screen(self, screen: Any, callback: Any = None, wait_for_dismiss: bool = False,
                    *, mode: str | None = None) -> Any:
        if self._lock is None:
            return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload]
        if not wait_for_dismiss:
            self._hold(partial(super().push_screen, screen, callback, mode=mode))
            return AwaitComplete.nothing()
        result: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def answered(value: Any) -> None:
            result.set_result(value)
            if callback is not None:
                callback(value)

        self._hold(partial(super().push_screen, screen, answered, mode=mode))
        return result

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        if self._hold(partial(super().switch_screen, screen)):
            return AwaitComplete.nothing()
        return super().switch_screen(screen)

    def pop_screen(self) -> AwaitComplete:
        if self._lock is not None and not (self.screen is self._lock and getattr(self._lock, "released", False)):
            self._hold(super().pop_screen)
            return AwaitComplete.nothing()
        return super().pop_screen()

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        do = partial(super().notify, message, title=title, severity=severity, timeout=timeout, markup=markup)
        if not self._hold(do):
            do()

    def holds_keys(self, node: Any, *, saves: bool) -> bool:
        """The lock's password check too: its answer lifts the lock, and what is typed after Enter is for the desk."""
        try:
            on_lock = self._lock is not None and node.screen is self._lock
        except Exception:  # noqa: BLE001 - not on a screen: not the lock's
            on_lock = False
        return on_lock or super().holds_keys(node, saves=saves)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._lock is not None and action not in LOCKED_ACTIONS:
            return False
        return super().check_action(action, parameters)

    def action_command_palette(self) -> None:
        if self._lock is None:
            super().action_command_palette()
