"""What the administration screen tests share: opening a screen, waiting, typing into a form."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Select

from .test_estimate import settle


async def open_screen(pilot: Pilot, screen: Screen, ready) -> Screen:  # type: ignore[no-untyped-def]
    """Push ``screen`` (the navigation entry is the integrator's) and wait until ``ready()`` holds."""
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and ready())
    return screen


async def fill(pilot: Pilot, **values: str) -> None:
    """Set the form's fields by id (text typed into inputs, a value picked in a choice)."""
    for name, value in values.items():
        widget = pilot.app.screen.query_one(f"#{name}")
        if isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value
    await pilot.pause()
