"""One service package as the administrator edits it: its name, who it is for, when it is due, its lines.

Over the packages screen (screens/packages.py). The fields come first (code, names, the make
and models it fits — empty for every make or model —, the interval in km and months); under
them the lines, labour and parts in the order they go on the estimate (a part goes on the
job of the labour above it). F2 adds a labour operation and F3 a part with the estimate's
own pickers (code, name or pinyin initials); F4 or Enter on a line changes its quantity (the
hours of a labour line, how many of a part: 4 L of 0W-20 for this engine); Del removes it.
F6 saves the package whole (services/packages.py ``save_package``: its lines replaced) and
a refusal is written beside the field it names, the dialog keeping what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, FIND, NEW, SAVE, binding
from frontdesk.services import desk
from frontdesk.services.errors import ValidationError
from frontdesk.services.packages import LABOUR, PART, PackageHit, PackageInput
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns

from .admin_modals import FormDialog, FormField
from .catalog_picker import LaborOpPicker, PartPicker, number
from .decision import RecordDialog


@dataclass(frozen=True)
class Line:
    """A line as the form holds it until F6: what the package input names, and what the table shows."""

    kind: str  # LABOUR | PART
    code: str  # labour code / part number
    name: str
    qty: Decimal
    unit: str


def parse_qty(text: str) -> Decimal:
    """A positive quantity or number of hours ("4", "0.5"); else a refusal beside the field."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError("qty", _("Enter a number, e.g. 4 or 0.5.")) from None
    if not value.is_finite() or value <= 0 or value >= 10000:
        raise ValidationError("qty", _("Enter a number greater than 0."))
    return value.normalize()


