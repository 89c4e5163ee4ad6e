"""The pickup time agreed with the customer (约定交车时间), typed while they are on the phone.

One field: "16:30" (today), "11-25 09:00" or "2026-11-25 09:00"; + and - (or Up/Down) move
it by half an hour. F6 or Enter records it, an empty field clears it, Esc goes back. It is
saved from the dialog (services/pickup.py); a refusal shows beside the field and what was
typed stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from frontdesk.i18n import gettext as _
from frontdesk.widgets.field import dialog_row
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.step_input import StepInput

from .decision import WHEN_FORMAT, RecordDialog, parse_when, step_when

NO_TIME = object()  # what the dialog hands ``save`` for an empty field: clear the agreed time


class PickupDialog(RecordDialog):
    """``PickupDialog(title, current, proposed, now, save)``: ``save(when or None)``."""

    AUTO_FOCUS = "#pickup_at"
    FIELDS = ("pickup_at",)

    def __init__(self, *, title: str, current: dt.datetime | None, proposed: dt.datetime, now: dt.datetime,
                 save: Callable[[dt.datetime | None], Any]) -> None:
        super().__init__(lambda when: save(None if when is NO_TIME else when))
        self._title = title
        self._current = current
        self._proposed = proposed
        self._now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="pickup-box", classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            current = self._current.strftime(WHEN_FORMAT) if self._current else _("none yet")
            yield Static(_("Agreed so far: {time}").format(time=current), id="pickup-current")
            yield from dialog_row(_("Pickup time"), StepInput(
                lambda text, n: step_when(text, n, self._now), value=self._proposed.strftime(WHEN_FORMAT),
                id="pickup_at", max_length=16, placeholder="YYYY-MM-DD HH:MM", compact=True))
            yield Static(_("+/- or Up/Down: half an hour later/earlier · empty: none agreed · F6 or Enter: record"),
                         classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> object | None:
        text = self.query_one("#pickup_at", StepInput).value.strip()
        if not text:
            return NO_TIME
        when = parse_when(text, self._now)
        if when is None:
            self._error("pickup_at", _("Write the time as YYYY-MM-DD HH:MM, e.g. 2026-11-24 16:30."))
            return None
        return when


def proposed_pickup(now: dt.datetime, promised: dt.datetime | None, current: dt.datetime | None) -> dt.datetime:
    """What the field starts with: the time agreed already, else the promised time if still ahead, else the next half hour."""
    if current is not None:
        return current
    if promised is not None and promised > now:
        return promised
    minutes = (now.minute // 30 + 1) * 30
    return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(minutes=minutes)
