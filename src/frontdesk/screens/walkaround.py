"""Walkaround (环车检查): damage marks on a top view of the car, and the checklist, with the customer.

The advisor walks round the car with the customer beside it: the arrows move over the
panels and 1-4 mark scratch, dent, chip and crack with the letters printed on the
check-in sheet; single letters tick the checklist while the focus is not in a text
field. A box that needs a note (valuables, photos) asks for it in a small dialog when
ticked: a letter command never moves the focus into a field of the form, so the next
command letter is never typed into a note unseen (issue 17). F6 saves and goes on to
the estimate; F8 saves and prints the check-in sheet for the customer to sign (rendered in a worker). An order that already has a walkaround
opens it for editing, and saving replaces it.

Each visit starts from a clean grid (the marks belong to the order, not to the car: the
last visit's are on its signed sheet). N, "no new damage", is the returning customer's
walkaround in one key (issue 19): nothing marked, it saves and goes on to the estimate; with
marks on the grid it does not claim there are none (F6 saves them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Header, Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import PRINT, SAVE, back, binding, translate_bindings
from frontdesk.labels import DAMAGE, DAMAGE_CODES, DAMAGE_KEYS, PANEL, label
from frontdesk.services import checkin, desk
from frontdesk.services.checkin import WalkaroundInput
from frontdesk.services.context import Services
from frontdesk.services.errors import ConflictError, FrontdeskError
from frontdesk.widgets.field import Field, dialog_field, show_field_error
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.panel_grid import PanelGrid

from .base import DeskScreen
from .confirm import ConfirmScreen

CHECKBOXES = ("covers_fitted", "has_valuables", "spare_tyre", "tool_kit", "warning_triangle", "photos_taken")
TEXT_FIELDS = ("warning_lights", "valuables", "photos_ref", "tyres_note", "signed_by")
#: A ticked box that needs its note: the note's field is shown only while the box is ticked.
NOTES = {"has_valuables": "valuables", "photos_taken": "photos_ref"}
#: What the note dialog asks and says when left empty (msgids), per box.
NOTE_TEXTS = {
    "has_valuables": ("Which valuables, and where", "Say which valuables are in the car, and where."),
    "photos_taken": ("Photo file reference", "Enter where the photos are filed (folder or file name)."),
}
# Warning lights are typed with a Chinese IME as often as not: any of these separates them.
_LIGHT_SEPARATORS = re.compile(r"[,，、;；]")


def _grid_names() -> dict[str, str]:
    """The panels' names in the grid: the full names, but short ones for the narrow wheel column."""
    names = {panel: label(PANEL, panel) for panel in PANEL}
    names.update({
        "front_left_wheel": _("FL wheel"), "front_right_wheel": _("FR wheel"),
        "rear_left_wheel": _("RL wheel"), "rear_right_wheel": _("RR wheel"),
    })
    return names


def _print_sheet(services: Services, number: str) -> Any:
    """Render (and send) the check-in sheet; a paperwork or disk failure reads as a message."""
    from frontdesk.paperwork import PaperworkError
    from frontdesk.services import documents

    try:
        return documents.print_document(services, "checkin-sheet", number)
    except (PaperworkError, OSError) as exc:
        raise FrontdeskError(_("The check-in sheet could not be printed: {reason}").format(reason=exc)) from exc


