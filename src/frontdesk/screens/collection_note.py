"""A collection follow-up (催收) on one receivable: when to chase next, and what was done or said.

Opened over the receivables screen (screens/receivables.py) and the insurer collection
queue (screens/insurer_collection.py) on the highlighted receivable. The next action date
is typed (2026-12-01, or 12-01 for the next such day) or stepped with +/- or Up/Down a day
at a time from the one set now (tomorrow when none is); emptied, the receivable has no
next action. The note is appended to the receivable's notes with the day and the user
(``ledger.follow_up``; its history is in the audit trail), so the last notes are shown
above the field. Enter in the note goes on to the date, Enter there or F6 records, Esc goes
back; a refusal (a past date, nothing said) is shown beside its field and the dialog stays
open with what was typed.

The dialog is dismissed with the ``ledger.ReceivableRef`` recorded, ``None`` on Esc, or a
``FrontdeskError`` the screen underneath reports (another terminal changed the receivable).
"""

from __future__ import annotations

import datetime as dt
import re

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.services import ledger
from frontdesk.widgets.field import dialog_field, dialog_row
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.step_input import StepInput

from .decision import RecordDialog

_DAY = re.compile(r"^\s*(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})\s*$")
NOTE_LINES = 3  # the last notes shown above the field


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """2026-12-01 (or with / .), or 12-01: the next such day from today; None when it is not a date."""
    m = _DAY.match(text)
    if m is None:
        return None
    year, month, day = m.groups()
    try:
        if year is not None:
            return dt.date(int(year), int(month), int(day))
        guess = dt.date(today.year, int(month), int(day))
        return guess if guess >= today else dt.date(today.year + 1, int(month), int(day))
    except ValueError:
        return None


def step_day(text: str, n: int, today: dt.date) -> str | None:
    """A day later (n=1) or earlier; an empty field starts from tomorrow."""
    day = parse_day(text, today) if text.strip() else today
    return None if day is None else (day + dt.timedelta(days=n)).isoformat()


class CollectionNoteDialog(RecordDialog):
    """``CollectionNoteDialog(receivable_id, version, next_action_on, note, title=..., summary=...)``."""

    AUTO_FOCUS = "#note"
    FIELDS = ("next_action_on", "note")

    def __init__(self, receivable_id: int, version: int, next_action_on: dt.date | None, note: str, *,
                 title: str = "", summary: str = "") -> None:
        super().__init__(self._follow_up)
        self._receivable_id = receivable_id
        self._version = version
        self._next = next_action_on
        self._note = note
        self._title = title or _("Collection follow-up")
        self._summary = summary

    def _today(self) -> dt.date:
        return self.app.services.clock().date()  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        today = self._today()
        with Vertical(id="collection-box", classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            if self._summary:
                yield Static(self._summary, classes="dialog-summary")
            earlier = [line for line in self._note.splitlines() if line.strip()][-NOTE_LINES:]
            yield Static("\n".join(earlier) if earlier else _("No notes yet."), id="collection-notes",
                         classes="dialog-summary")
            yield from dialog_field("note", _("What was done"), max_length=500,
                                    placeholder=_("e.g. called the assessor: paid by month end"))
            yield from dialog_row(_("Next action"), StepInput(
                lambda text, n: step_day(text, n, today), value=self._next.isoformat() if self._next else "",
                id="next_action_on", max_length=10, placeholder=_("YYYY-MM-DD, empty: none"), compact=True))
            yield Static(_("+/- or Up/Down: a day later/earlier · F6 or Enter: record · Esc: back"),
                         classes="dialog-hint")
        yield KeyFooter()

    @on(Input.Submitted)
    def _on_to_the_date(self, event: Input.Submitted) -> None:
        """Enter in the note goes on to the next date; Enter there (or F6 anywhere) records.

        Recording on the note's Enter lost the date typed next — the follow-up's point — and
        its keys landed on the list underneath.
        """
        if event.input.id == "note":
            event.prevent_default()  # not RecordDialog's Enter-records
            event.stop()
            self.query_one("#next_action_on", StepInput).focus()

    def entered(self) -> tuple[dt.date | None, str] | None:
        raw = self.query_one("#next_action_on", StepInput).value.strip()
        day = parse_day(raw, self._today()) if raw else None
        if raw and day is None:
            self._error("next_action_on", _("Write the date as YYYY-MM-DD, e.g. 2026-12-01."))
            return None
        return day, self.query_one("#note", Input).value.strip()

    def _follow_up(self, entry: tuple[dt.date | None, str]) -> ledger.ReceivableRef:
        """Runs in the pipeline's worker: the one service call."""
        day, note = entry
        fd = self.app
        return ledger.follow_up(fd.services, fd.actor, self._receivable_id, day, note,  # type: ignore[attr-defined]
                                expected_version=self._version)
