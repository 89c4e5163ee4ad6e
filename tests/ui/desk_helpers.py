"""What the desk-home and appointments tests share: stand-in screens, typing, waiting.

The check-in and estimate screens are replaced by recorders (:func:`install`), so a test
asserts the class name of the screen that was opened and exactly the arguments it got;
Esc pops the stand-in again (back on the screen under test, which then refreshes).
"""

from __future__ import annotations

import sys
import types
import unicodedata

import pytest
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.widgets import DataTable, Static


class _Recorder(Screen[None]):
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Static(f"{type(self).__name__} {self.args}")


class CheckInScreen(_Recorder):
    def __init__(self, vehicle_id: int | None = None, appointment_id: int | None = None,
                 prefill: str | None = None) -> None:
        super().__init__()
        self.args = {"vehicle_id": vehicle_id, "appointment_id": appointment_id}
        if prefill is not None:
            self.args["prefill"] = prefill


class EstimateScreen(_Recorder):
    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.args = {"order_id": order_id}


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    import frontdesk.screens  # noqa: F401  (the package the stand-ins are hung on)

    for name, cls in (("checkin", CheckInScreen), ("estimate", EstimateScreen)):
        module = types.ModuleType(f"frontdesk.screens.{name}")
        setattr(module, cls.__name__, cls)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setattr(sys.modules["frontdesk.screens"], name, module, raising=False)


async def settle(pilot, wait: float = 0.25) -> None:  # type: ignore[no-untyped-def]
    """Past the search debounce, every worker done, the screen redrawn."""
    await pilot.pause(wait)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``text`` key by key; Pilot cannot name some characters (the plate's "·"), send those as is."""
    for ch in text:
        if not ch.isalnum():
            key = _character_to_key(ch)
            try:
                unicodedata.lookup(_get_unicode_name_from_key(key))  # what Pilot does with it
            except KeyError:
                pilot.app._driver.send_message(events.Key(key, ch))
                await pilot.pause()
                continue
        await pilot.press(ch)


def rows(app, table_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def screen_name(app) -> str:  # type: ignore[no-untyped-def]
    return type(app.screen).__name__


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The messages of the notifications on show."""
    return [n.message for n in app._notifications]