class NoteDialog(ModalScreen[str | None]):
    """``NoteDialog(title, empty_message, value)``: one line of text for a ticked box; Enter keeps it, Esc drops it.

    The dialog on show is what tells the advisor the next keys are text, not commands.
    """

    DEFAULT_CSS = """
    NoteDialog { align: center middle; background: $background 60%; }
    NoteDialog > Vertical { width: 64; max-width: 96%; height: auto; border: thick $primary;
                            background: $surface; padding: 0 1; }
    NoteDialog .dialog-row { height: 1; }
    NoteDialog .dialog-label { width: auto; color: $text-muted; margin-right: 1; }
    NoteDialog .dialog-row Input { width: 1fr; }
    NoteDialog .field-error { color: $error; height: auto; }
    NoteDialog #note-hint { color: $text-muted; }
    """
    BINDINGS = [back("Cancel")]

    def __init__(self, title: str, empty_message: str, value: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self._title, self._empty, self._value = title, empty_message, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield from dialog_field("note", self._title, value=self._value)
            yield Static(_("Enter keeps the note · Esc leaves the box unticked"), id="note-hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _keep(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            show_field_error(self, "note", self._empty)
            return
        self.dismiss(text)

    def action_back(self) -> None:
        self.dismiss(None)


class WalkaroundScreen(DeskScreen):
    """``WalkaroundScreen(order_id=...)``: the order's walkaround, new or to edit."""

    CSS_PATH = "../assets/styles/checkin.tcss"
    AUTO_FOCUS = "#panels"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        binding(SAVE, "save", "Save", tooltip="Save the walkaround and go on to the estimate"),
        binding("n", "no_new_damage", "No new damage",
                tooltip="Nothing new on the car: save the walkaround without marks and go on to the estimate"),
        binding(PRINT, "print", "Print", tooltip="Save the walkaround and print the check-in sheet"),
        back(),
        binding("c", "toggle_covers", "Covers fitted", show=False),
        binding("v", "toggle_valuables", "Valuables in the car", show=False),
        binding("s", "toggle_spare_tyre", "Spare tyre", show=False),
        binding("t", "toggle_tool_kit", "Tool kit", show=False),
        binding("w", "toggle_warning_triangle", "Warning triangle", show=False),
        binding("p", "toggle_photos", "Photos taken", show=False),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self._order_id = order_id
        self._version: int | None = None
        self._number = ""
        self._loaded = False
        self._busy = False
        self._pristine: dict[str, Any] = {}

    # Layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        damage_names = {damage: label(DAMAGE, damage) for damage in DAMAGE_KEYS}
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Walkaround"), id="walk-title")
        with VerticalScroll(id="walk-form"):
            with Horizontal(id="walk-columns"):
                with Vertical(id="walk-car"):
                    yield PanelGrid(_grid_names(), DAMAGE_KEYS, DAMAGE_CODES, damage_names=damage_names, id="panels")
                    yield Static("", id="panel-status")
                    yield Static(self._legend(damage_names), id="walk-legend")
                    yield Static("", id="marks-error", classes="field-error")
                with Vertical(id="walk-checklist"):
                    yield Checkbox(_("Protective covers fitted") + " (C)", id="covers_fitted", compact=True)
                    yield Checkbox(_("Valuables left in the car") + " (V)", id="has_valuables", compact=True)
                    yield Field("valuables", _("Which valuables, and where"))
                    yield Checkbox(_("Spare tyre") + " (S)", id="spare_tyre", compact=True)
                    yield Checkbox(_("Tool kit") + " (T)", id="tool_kit", compact=True)
                    yield Checkbox(_("Warning triangle") + " (W)", id="warning_triangle", compact=True)
                    yield Checkbox(_("Photos taken") + " (P)", id="photos_taken", compact=True)
                    yield Field("photos_ref", _("Photo file reference"))
                    yield Field("warning_lights", _("Warning lights on (comma separated)"))
                    yield Field("tyres_note", _("Tyres and wheels"))
                    yield Field("signed_by", _("Customer's name (signature)"))
        yield KeyFooter()

    @staticmethod
    def _legend(damage_names: dict[str, str]) -> str:
        keys = "  ".join(
            f"[b]{key}[/b] {damage_names[damage]} [reverse] {DAMAGE_CODES[damage]} [/reverse]"
            for damage, key in DAMAGE_KEYS.items()
        )
        return keys + "\n" + _("Arrows move between panels; Del clears the panel.")

    def on_mount(self) -> None:
        self._show_notes()
        self._show_panel()
        self.call_service(desk.order_view, self.services, self._order_id, then=self._show_order)

    # Loading ---------------------------------------------------------------------------------

    def _show_order(self, view: desk.OrderView) -> None:
        self._version, self._number = view.version, view.number
        self.query_one("#walk-title", Static).update(
            _("Walkaround · {number} · {plate} · {model} · {name}").format(
                number=view.number, plate=view.plate, model=view.model, name=view.customer_name))
        walk = view.walkaround
        if not self._loaded:  # the first load fills the form; a reload only refreshes the version
            self._loaded = True
            self.query_one("#signed_by", Input).value = (walk.signed_by if walk else None) or view.customer_name
            if walk is not None:
                self.query_one(PanelGrid).marks = walk.marks
                for name, value in (
                    ("covers_fitted", walk.covers_fitted), ("has_valuables", bool(walk.valuables)),
                    ("spare_tyre", walk.spare_tyre), ("tool_kit", walk.tool_kit),
                    ("warning_triangle", walk.warning_triangle), ("photos_taken", bool(walk.photos_ref)),
                ):
                    self.query_one(f"#{name}", Checkbox).value = value
                for name, text in (
                    ("valuables", walk.valuables), ("photos_ref", walk.photos_ref),
                    ("warning_lights", ", ".join(walk.warning_lights)), ("tyres_note", walk.tyres_note),
                ):
                    self.query_one(f"#{name}", Input).value = text
            self._show_notes()
            self._show_panel()
            self._pristine = self._values()

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS}
        values.update({name: self.query_one(f"#{name}", Checkbox).value for name in CHECKBOXES})
        values["marks"] = self.query_one(PanelGrid).marks
        return values

    # The grid and the checklist ------------------------------------------------------------------

    @on(PanelGrid.Moved)
    @on(PanelGrid.MarksChanged)
    def _show_panel(self) -> None:
        grid = self.query_one(PanelGrid)
        codes = grid.codes_on(grid.panel)
        marks = ", ".join(f"{DAMAGE_CODES[d]} {label(DAMAGE, d)}" for d in codes) if codes else _("no damage")
        self.query_one("#panel-status", Static).update(f"[b]{label(PANEL, grid.panel)}[/b]: {marks}")
        self.query_one("#marks-error", Static).update("")

    @on(Checkbox.Changed)
    def _show_notes(self) -> None:
        for box, note in NOTES.items():
            self.query_one(f"#{note}-field").display = self.query_one(f"#{box}", Checkbox).value

    def _toggle(self, name: str) -> None:
        box = self.query_one(f"#{name}", Checkbox)
        note = NOTES.get(name)
        if note is None or box.value:
            box.value = not box.value
            return
        # ticking a box that needs its note: the note is asked for in a dialog the advisor sees,
        # never by moving the focus into the form behind the next command letter
        field = self.query_one(f"#{note}", Input)
        title, empty = NOTE_TEXTS[name]

        def noted(text: str | None) -> None:
            if text is not None:
                field.value = text
                box.value = True
                self._show_notes()

        self.app.push_screen(NoteDialog(_(title), _(empty), field.value), noted)

    def action_toggle_covers(self) -> None:
        self._toggle("covers_fitted")

    def action_toggle_valuables(self) -> None:
        self._toggle("has_valuables")

    def action_toggle_spare_tyre(self) -> None:
        self._toggle("spare_tyre")

    def action_toggle_tool_kit(self) -> None:
        self._toggle("tool_kit")

    def action_toggle_warning_triangle(self) -> None:
        self._toggle("warning_triangle")

    def action_toggle_photos(self) -> None:
        self._toggle("photos_taken")

    # Saving and printing ---------------------------------------------------------------------------

    def _input(self) -> WalkaroundInput | None:
        v = self._values()
        problems = {}
        if v["has_valuables"] and not v["valuables"].strip():
            problems["valuables"] = _("Say which valuables are in the car, and where.")
        if v["photos_taken"] and not v["photos_ref"].strip():
            problems["photos_ref"] = _("Enter where the photos are filed (folder or file name).")
        if problems:
            for name, message in problems.items():
                show_field_error(self, name, message)  # the toast is moved clear of the line
            self.query_one(f"#{next(iter(problems))}", Input).focus()
            self.notify(_("Check the fields marked in red."), title=_("Not saved"), severity="error", timeout=6)
            return None
        return WalkaroundInput(
            marks=tuple(sorted(v["marks"])),
            covers_fitted=v["covers_fitted"],
            warning_lights=tuple(w.strip() for w in _LIGHT_SEPARATORS.split(v["warning_lights"]) if w.strip()),
            valuables=v["valuables"].strip() if v["has_valuables"] else "",
            spare_tyre=v["spare_tyre"], tool_kit=v["tool_kit"], warning_triangle=v["warning_triangle"],
            tyres_note=v["tyres_note"].strip(),
            photos_ref=v["photos_ref"].strip() if v["photos_taken"] else "",
            signed_by=v["signed_by"].strip(),
        )

    def _save(self, after: Callable[[], None]) -> None:
        if self._busy or not self._loaded:
            return
        self.clear_errors()
        data = self._input()
        if data is None:
            return
        self._busy = True

        def saved(_walk: object) -> None:
            self._pristine = self._values()
            after()

        self.call_service(checkin.record_walkaround, self.services, self.actor, self._order_id, data,
                          expected_version=self._version, then=saved, failed=self._failed)

    def action_save(self) -> None:
        self._save(self._to_estimate)

    def action_no_new_damage(self) -> None:
        if not self._loaded or self._busy:
            return
        if self.query_one(PanelGrid).marks:
            self.notify(_("Damage is marked on the grid: F6 saves it (Del clears a panel)."), severity="warning",
                        timeout=6)
            return
        self._save(self._to_estimate)

    def _to_estimate(self) -> None:
        self._busy = False
        self.fd.open_destination("estimate", switch=True, order_id=self._order_id)

    def action_print(self) -> None:
        self._save(self._print)

    def _print(self) -> None:
        self.notify(_("Printing the check-in sheet…"), timeout=3)
        self.call_service(_print_sheet, self.services, self._number, then=self._printed)
        self.call_service(desk.order_view, self.services, self._order_id, then=self._reloaded, failed=self._failed)

    def _reloaded(self, view: desk.OrderView) -> None:
        self._busy = False
        self._show_order(view)

    def _printed(self, printed: Any) -> None:
        if printed.sent_to:
            self.notify(_("Check-in sheet sent to {printer}: {path}").format(printer=printed.sent_to, path=printed.path),
                        timeout=10)
        elif printed.print_error:
            self.notify(_("The printer refused the check-in sheet ({reason}); the PDF is at {path}").format(
                reason=printed.print_error, path=printed.path), severity="warning", timeout=15)
        else:
            self.notify(_("Check-in sheet saved as {path}").format(path=printed.path), timeout=10)

    def _failed(self, error: FrontdeskError) -> None:
        self._busy = False
        if isinstance(error, ConflictError):
            self.notify(str(error), title=_("Not saved"), severity="error", timeout=8)
            self._loaded = False  # someone else changed the order: show theirs
            self.call_service(desk.order_view, self.services, self._order_id, then=self._show_order)
            return
        self.show_error(error)

    # Leaving -------------------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self._loaded or self._values() == self._pristine:
            super().action_back()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                super(WalkaroundScreen, self).action_back()

        self.app.push_screen(ConfirmScreen(_("Discard the walkaround?"), _("The marks and ticks made here have not been saved."),
                                           yes=_("Discard"), no=_("Keep editing")), answered)
