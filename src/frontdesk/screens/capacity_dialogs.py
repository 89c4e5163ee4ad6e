"""Appointment capacity at the desk: the lead's override, the new time of a moved appointment, the day's load.

- :class:`LeadOverrideDialog`: a booking refused over capacity is let in when the desk lead —
  the workshop supervisor or the service manager — types their user name and password here
  (the manager's approval dialog, screens/manager_approval.py, with the lead named instead);
  the service checks it (``auth.verify_manager``, the sign-in's lockout) and audits it.
- :class:`MoveDialog`: the new day and time of an appointment moved on the reminder call
  ("11-26 15:30"; + and - move it by half an hour), saved from the dialog; a refusal over
  capacity closes it with the refusal, for the screen to offer the lead's override.
- :func:`load_strip`: the day's bands as two lines — the hours, then each band's bookings
  as a digit (red when the band is full, yellow when it is full for the advisor chosen,
  dim when empty), the band of the time chosen underlined — and each trade's hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.services.capacity import DayCapacity, trade_short
from frontdesk.services.errors import FrontdeskError
from frontdesk.widgets.field import dialog_row
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.step_input import StepInput

from .decision import WHEN_FORMAT, RecordDialog, parse_when, step_when
from .manager_approval import ManagerApprovalScreen

FULL_STYLE = "bold white on red"
MINE_FULL_STYLE = "bold black on yellow"


class LeadOverrideDialog(ManagerApprovalScreen):
    """``LeadOverrideDialog(title=..., summary=..., save=...)``: ``save(approval, "")`` books over capacity."""

    def compose(self) -> ComposeResult:
        with Vertical(id="mgr-box"):
            yield Static(self._title, id="mgr-title")
            yield Static(self._summary, id="mgr-summary")
            yield from dialog_row(_("Supervisor or manager"), Input(id="manager", max_length=40, compact=True),
                                  css="mgr")
            yield from dialog_row(_("Password"), Input(id="password", password=True, max_length=200, compact=True),
                                  css="mgr")
            yield Static(_("The lead lets the booking in over capacity: F6 or Enter · Esc: cancel"),
                         classes="mgr-hint")
        yield KeyFooter()


class MoveDialog(RecordDialog):
    """``MoveDialog(title, current, now, save)``: ``save(when)`` moves the appointment."""

    AUTO_FOCUS = "#scheduled_at"
    FIELDS = ("scheduled_at",)

    def __init__(self, *, title: str, current: dt.datetime, now: dt.datetime,
                 save: Callable[[dt.datetime], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._current = current
        self._now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="move-box", classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield Static(_("Booked for {time}").format(time=self._current.strftime(WHEN_FORMAT)))
            yield from dialog_row(_("New time"), StepInput(
                lambda text, n: step_when(text, n, self._now), value=self._current.strftime(WHEN_FORMAT),
                id="scheduled_at", max_length=16, placeholder="YYYY-MM-DD HH:MM", compact=True))
            yield Static(_("+/- or Up/Down: half an hour later/earlier · F6 or Enter: move · Esc: back"),
                         classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> dt.datetime | None:
        when = parse_when(self.query_one("#scheduled_at", StepInput).value, self._now)
        if when is None:
            self._error("scheduled_at", _("Write the time as YYYY-MM-DD HH:MM, e.g. 2026-11-24 16:30."))
        return when

    def _refused(self, error: FrontdeskError) -> None:
        from frontdesk.services.capacity import CapacityError

        if isinstance(error, CapacityError):  # the screen offers the lead's override
            self._saving = False
            self.dismiss(error)
            return
        super()._refused(error)


def load_strip(load: DayCapacity, *, chosen: dt.datetime | None = None, advisor_id: int | None = None,
               width: int = 40) -> Text:
    """The hours over the bands, each band's bookings under them (· for none), then the trades' hours.

    A band takes two columns when the day fits ``width`` that way, else one (the hours then every other one).
    """
    bands = load.bands
    cell = 2 if len(bands) * 2 <= width else 1
    scale = Text(style="dim")
    digits = Text()
    labelled = -1  # the last column a label reaches
    for n, band in enumerate(bands):
        column = n * cell
        if band.start.minute == 0 and column > labelled and (cell == 2 or band.start.hour % 2 == 1):
            scale.append(" " * (column - len(scale.plain)) + f"{band.start.hour:02d}")
            labelled = column + 2
        mine = band.of(advisor_id)
        if band.full:
            style = FULL_STYLE
        elif mine is not None and mine.full:
            style = MINE_FULL_STYLE
        elif band.booked == 0:
            style = "dim"
        else:
            style = "bold"
        if chosen is not None and band.start <= chosen < band.end:
            style += " underline"
        digits.append(str(min(band.booked, 9)) if band.booked else "·", style=style)
        if cell == 2:
            digits.append(" ")
    out = Text()
    out.append_text(scale)
    out.append("\n")
    out.append_text(digits)
    out.append("\n")
    first = True
    for trade in load.trades:
        if trade.available is None and trade.booked == 0:
            continue
        if not first:
            out.append(" ")
        first = False
        figure = f"{trade.booked.normalize():f}/{trade.available.normalize():f}" if trade.available is not None \
            else f"{trade.booked.normalize():f}"
        out.append(f"{trade_short(trade.trade)} ")
        out.append(figure, style=FULL_STYLE if trade.full else "bold")
    if not first:
        out.append("h", style="dim")
    return out


def band_line(load: DayCapacity, chosen: dt.datetime, advisor_id: int | None, advisor: str) -> Text:
    """The chosen time's band: booked of its slots in total and for the advisor, FULL when it is."""
    band = next((b for b in load.bands if b.start <= chosen < b.end), None)
    if band is None:
        return Text(_("Outside the opening hours ({opens}–{closes}).").format(
            opens=f"{load.opens:%H:%M}", closes=f"{load.closes:%H:%M}"), style="bold red")
    text = Text(f"{band.start:%H:%M}–{band.end:%H:%M} ")
    text.append(_("{n}/{slots} booked").format(n=band.booked, slots=band.slots), style="bold")
    mine = band.of(advisor_id)
    if mine is not None:
        text.append(" · " + _("{advisor} {n}/{slots}").format(advisor=advisor, n=mine.booked, slots=mine.slots))
        if mine.full:
            text.append(" " + _("FULL"), style=MINE_FULL_STYLE)
    return text
