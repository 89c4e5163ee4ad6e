"""Shared by the check-in and walkaround tests: row counts, waiting for a chain of workers."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select
from textual.pilot import Pilot

from frontdesk.model import Customer, RepairOrder, Vehicle
from frontdesk.services.context import Services


def counts(services: Services) -> tuple[int, int, int]:
    """(customers, vehicles, repair orders) in the database."""
    with services.db.reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0 for m in (Customer, Vehicle, RepairOrder))  # type: ignore[return-value]


async def settle(pilot: Pilot, until: Callable[[], bool] | None = None, timeout: float = 10.0) -> None:
    """Let the workers finish; with ``until``, go on until it holds (a save is a chain of workers)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if until is None or until():
            return
        assert time.monotonic() < deadline, "timed out waiting for the screen"
        await pilot.pause(0.05)


def screen_name(pilot: Pilot) -> str:
    return type(pilot.app.screen).__name__
