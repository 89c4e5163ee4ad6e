"""The dialogs of the after-sales screens: a follow-up call, a reminder call, a complaint's owner and resolution.

Keys first, as on the phone the advisor has one hand on the receiver:

- :class:`FollowUpDialog`: R reached / N not reached. Reached: five questions (overall,
  advisor, repair quality, on time, price), each answered by pressing 1–5 (Up/Down go back
  to a question), then comments and, optionally, what the customer complains about. Not
  reached: a note (no answer, switched off...). F6 records.
- :class:`CloseCallDialog`: the manager closes an escalated call unreached, with the reason.
- :class:`OwnerDialog`: who owns a complaint case (a digit or Up/Down and Enter).
- :class:`ResolveDialog`: how the complaint was resolved (required).
- :class:`ReminderCallDialog`: what came of a reminder call, by digit (the first four mean the
  customer was reached), and notes.

They build on :class:`~frontdesk.screens.decision.RecordDialog`: the record is saved from
the dialog in a worker; a refusal shows beside its field and the dialog keeps what was
typed; the dialog is dismissed with the save's result (or ``None`` on Esc).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from frontdesk.i18n import C_, gettext as _
from frontdesk.keys import binding, translate_bindings
from frontdesk.labels import REMINDER_RESULT, SCORE_QUESTION, label
from frontdesk.services.aftercare import LOW_SCORE, REMINDER_REACHED, REMINDER_RESULTS, SCORE_FIELDS
from frontdesk.widgets.field import dialog_field
from frontdesk.widgets.key_footer import KeyFooter

from .decision import RecordDialog

STYLES = ["../assets/styles/dialog.tcss", "../assets/styles/aftercare_modals.tcss"]
DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")


# Two key-driven pickers -----------------------------------------------------------------------


class ScoreCard(Widget, can_focus=True):
    """Five questions answered 1–5 by key; the cursor moves on after each answer."""

    BINDINGS = [
        *(Binding(d, f"score({d})", "Score", show=False) for d in DIGITS[:5]),
        Binding("up", "move(-1)", "Previous question", show=False),
        Binding("down", "move(1)", "Next question", show=False),
    ]

    class Scored(Message):
        """A question was answered."""

    class Completed(Message):
        """Every question has a score (posted after the last one is answered)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.scores: list[int | None] = [None] * len(SCORE_FIELDS)
        self.current = 0

    def render(self) -> Text:
        text = Text()
        for n, name in enumerate(SCORE_FIELDS):
            here = n == self.current and self.has_focus
            text.append("▶ " if here else "  ", style="bold")
            text.append(f"{label(SCORE_QUESTION, name):<14}"[:14], style="bold" if here else "")
            score = self.scores[n]
            for k in range(1, 6):
                lit = score is not None and k <= score
                text.append(" ●" if lit else " ○", style=("red" if score <= LOW_SCORE else "green") if lit and score else "dim")
            text.append(f"  {score}" if score is not None else "  —", style="bold" if score is not None else "dim")
            if n < len(SCORE_FIELDS) - 1:
                text.append("\n")
        return text

    def action_score(self, value: str) -> None:
        self.scores[self.current] = int(value)
        self.post_message(self.Scored())
        if self.current < len(SCORE_FIELDS) - 1:
            self.current += 1
        elif all(s is not None for s in self.scores):
            self.post_message(self.Completed())
        self.refresh()

    def action_move(self, step: int) -> None:
        self.current = max(0, min(len(SCORE_FIELDS) - 1, self.current + step))
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    @property
    def complete(self) -> bool:
        return all(s is not None for s in self.scores)

    def as_dict(self) -> dict[str, int]:
        return {name: s for name, s in zip(SCORE_FIELDS, self.scores) if s is not None}


class KeyChoice(Widget, can_focus=True):
    """One of a few answers, chosen by its digit or by Up/Down; ``value`` is the chosen code."""

    BINDINGS = [
        *(Binding(d, f"pick({n})", "Choose", show=False) for n, d in enumerate(DIGITS)),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
    ]

    class Changed(Message):
        def __init__(self, choice: KeyChoice) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, options: Sequence[tuple[str, str]], value: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.options = list(options)  # (code, text)
        codes = [c for c, _t in self.options]
        self.index = codes.index(value) if value in codes else 0

    @property
    def value(self) -> str:
        return self.options[self.index][0]

    def render(self) -> Text:
        text = Text()
        for n, (_code, words) in enumerate(self.options):
            chosen = n == self.index
            text.append(f"{'▶' if chosen else ' '} {n + 1}  ", style="bold" if chosen else "dim")
            text.append(words, style="bold reverse" if chosen and self.has_focus else ("bold" if chosen else ""))
            if n < len(self.options) - 1:
                text.append("\n")
        return text

    def action_pick(self, n: int) -> None:
        if n < len(self.options):
            self.index = n
            self.refresh()
            self.post_message(self.Changed(self))

    def action_move(self, step: int) -> None:
        self.action_pick(max(0, min(len(self.options) - 1, self.index + step)))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


