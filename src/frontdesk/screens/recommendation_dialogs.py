"""Recommendations over any screen (services/recommendations.py): record one, put them to the customer.

- :class:`RecommendDialog` (N on the technician's jobs, the checks, the estimate and the
  delivery screen): what, why, safety-related or not, the price if one was quoted. Whoever
  found it records it; the step follows from the role and where the car is.
- :class:`RecommendationsDialog` (R at delivery): the visit's recommendations, gone through
  with the customer: A taken up now (a job on this order), B booked for another day (an
  appointment), D declined (a safety item: the customer acknowledges it by name), N one
  more. Esc closes; the screen below is told whether anything was decided.
- :class:`DecideDialog`: the customer's name and what the answer needs (the hours of the
  job, the appointment's time), saved from the dialog; a refusal stays beside its field.

:func:`open_recommend` is the one call each screen makes for N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import back, binding, translate_bindings
from frontdesk.services import recommendations
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.recommendations import RecommendationRef, RecommendationRow
from frontdesk.widgets.field import dialog_field, dialog_row
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns

from . import pipeline
from .decision import WHEN_FORMAT, RecordDialog, parse_when

SAFETY_MARK = "⚠"


@dataclass(frozen=True)
class RecommendationEntry:
    description: str
    reason: str
    safety: bool
    price: str


class RecommendDialog(RecordDialog):
    """``RecommendDialog(title=..., save=...)``: dismissed with ``save``'s answer, an error, or None."""

    AUTO_FOCUS = "#description"
    FIELDS = ("description", "reason", "price")

    def __init__(self, *, title: str, save: Callable[[RecommendationEntry], Any]) -> None:
        super().__init__(save)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="recommend-box", classes="dialog-box"):
            yield Static(self._title, id="recommend-title", classes="dialog-title")
            yield from dialog_field("description", _("What"), max_length=400,
                                    placeholder=_("e.g. replace the rear brake pads"))
            yield from dialog_field("reason", _("Why"), max_length=2000, placeholder=_("e.g. 3 mm left (optional)"))
            yield from dialog_field("price", _("Price quoted"), max_length=12, restrict=r"[0-9.]*",
                                    placeholder=_("optional"))
            yield from dialog_row(_("Safety-related"), Checkbox(id="safety", compact=True))
            yield Static(_("F6 or Enter: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> RecommendationEntry | None:
        what = self.query_one("#description", Input).value.strip()
        if not what:
            self._error("description", _("Say what should be done."))
            return None
        return RecommendationEntry(what, self.query_one("#reason", Input).value.strip(),
                                   self.query_one("#safety", Checkbox).value,
                                   self.query_one("#price", Input).value.strip())


def open_recommend(screen: Any, order_id: int, heading: str, done: Callable[[RecommendationRef], None] | None = None,
                   ) -> None:
    """N on a screen: record a recommendation on ``order_id``, then say so (and ``done``)."""

    def save(entry: RecommendationEntry) -> RecommendationRef:
        return recommendations.add(screen.services, screen.actor, order_id, description=entry.description,
                                   reason=entry.reason, safety=entry.safety, price=entry.price or None)

    def closed(answer: RecommendationRef | FrontdeskError | None) -> None:
        if isinstance(answer, FrontdeskError):
            screen.show_error(answer)
        elif answer is not None:
            screen.notify(_("Recommended: {what}. The advisor puts it to the customer at delivery.").format(
                what=answer.description), title=heading)
            if done is not None:
                done(answer)

    screen.app.push_screen(RecommendDialog(title=_("Recommend to the customer · {what}").format(what=heading),
                                           save=save), closed)


# The customer's answer ------------------------------------------------------------------------

MODES = ("accept", "book", "decline")


@dataclass(frozen=True)
class Decision:
    mode: str
    who: str
    hours: str
    when: dt.datetime | None


class DecideDialog(RecordDialog):
    """``DecideDialog(mode=..., row=..., customer=..., now=..., save=...)``: who answered, and what it needs."""

    AUTO_FOCUS = "#decided_by"
    FIELDS = ("decided_by", "hours", "scheduled_at")

    def __init__(self, *, mode: str, row: RecommendationRow, customer: str, now: dt.datetime,
                 save: Callable[[Decision], Any]) -> None:
        super().__init__(save)
        assert mode in MODES
        self._mode, self._row, self._customer, self._now = mode, row, customer, now

    def compose(self) -> ComposeResult:
        row, mode = self._row, self._mode
        title = {"accept": _("Taken up now"), "book": _("Booked for another day"), "decline": _("Declined")}[mode]
        mood = "-declined" if mode == "decline" else "-approved"
        with Vertical(id="decide-box", classes=f"dialog-box {mood}"):
            yield Static(f"{title} · {row.description}", id="decide-title", classes="dialog-title")
            yield from dialog_field("decided_by", _("Customer"), value=self._customer, max_length=80)
            if mode == "accept":
                yield from dialog_field("hours", _("Hours"), value="" if row.hours is None else str(row.hours),
                                        max_length=6, restrict=r"[0-9.]*")
            if mode == "book":
                tomorrow = dt.datetime.combine(self._now.date() + dt.timedelta(days=1), dt.time(9, 0))
                yield from dialog_field("scheduled_at", _("Appointment"), value=tomorrow.strftime(WHEN_FORMAT),
                                        max_length=16, placeholder="YYYY-MM-DD HH:MM")
            if mode == "decline" and row.safety:
                yield Static(Text(_("Safety-related: by this name the customer acknowledges the risk."),
                                  style="bold"), id="decide-safety")
            yield Static(_("F6 or Enter: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> Decision | None:
        who = self.query_one("#decided_by", Input).value.strip()
        if not who:
            self._error("decided_by", _("Type who answered."))
            return None
        hours = self.query_one("#hours", Input).value.strip() if self._mode == "accept" else ""
        when = None
        if self._mode == "book":
            when = parse_when(self.query_one("#scheduled_at", Input).value, self._now)
            if when is None:
                self._error("scheduled_at", _("Type the time as {example}.").format(
                    example=self._now.strftime(WHEN_FORMAT)))
                return None
        return Decision(self._mode, who, hours, when)


class RecommendationsDialog(ModalScreen[bool]):
    """``RecommendationsDialog(order_id, title, customer)``: dismissed with whether anything was decided."""

    DEFAULT_CSS = """
    RecommendationsDialog { align: center middle; background: $background 60%; }
    #recs-box { width: 96; max-width: 98%; height: auto; max-height: 96%; border: thick $primary;
                background: $surface; padding: 0 1; }
    #recs-title { text-style: bold; }
    #recs-table { height: auto; max-height: 12; }
    #recs-detail { height: auto; color: $text-muted; }
    #recs-hint { color: $text-muted; }
    """
    AUTO_FOCUS = "#recs-table"
    BINDINGS = [
        binding("a", "decide('accept')", "Take up now", tooltip="The customer has it done now: a job on this order"),
        binding("b", "decide('book')", "Book", tooltip="The customer has it done another day: an appointment"),
        binding("d", "decide('decline')", "Declined",
                tooltip="Not this time (a safety item: the customer acknowledges it)"),
        binding("n", "recommend", "Recommend", tooltip="Record one more recommendation"),
        back("Close"),
    ]

    def __init__(self, order_id: int, title: str, customer: str) -> None:
        super().__init__()
        translate_bindings(self)
        self._order_id, self._title, self._customer = order_id, title, customer
        self._rows: dict[str, RecommendationRow] = {}
        self._changed = False

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    @property
    def actor(self) -> Any:
        return self.app.actor  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        with Vertical(id="recs-box"):
            yield Static(self._title, id="recs-title")
            yield ListTable(id="recs-table")
            yield Static("", id="recs-detail")
            yield Static(_("A take up now · B book · D declined · N recommend · Esc close"), id="recs-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        declare_columns(self.query_one(ListTable), Col(_("Recommended work"), 26, keep=9), Col(_("Status"), 10, keep=8),
                        Col("!", 1, keep=7), Col(_("Found by"), 10, keep=5), Col(_("Step"), 14, keep=3),
                        Col(_("Quoted"), 8, whole=True, keep=6))
        self.reload()

    def reload(self) -> None:
        pipeline.call(self, recommendations.for_order, self.services, self.actor, self._order_id, then=self._show,
                      failed=self.show_error, group="recs-read", exclusive=True)

    def _show(self, rows: tuple[RecommendationRow, ...]) -> None:
        table = self.query_one(ListTable)
        self._rows = {str(r.id): r for r in rows}
        table.refill((str(r.id), (
            clip(r.description, 26), Text(r.status_label, style="bold" if r.open else "dim"),
            Text(SAFETY_MARK, style="bold red") if r.safety else "", clip(r.found_by, 10), r.step_label,
            "—" if r.price is None else f"{r.price:,.2f}")) for r in rows)  # (the cursor stays on its row)
        self._detail()

    def show_error(self, error: FrontdeskError) -> None:
        self.notify(str(error), title=_("Not saved"), severity="error", timeout=8)

    @property
    def selected(self) -> RecommendationRow | None:
        key = self.query_one(ListTable).cursor_key
        return self._rows.get(key) if key is not None else None

    @on(DataTable.RowHighlighted, "#recs-table")
    def _detail(self) -> None:
        row = self.selected
        detail = self.query_one("#recs-detail", Static)
        if row is None:
            detail.update(_("Nothing recommended on this visit: N records one."))
            return
        said = [row.description]
        if row.reason:
            said.append(_("Why: {reason}").format(reason=row.reason))
        said.append(_("Found by {who} {step}, {when}").format(who=row.found_by or "—", step=row.step_label,
                                                             when=row.found_at.strftime("%m-%d %H:%M")))
        if row.decided_by:
            said.append(_("Answered by {who}").format(who=row.decided_by)
                        + (" · " + _("acknowledged") if row.acknowledged_by else ""))
        if row.appointment_at is not None:
            said.append(_("Appointment {when}").format(when=row.appointment_at.strftime(WHEN_FORMAT)))
        detail.update(" · ".join(said))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":
            row = self.selected
            return None if row is None or not row.open else True
        return True

    def action_decide(self, mode: str) -> None:
        row = self.selected
        if row is None or not row.open:
            return

        def save(answer: Decision) -> RecommendationRef:
            services, actor = self.services, self.actor
            if answer.mode == "accept":
                return recommendations.accept(services, actor, row.id, decided_by=answer.who,
                                              hours=answer.hours or None, expected_version=row.version)
            if answer.mode == "book":
                assert answer.when is not None
                return recommendations.book(services, actor, row.id, scheduled_at=answer.when,
                                            decided_by=answer.who, expected_version=row.version)
            return recommendations.decline(services, actor, row.id, decided_by=answer.who, acknowledged=row.safety,
                                           expected_version=row.version)

        def closed(answer: RecommendationRef | FrontdeskError | None) -> None:
            if isinstance(answer, FrontdeskError):
                self.show_error(answer)
            elif answer is not None:
                self._changed = True
                self.notify(_("{what}: {status}").format(what=row.description,
                                                         status=recommendations.status_label(answer.status)))
            self.reload()

        self.app.push_screen(DecideDialog(mode=mode, row=row, customer=self._customer, now=self.services.clock(),
                                          save=save), closed)

    def action_recommend(self) -> None:
        open_recommend(self, self._order_id, self._title, lambda _ref: self.reload())

    def action_back(self) -> None:
        self.dismiss(self._changed)


__all__ = ["DecideDialog", "Decision", "RecommendDialog", "RecommendationEntry", "RecommendationsDialog",
           "open_recommend"]
