"""The small dialogs of the workshop screens (dispatch and technician), keys first.

- ``TechnicianPicker``: pick who does the work; the suggestion is marked and under the cursor.
- ``ChoiceScreen``: one key per answer (why a job pauses).
- ``PromptScreen``: one line of text (the expected date of an ordered part).
- ``ProposeScreen``: additional work found: a catalog operation (F2) or a description, hours,
  parts (F3, each with the quantity typed), a note; F6 proposes it.
- ``CheckScreen``: self-check or team-leader check: notes (and recommendations); F6 passes,
  F7 sends the job back (leader only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import FIND, NEW, SAVE, back, binding, translate_bindings
from frontdesk.services import desk
from frontdesk.services.workshop_views import TechnicianLoad
from frontdesk.labels import skills
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns


def hours(value: Decimal) -> str:
    """1.5 h, 2 h: sold hours without trailing zeros."""
    return format(value.normalize(), "f") if value else "0"


class _Modal(ModalScreen[Any]):
    CSS_PATH = "../assets/styles/workshop_modals.tcss"

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def action_back(self) -> None:
        self.dismiss(None)


class TechnicianPicker(_Modal):
    """Dismissed with a technician id, or None."""

    AUTO_FOCUS = "#picker-techs"
    BINDINGS = [back("Cancel")]

    def __init__(self, title: str, technicians: Sequence[TechnicianLoad], suggested: int | None) -> None:
        super().__init__()
        self._title = title
        self._techs = list(technicians)
        self._suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box", classes="wide"):
            yield Static(self._title, id="modal-title")
            yield ListTable(id="picker-techs")
            yield Static(_("Enter: assign · Esc: cancel · ★ suggested (skill, fewest booked hours)"), classes="modal-hint")

    def on_mount(self) -> None:
        table = self.query_one(ListTable)
        fixed_columns(table, ("", 1), (_("Technician"), 14), (_("Team"), 14), (_("Queued h"), 4), (_("Running h"), 4),
                      (_("Skills"), 28))
        for t in self._techs:
            star = Text("★", style="bold yellow") if t.id == self._suggested else ""
            table.add_row(star, Text(t.name, style="bold"), clip(t.team, 14), hours(t.queued_hours),
                          hours(t.running_hours), clip(skills(t.skills), 28), key=str(t.id))
        if self._suggested is not None:
            table.move_to_key(str(self._suggested))

    @on(DataTable.RowSelected, "#picker-techs")
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(int(str(event.row_key.value)))


class ChoiceScreen(_Modal):
    """``ChoiceScreen(title, [("1", "waiting_parts", "Waiting parts"), ...])``: dismissed with the value chosen."""

    BINDINGS = [back("Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)
        for key, value, text in self._choices:
            self._bindings.bind(key, f"choose('{value}')", text)

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Static(self._title, id="modal-title")
            for key, _value, text in self._choices:
                yield Static(Text.assemble((f" {key} ", "bold reverse"), " ", text), classes="choice")
            yield Static(_("Press the number · Esc: cancel"), classes="modal-hint")

    def action_choose(self, value: str) -> None:
        self.dismiss(value)


class PromptScreen(_Modal):
    """One line of text; Enter or F6 gives it back, Esc None."""

    AUTO_FOCUS = "#prompt-input"
    BINDINGS = [binding(SAVE, "save", "Save"), back("Cancel")]

    def __init__(self, title: str, label: str, value: str = "", *, hint: str = "") -> None:
        super().__init__()
        self._title, self._label, self._value, self._hint = title, label, value, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Static(self._title, id="modal-title")
            yield Label(self._label)
            yield Input(value=self._value, id="prompt-input")
            yield Static("", id="prompt-error", classes="field-error")
            yield Static(self._hint or _("Enter or F6: save · Esc: cancel"), classes="modal-hint")

    def show_error(self, message: str) -> None:
        self.query_one("#prompt-error", Static).update(message)

    @on(Input.Submitted, "#prompt-input")
    def action_save(self) -> None:
        self.dismiss(self.query_one("#prompt-input", Input).value.strip())


@dataclass(frozen=True)
class Proposal:
    labor_op_id: int | None
    description: str
    hours: str
    note: str
    parts: tuple[tuple[int, str], ...]  # (part id, quantity)
    pause_current: bool


class ProposeScreen(_Modal):
    """Additional work (增项) found on the car; dismissed with a :class:`Proposal` or None."""

    AUTO_FOCUS = "#propose-description"
    BINDINGS = [
        binding(NEW, "labor_op", "Labor operation", tooltip="Pick the work from the labor catalog"),
        binding(FIND, "add_part", "Add part", tooltip="Add a part (with the quantity typed) to the proposal"),
        binding(SAVE, "save", "Propose", tooltip="Propose the work: the customer is asked"),
        back("Cancel"),
    ]

    def __init__(self, plate: str, *, can_pause: bool,
                 search_ops: Callable[[str], Sequence[desk.LaborOpHit]],
                 search_parts: Callable[[str], Sequence[desk.PartHit]]) -> None:
        super().__init__()
        self._plate = plate
        self._can_pause = can_pause
        self._search_ops = search_ops
        self._search_parts = search_parts
        self._op: desk.LaborOpHit | None = None
        self._parts: list[tuple[int, str, str]] = []  # (part id, number, qty)

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box", classes="wide"):
            yield Static(_("Additional work found · {plate}").format(plate=self._plate), id="modal-title")
            yield Static(_("No catalog operation (F2 picks one)"), id="propose-op")
            with Horizontal(classes="modal-row"):
                with Vertical(classes="modal-field grow"):
                    yield Label(_("Description"))
                    yield Input(id="propose-description", max_length=200)
                with Vertical(classes="modal-field"):
                    yield Label(_("Hours"))
                    yield Input(id="propose-hours", restrict=r"[0-9.]*", max_length=6)
            yield Static("", id="hours-error", classes="field-error")
            yield Label(_("Note for the advisor"))
            yield Input(id="propose-note", max_length=400)
            with Horizontal(classes="modal-row"):
                with Vertical(classes="modal-field"):
                    yield Label(_("Part qty"))
                    yield Input(value="1", id="propose-qty", restrict=r"[0-9.]*", max_length=6)
                yield Static(_("Parts: none"), id="propose-parts", classes="grow")
            yield Checkbox(_("Pause my job until the customer answers"), value=self._can_pause, id="propose-pause",
                           disabled=not self._can_pause)
            yield Static("", id="description-error", classes="field-error")
            yield Static(_("F2: labor operation · F3: add part · F6: propose · Esc: cancel"), classes="modal-hint")

    def action_labor_op(self) -> None:
        from .catalog_picker import LaborOpPicker

        picker = LaborOpPicker(self._search_ops)

        def chosen(op_id: int | None) -> None:
            hit = next((h for h in picker.hits if h.id == op_id), None)
            if hit is None:
                return
            self._op = hit
            self.query_one("#propose-op", Static).update(
                Text.assemble((hit.code, "bold"), " ", hit.name, "  ", _("{h} h").format(h=hours(hit.std_hours))))
            self.query_one("#propose-description", Input).value = hit.name
            self.query_one("#propose-hours", Input).value = hours(hit.std_hours)

        self.app.push_screen(picker, chosen)

    def action_add_part(self) -> None:
        from .catalog_picker import PartPicker

        picker = PartPicker(self._search_parts, [(None, _("This proposal"))], None)
        qty = self.query_one("#propose-qty", Input).value.strip() or "1"

        def chosen(part_id: int | None) -> None:
            hit = next((h for h in picker.hits if h.id == part_id), None)
            if hit is None:
                return
            self._parts.append((hit.id, hit.number, qty))
            self.query_one("#propose-parts", Static).update(
                _("Parts: {parts}").format(parts=", ".join(f"{n} ×{q}" for _i, n, q in self._parts)))

        self.app.push_screen(picker, chosen)

    def action_save(self) -> None:
        description = self.query_one("#propose-description", Input).value.strip()
        if not description and self._op is None:
            self.query_one("#description-error", Static).update(_("Describe the work or pick it from the catalog."))
            return
        self.dismiss(Proposal(
            labor_op_id=self._op.id if self._op else None, description=description,
            hours=self.query_one("#propose-hours", Input).value.strip(),
            note=self.query_one("#propose-note", Input).value.strip(),
            parts=tuple((pid, q) for pid, _n, q in self._parts),
            pause_current=self._can_pause and self.query_one("#propose-pause", Checkbox).value,
        ))


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    notes: str
    recommendations: str


class CheckScreen(_Modal):
    """Self-check (``leader=False``) or team-leader check; dismissed with a :class:`CheckResult` or None."""

    AUTO_FOCUS = "#check-notes"
    BINDINGS = [
        binding(SAVE, "save(True)", "Pass", tooltip="The work is right"),
        binding("f7", "save(False)", "Send back", tooltip="The technician has to put it right"),
        back("Cancel"),
    ]

    def __init__(self, title: str, *, leader: bool) -> None:
        super().__init__()
        self._title = title
        self._leader = leader

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box", classes="wide"):
            yield Static(self._title, id="modal-title")
            yield Label(_("Notes"))
            yield Input(id="check-notes", max_length=2000)
            if self._leader:
                yield Label(_("Recommendations for the customer"))
                yield Input(id="check-recommendations", max_length=2000)
            yield Static(_("F6: passed · F7: send back · Esc: cancel") if self._leader
                         else _("F6: checked, the work is right · Esc: cancel"), classes="modal-hint")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and parameters == (False,) and not self._leader:
            return False
        return super().check_action(action, parameters)

    def action_save(self, passed: bool) -> None:
        recs = self.query_one("#check-recommendations", Input).value.strip() if self._leader else ""
        self.dismiss(CheckResult(passed, self.query_one("#check-notes", Input).value.strip(), recs))


__all__ = ["CheckResult", "CheckScreen", "ChoiceScreen", "PromptScreen", "Proposal", "ProposeScreen",
           "TechnicianPicker", "fixed_columns", "hours"]
