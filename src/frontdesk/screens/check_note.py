"""A check recorded over the checks screen (screens/checks.py): notes, and the leader's recommendations.

One dialog for every check: the self-check, the team leader's check (passed, with notes
and recommendations for the customer, or sent back to the technician), the final QC
(passed, or failed: the job goes back and counts one rework, so the notes must say what
failed). F6 or Enter records, Esc goes back; a refusal is shown beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.widgets.field import dialog_field
from frontdesk.widgets.key_footer import KeyFooter

from .decision import RecordDialog

#: What each kind of check records, and whether it sends the job back.
KINDS = ("self", "leader", "back", "pass", "fail")
SENDS_BACK = ("back", "fail")


@dataclass(frozen=True)
class CheckEntry:
    kind: str
    notes: str
    recommendations: str


class CheckDialog(RecordDialog):
    """``CheckDialog(kind=..., title=..., summary=..., save=...)``, dismissed with ``save``'s result."""

    AUTO_FOCUS = "#notes"
    FIELDS = ("notes", "recommendations")

    def __init__(self, *, kind: str, title: str, summary: str, save: Callable[[CheckEntry], Any]) -> None:
        super().__init__(save)
        assert kind in KINDS
        self._kind = kind
        self._title = title
        self._summary = summary

    def compose(self) -> ComposeResult:
        mood = "-failed" if self._kind in SENDS_BACK else "-approved"
        with Vertical(id="check-box", classes=f"dialog-box {mood}"):
            yield Static(self._title, id="check-title", classes="dialog-title")
            yield Static(self._summary, id="check-summary")
            sends_back = self._kind in SENDS_BACK
            yield from dialog_field("notes", _("What is wrong") if sends_back else _("Notes"), max_length=2000,
                                    placeholder=_("Required: the technician reads it") if sends_back else _("Optional"))
            if self._kind == "leader":
                yield from dialog_field("recommendations", _("Recommendations"), max_length=2000,
                                        placeholder=_("For the customer, e.g. rear pads at the next service"))
            yield Static(_("F6 or Enter: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> CheckEntry | None:
        notes = self.query_one("#notes", Input).value.strip()
        if self._kind in SENDS_BACK and not notes:
            self._error("notes", _("Say what failed so the technician can put it right."))
            return None
        recs = self.query_one("#recommendations", Input).value.strip() if self._kind == "leader" else ""
        return CheckEntry(self._kind, notes, recs)