# The follow-up call ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallEntry:
    """What the caller recorded in the dialog."""

    reached: bool
    scores: dict[str, int] | None
    comments: str
    complaint: str


class FollowUpDialog(RecordDialog):
    """``FollowUpDialog(title=..., summary=..., save=...)``: dismissed with ``save(CallEntry)``'s result."""

    CSS_PATH = STYLES
    AUTO_FOCUS = "#scores"
    FIELDS = ("reached", "scores", "comments", "complaint")
    BINDINGS = [
        binding("r", "reached(True)", "Reached", tooltip="The customer answered: ask the five questions"),
        binding("n", "reached(False)", "Not reached",
                tooltip="Nobody answered: a retry is scheduled (after three misses the manager takes the call)"),
    ]

    def __init__(self, *, title: str, summary: str, save: Callable[[CallEntry], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._summary = summary
        self.reached: bool | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="call-box", classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._summary, id="call-summary")
            yield Static(_("Reached the customer? R: yes · N: no"), id="call-ask")
            yield Static("", id="reached-error", classes="field-error")
            yield ScoreCard(id="scores")
            yield Static("", id="scores-error", classes="field-error")
            yield from dialog_field("comments", _("Comments"), label_id="comments-label", max_length=2000,
                                    placeholder=_("What the customer said (optional)"))
            yield from dialog_field("complaint", _("Complaint"), row_id="complaint-row", max_length=2000,
                                    placeholder=_("Only if the customer complains: opens a case"))
            yield Static(_("1–5 answers the marked question · Up/Down: another question · F6: record · Esc: back"),
                         id="call-hint", classes="dialog-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_mode()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # R and N are letters in a text field
        return not (action == "reached" and isinstance(self.focused, Input))

    def action_reached(self, reached: bool) -> None:
        self.reached = reached
        self._error("reached", "")
        self._show_mode()
        if reached:
            self.query_one(ScoreCard).focus()
        else:
            self.query_one("#comments", Input).focus()

    def _show_mode(self) -> None:
        ask = self.query_one("#call-ask", Static)
        box = self.query_one("#call-box")
        box.set_class(self.reached is True, "-approved")
        box.set_class(self.reached is False, "-declined")
        self.query_one(ScoreCard).display = self.reached is not False
        self.query_one("#complaint-row").display = self.reached is not False
        self.query_one("#comments-label", Label).update(
            _("What happened") if self.reached is False else _("Comments"))
        self.query_one("#comments", Input).placeholder = (
            _("e.g. no answer, switched off") if self.reached is False else _("What the customer said (optional)"))
        if self.reached is None:
            ask.update(Text(_("Reached the customer? R: yes · N: no"), style="bold"))
        elif self.reached:
            ask.update(Text(_("Reached: score each question from 1 (poor) to 5 (very good)."), style="bold green"))
        else:
            ask.update(Text(_("Not reached: another try is scheduled."), style="bold yellow"))

    @on(ScoreCard.Completed)
    def _scored(self) -> None:
        self._error("scores", "")
        self.query_one("#comments", Input).focus()

    @on(ScoreCard.Scored)
    def _answered(self) -> None:
        if self.reached is None:  # a score before R: the customer is obviously on the line
            self.reached = True
            self._error("reached", "")
            self._show_mode()

    @on(Input.Submitted, "#comments")
    def _comments_done(self, event: Input.Submitted) -> None:
        if self.reached:  # Enter moves on to the complaint; F6 records
            event.prevent_default()
            event.stop()
            self.query_one("#complaint", Input).focus()

    def entered(self) -> CallEntry | None:
        comments = self.query_one("#comments", Input).value.strip()
        if self.reached is None:
            self._error("reached", _("Press R if the customer answered, N if not."))
            return None
        if not self.reached:
            return CallEntry(False, None, comments, "")
        card = self.query_one(ScoreCard)
        if not card.complete:
            self._error("scores", _("Give a score from 1 to 5 for each question."))
            card.focus()
            return None
        return CallEntry(True, card.as_dict(), comments, self.query_one("#complaint", Input).value.strip())


class CloseCallDialog(RecordDialog):
    """The manager closes an escalated call unreached: ``save(note)``."""

    CSS_PATH = STYLES
    AUTO_FOCUS = "#note"
    FIELDS = ("note",)

    def __init__(self, *, title: str, summary: str, save: Callable[[str], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -declined"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._summary, classes="dialog-summary")
            yield from dialog_field("note", _("Why it is closed"), max_length=2000,
                                    placeholder=_("e.g. wrong number, checked with sales"))
            yield Static(_("F6 or Enter: close the call · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> str | None:
        note = self.query_one("#note", Input).value.strip()
        if not note:
            self._error("note", _("Say why the call is closed without reaching the customer."))
            return None
        return note


# Complaints -------------------------------------------------------------------------------------


class OwnerDialog(RecordDialog):
    """Who owns the case: ``save(user_id)``; ``owners`` are ``(user_id, "name · role")``."""

    CSS_PATH = STYLES
    AUTO_FOCUS = "#owner"
    FIELDS = ("owner",)
    BINDINGS = [binding("enter", "record", C_("command", "Record"), show=False)]

    def __init__(self, *, title: str, owners: Sequence[tuple[int, str]], current: int | None,
                 save: Callable[[int], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._owners = [(str(i), words) for i, words in owners]  # digits pick the first nine, Up/Down any
        self._current = str(current) if current is not None else None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield KeyChoice(self._owners, self._current, id="owner")
            yield Static("", id="owner-error", classes="field-error")
            yield Static(_("A digit or Up/Down picks · F6 or Enter: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> int | None:
        if not self._owners:
            self._error("owner", _("Nobody in this store can own a complaint."))
            return None
        return int(self.query_one(KeyChoice).value)


class ResolveDialog(RecordDialog):
    """How the complaint was resolved (required): ``save(resolution)``."""

    CSS_PATH = STYLES
    AUTO_FOCUS = "#resolution"
    FIELDS = ("resolution",)

    def __init__(self, *, title: str, summary: str, resolution: str, save: Callable[[str], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._summary = summary
        self._resolution = resolution

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -approved"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._summary, classes="dialog-summary")
            yield from dialog_field("resolution", _("Resolution"), value=self._resolution, max_length=4000,
                                    placeholder=_("What was done, and what the customer said"))
            yield Static(_("F6 or Enter: mark resolved · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> str | None:
        resolution = self.query_one("#resolution", Input).value.strip()
        if not resolution:
            self._error("resolution", _("Write down how the complaint was resolved."))
            return None
        return resolution


@dataclass(frozen=True)
class NewComplaint:
    order: str  # an order number or a plate
    description: str


class NewComplaintDialog(RecordDialog):
    """A complaint made at the desk or the till: the order (number, or the plate: its latest order) and what it is."""

    CSS_PATH = STYLES
    AUTO_FOCUS = "#order"
    FIELDS = ("order", "description")

    def __init__(self, *, save: Callable[[NewComplaint], Any]) -> None:
        super().__init__(save)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -declined"):
            yield Static(_("New complaint"), classes="dialog-title")
            yield from dialog_field("order", _("Order no. or plate"), max_length=30, placeholder=_("e.g. 粤B67890"))
            yield from dialog_field("description", _("Complaint"), max_length=2000, placeholder=_("The customer's words"))
            yield Static(_("F6: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    @on(Input.Submitted, "#order")
    def _order_done(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter moves on to the complaint
        event.stop()
        self.query_one("#description", Input).focus()

    def entered(self) -> NewComplaint | None:
        order = self.query_one("#order", Input).value.strip()
        description = self.query_one("#description", Input).value.strip()
        if not order:
            self._error("order", _("Type the order number or the plate."))
            return None
        if not description:
            self._error("description", _("Write down what the customer complains about."))
            return None
        return NewComplaint(order, description)


# Reminder calls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderEntry:
    reached: bool
    result: str
    notes: str


class ReminderCallDialog(RecordDialog):
    """What came of a reminder call: ``save(ReminderEntry)``."""

    CSS_PATH = STYLES
    AUTO_FOCUS = "#result"
    FIELDS = ("result", "notes")
    BINDINGS = [binding("enter", "next_field", "Next", show=False)]

    def __init__(self, *, title: str, summary: str, save: Callable[[ReminderEntry], Any]) -> None:
        super().__init__(save)
        self._title = title
        self._summary = summary

    def compose(self) -> ComposeResult:
        options = [(code, label(REMINDER_RESULT, code)) for code in REMINDER_RESULTS]
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._summary, classes="dialog-summary")
            yield Static(_("What came of the call (1–4: reached, 5–6: not reached)"), classes="dialog-hint")
            yield KeyChoice(options, "later", id="result")
            yield Static("", id="result-error", classes="field-error")
            yield from dialog_field("notes", _("Notes"), max_length=2000, placeholder=_("e.g. wants Saturday morning"))
            yield Static(_("Enter: on to the notes · F6: record · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def action_next_field(self) -> None:
        self.query_one("#notes", Input).focus()

    def entered(self) -> ReminderEntry | None:
        code = self.query_one(KeyChoice).value
        return ReminderEntry(code in REMINDER_REACHED, code, self.query_one("#notes", Input).value.strip())