class PackageForm(RecordDialog):
    """``PackageForm(hit, find_labor, find_parts, save)``: dismissed with what ``save`` answered, or None (Esc)."""

    CSS_PATH = ["../assets/styles/dialog.tcss", "../assets/styles/packages.tcss"]  # type: ignore[assignment]
    AUTO_FOCUS = "#code"
    FIELDS = ("code", "name", "name_en", "make", "models", "interval_km", "interval_months", "lines")

    BINDINGS = [
        binding(SAVE, "record", "Save", tooltip="Save the package: its fields and its lines"),
        binding(NEW, "add_labour", "Add labour", tooltip="Add a labour operation to the package (code, name or pinyin)"),
        binding(FIND, "add_part", "Add part", tooltip="Add a part to the package (on the labour above it)"),
        binding(EDIT, "edit_qty", "Quantity", tooltip="Change the selected line's hours or quantity (Enter on a line too)"),
        binding("delete", "remove_line", "Remove line", key_display="Del", tooltip="Take the selected line out of the package"),
    ]

    def __init__(self, hit: PackageHit | None, find_labor: Callable[[str], Sequence[desk.LaborOpHit]],
                 find_parts: Callable[[str], Sequence[desk.PartHit]], save: Callable[[PackageInput], Any]) -> None:
        super().__init__(save)
        self._hit = hit
        self._find_labor = find_labor
        self._find_parts = find_parts
        self._lines: list[Line] = [Line(v.kind, v.code, v.name, v.qty, v.unit) for v in hit.lines] if hit else []

    # Layout ----------------------------------------------------------------------------------

    def _field(self, name: str, label: str, value: str, *, max_length: int, placeholder: str = "") -> ComposeResult:
        with Horizontal(classes="pkg-field"):
            yield Label(label, classes="pkg-label")
            yield Input(value, id=name if name != "name" else "pkg-name", max_length=max_length,
                        placeholder=placeholder, compact=True)

    def compose(self) -> ComposeResult:
        hit = self._hit
        title = _("Edit service package · {code}").format(code=hit.code) if hit else _("New service package")
        with Vertical(classes="dialog-box", id="pkg-form"):
            yield Static(title, classes="dialog-title")
            with Horizontal(classes="pkg-row"):
                yield from self._field("code", _("Code"), hit.code if hit else "", max_length=20)
                yield from self._field("name", _("Package name"), hit.name if hit else "", max_length=120)
            with Horizontal(classes="pkg-row"):
                yield from self._field("make", _("Make"), hit.make if hit else "", max_length=40,
                                       placeholder=_("empty: every make"))
                yield from self._field("name_en", _("English name"), hit.name_en if hit else "", max_length=120)
            with Horizontal(classes="pkg-row"):
                yield from self._field("models", _("Models"), hit.models if hit else "", max_length=200,
                                       placeholder=_("empty: every model"))
            with Horizontal(classes="pkg-row"):
                yield from self._field("interval_km", _("Every km"), str(hit.interval_km or "") if hit else "",
                                       max_length=8, placeholder=_("e.g. 10000"))
                yield from self._field("interval_months", _("Every months"),
                                       str(hit.interval_months or "") if hit else "", max_length=3,
                                       placeholder=_("e.g. 12"))
            with Horizontal(classes="pkg-errors"):
                for name in self.FIELDS[:-1]:
                    yield Static("", id=f"{name}-error", classes="field-error")
            yield ListTable(id="pkg-lines")
            yield Static("", id="lines-error", classes="field-error")
            yield Static(_("F2 labour · F3 part · F4/Enter quantity · Del remove · F6 save · Esc back"),
                         classes="dialog-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._as_opened = self._state()
        declare_columns(self.table, Col(_("Kind"), keep=3), Col(_("Code"), whole=True, keep=5),
                        Col(_("Description"), keep=4), Col(_("Qty"), keep=6), Col(_("Unit"), keep=2))
        self._show_lines()

    @property
    def table(self) -> ListTable:
        return self.query_one("#pkg-lines", ListTable)

    @property
    def lines(self) -> list[Line]:
        return list(self._lines)

    def _show_lines(self, cursor: int | None = None) -> None:
        table = self.table
        keep = table.cursor_row if cursor is None else cursor
        table.clear()
        for i, line in enumerate(self._lines):
            labour = line.kind == LABOUR
            table.add_row(Text(_("Labor") if labour else _("Part"), style="bold" if labour else "dim"),
                          Text(line.code, style="bold"), clip(line.name, 30),
                          Text(number(line.qty), justify="right"), _("h") if labour else line.unit, key=str(i))
        if self._lines:
            table.move_cursor(row=max(0, min(keep, len(self._lines) - 1)))

    def _selected(self) -> int | None:
        row = self.table.cursor_row
        return row if self._lines and 0 <= row < len(self._lines) else None

    # Lines ---------------------------------------------------------------------------------------

    def _insert(self, line: Line) -> None:
        """Under the selected line (a part goes on the labour above it), or at the end."""
        at = self._selected()
        where = len(self._lines) if at is None else at + 1
        self._lines.insert(where, line)
        self._show_lines(cursor=where)
        self.table.focus()
        self._error("lines", "")

    def action_add_labour(self) -> None:
        picker = LaborOpPicker(self._find_labor, title=_("Add labour to the package"))

        def picked(op_id: int | None) -> None:
            op = next((h for h in picker.hits if h.id == op_id), None)
            if op is not None:
                self._insert(Line(LABOUR, op.code, op.name, op.std_hours, "h"))

        self.app.push_screen(picker, picked)

    def action_add_part(self) -> None:
        at = self._selected()
        on = next((ln.name for ln in reversed(self._lines[:at + 1]) if ln.kind == LABOUR), None) if at is not None else None
        picker = PartPicker(self._find_parts, [(None, on or _("The package"))], None,
                            title=_("Add a part to the package"))

        def picked(part_id: int | None) -> None:
            part = next((h for h in picker.hits if h.id == part_id), None)
            if part is not None:
                self._insert(Line(PART, part.number, part.name, Decimal(1), part.unit))
                self.action_edit_qty()  # how many comes next: 4 L of oil, 1 filter

        self.app.push_screen(picker, picked)

    @on(DataTable.RowSelected, "#pkg-lines")
    def action_edit_qty(self) -> None:
        at = self._selected()
        if at is None:
            self.notify(_("No line yet: F2 adds labour, F3 a part."), severity="warning")
            return
        line = self._lines[at]
        label = _("Hours") if line.kind == LABOUR else _("Quantity ({unit})").format(unit=line.unit)

        def save(values: dict[str, str]) -> Decimal:
            return parse_qty(values["qty"])

        def done(qty: Any) -> None:
            if isinstance(qty, Decimal):
                self._lines[at] = replace(line, qty=qty)
                self._show_lines(cursor=at)
            self.table.focus()

        self.app.push_screen(FormDialog(f"{line.code} {line.name}", [
            FormField("qty", label, number(line.qty), max_length=10)], save), done)

    def action_remove_line(self) -> None:
        at = self._selected()
        if at is None:
            self.notify(_("No line yet: F2 adds labour, F3 a part."), severity="warning")
            return
        del self._lines[at]
        self._show_lines(cursor=at)

    # Saving -----------------------------------------------------------------------------------------

    def _state(self) -> tuple[object, ...]:
        """What is typed and listed, to tell whether Esc would lose anything."""
        return (*(self._value(name) for name in self.FIELDS[:-1]), tuple(self._lines))

    def action_back(self) -> None:
        """Esc: leaves at once when nothing was changed, else asks first."""
        if self._saving:
            return
        if self._state() == self._as_opened:
            self.dismiss(None)
            return
        from .confirm import ConfirmScreen

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Leave without saving?"), _("The package was changed and not saved (F6)."),
                                           yes=_("Leave"), no=_("Stay")), answered)


    def _value(self, name: str) -> str:
        return self.query_one(f"#{'pkg-name' if name == 'name' else name}", Input).value.strip()

    def entered(self) -> PackageInput | None:
        """What was typed; the service checks it (a refusal lands beside its field)."""
        if not any(line.kind == LABOUR for line in self._lines):
            self._error("lines", _("A package needs at least one labour line: F2 adds one."))
            return None
        return PackageInput(
            code=self._value("code"), name=self._value("name"), name_en=self._value("name_en"),
            make=self._value("make"), models=self._value("models"),
            # the service reads the intervals as typed (text), and says what is wrong beside the field
            interval_km=self._value("interval_km") or None,  # type: ignore[arg-type]
            interval_months=self._value("interval_months") or None,  # type: ignore[arg-type]
            lines=tuple((line.kind, line.code, line.qty) for line in self._lines),
            first_service=self._hit.first_service if self._hit else False)

    def _error(self, name: str, message: str) -> None:
        super()._error(name, message)
        if name != "lines":
            errors = self.query_one(".pkg-errors")
            errors.display = any(str(w.render()).strip() for w in errors.query(Static))


__all__ = ["Line", "PackageForm", "parse_qty"]
