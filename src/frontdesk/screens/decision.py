"""What the advisor records after calling the customer: their answer on additional work, or a slip.

Two dialogs over the approvals screen (screens/approvals.py):

- :class:`DecisionDialog`: the customer approved (or declined) the work. Who answered
  (the customer by default: the person who brought the car may answer instead), how
  (phone, in person, WeChat, text message) and a note; the time is now. The amount and
  what the order comes to are read back before it is recorded.
- :class:`SlipDialog`: the car will be late. The new promised time (+/- or Up/Down move
  it by half an hour), who was told, how, and what they were told.

F6 or Enter records, Esc goes back without recording. The record is saved from the
dialog (``save`` goes through the pipeline, screens/saving_dialog.py); a refusal is shown beside
its field and the dialog stays open with what was typed, so nothing has to be typed twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from frontdesk.i18n import C_, gettext as _
from frontdesk.keys import SAVE, back, binding
from frontdesk.labels import CHANNEL, label
from frontdesk.model.enums import DecisionChannel
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.widgets.field import dialog_field, dialog_row
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.step_input import StepInput

from .saving_dialog import SavingDialog

WHEN_FORMAT = "%Y-%m-%d %H:%M"
STEP_MINUTES = 30


def parse_when(text: str, now: dt.datetime) -> dt.datetime | None:
    """"2026-11-24 16:30", "11-24 16:30" (this year) or "16:30" (today); None when it is none of them."""
    raw = " ".join(text.split())
    for fmt, fill in ((WHEN_FORMAT, None), ("%m-%d %H:%M", "year"), ("%H:%M", "day")):
        try:
            parsed = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if fill == "year":
            return parsed.replace(year=now.year)
        if fill == "day":
            return dt.datetime.combine(now.date(), parsed.time())
        return parsed
    return None


def step_when(text: str, n: int, now: dt.datetime) -> str | None:
    """Half an hour later (n=1) or earlier (n=-1), onto the half-hour grid."""
    when = parse_when(text, now)
    if when is None:
        return None
    minutes = when.hour * 60 + when.minute
    grid = minutes // STEP_MINUTES + n if n > 0 else -(-minutes // STEP_MINUTES) + n
    stepped = dt.datetime.combine(when.date(), dt.time()) + dt.timedelta(minutes=grid * STEP_MINUTES)
    return stepped.strftime(WHEN_FORMAT)


def channel_options() -> list[tuple[str, str]]:
    return [(label(CHANNEL, code), code) for code in CHANNEL]  # the phone first: most answers come that way


def _channel() -> Select[str]:
    return Select(channel_options(), value=DecisionChannel.PHONE.value, allow_blank=False, id="channel", compact=True)


@dataclass(frozen=True)
class Answer:
    """The customer's answer as typed in the dialog."""

    approved: bool
    who: str
    channel: str
    note: str


@dataclass(frozen=True)
class Slip:
    promised_at: dt.datetime
    told: str
    channel: str
    note: str


class RecordDialog(SavingDialog):
    """Saves what :meth:`entered` reads through ``save`` in the pipeline; dismissed with its result, or ``None`` (Esc).

    Any failure comes back to ``_refused``: an unexpected one (logged) as an ``UnexpectedError``
    saying nothing was saved, which closes the dialog for the screen underneath to report.
    """

    CSS_PATH = "../assets/styles/dialog.tcss"
    BINDINGS = [
        binding(SAVE, "record", C_("command", "Record"), tooltip="Record it (Enter in a field does the same)"),
        back("Cancel"),
    ]
    FIELDS: tuple[str, ...] = ()

    def entered(self) -> Any | None:
        """What was typed, or None (with the reason beside the field)."""
        raise NotImplementedError

    @on(Input.Submitted)
    def action_record(self) -> None:
        if self._saving:
            return
        for name in self.FIELDS:
            self._error(name, "")
        value = self.entered()
        if value is not None:
            self._record(value)

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and error.field in self.FIELDS:
            self._saving = False
            self._error(error.field, error.message)
            return
        # A conflict or a refused transition: the screen under the dialog reports it and reloads.
        super()._refused(error)


class DecisionDialog(RecordDialog):
    """``DecisionDialog(approved, title, summary, customer, save)``: who answered, how, a note."""

    AUTO_FOCUS = "#who"
    FIELDS = ("who", "decided_by", "channel", "note")

    def __init__(self, *, approved: bool, title: str, summary: str, customer: str, now: dt.datetime,
                 save: Callable[[Answer], Any]) -> None:
        super().__init__(save)
        self._approved = approved
        self._title = title
        self._summary = summary
        self._customer = customer
        self._now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box", classes="dialog-box " + ("-approved" if self._approved else "-declined")):
            yield Static(self._title, id="decision-title", classes="dialog-title")
            yield Static(self._summary, id="decision-summary")
            yield from dialog_field("who", _("Who answered"), value=self._customer, max_length=80)
            yield from dialog_row(_("How"), _channel())
            yield from dialog_field("note", _("Note"), max_length=400,
                                    placeholder=_("What the customer said (optional)"))
            yield Static(_("Recorded as of now ({time}). F6 or Enter: record · Esc: back").format(
                time=self._now.strftime("%H:%M")), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> Answer | None:
        who = self.query_one("#who", Input).value.strip()
        if not who:
            self._error("who", _("Type who answered."))
            return None
        channel = self.query_one("#channel", Select).value
        return Answer(self._approved, who, str(channel), self.query_one("#note", Input).value.strip())

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError) and error.field == "decided_by":
            self._saving = False
            self._error("who", error.message)
            return
        super()._refused(error)


class SlipDialog(RecordDialog):
    """``SlipDialog(title, current, proposed, customer, save)``: the new promised time and what was said."""

    AUTO_FOCUS = "#promised_at"
    FIELDS = ("promised_at", "told", "channel", "note")

    def __init__(self, *, title: str, current: str, proposed: dt.datetime, customer: str, now: dt.datetime,
                 save: Callable[[Slip], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._current = current
        self._proposed = proposed
        self._customer = customer
        self._now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="slip-box", classes="dialog-box"):
            yield Static(self._title, id="slip-title", classes="dialog-title")
            yield Static(_("Promised now: {time}").format(time=self._current), id="slip-current")
            yield from dialog_row(_("New promised time"), StepInput(
                lambda text, n: step_when(text, n, self._now), value=self._proposed.strftime(WHEN_FORMAT),
                id="promised_at", max_length=16, placeholder="YYYY-MM-DD HH:MM", compact=True))
            yield from dialog_field("told", _("Who was told"), value=self._customer, max_length=80)
            yield from dialog_row(_("How"), _channel())
            yield from dialog_field("note", _("What they were told"), max_length=400,
                                    placeholder=_("e.g. the part arrives tomorrow"))
            yield Static(_("+/- or Up/Down: half an hour later/earlier · F6 or Enter: record · Esc: back"),
                         classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> Slip | None:
        when = parse_when(self.query_one("#promised_at", StepInput).value, self._now)
        if when is None:
            self._error("promised_at", _("Write the time as YYYY-MM-DD HH:MM, e.g. 2026-11-24 16:30."))
            return None
        told = self.query_one("#told", Input).value.strip()
        if not told:
            self._error("told", _("Type who was told."))
            return None
        return Slip(when, told, str(self.query_one("#channel", Select).value),
                    self.query_one("#note", Input).value.strip())
