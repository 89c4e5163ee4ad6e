"""Pick a labor operation or a part from the catalog as you type: code, name or pinyin initials.

The advisor types ``jy`` and sees 机油… at once: typing waits a moment for a pause, then an
exclusive thread worker searches (a newer keystroke cancels the older search, and a result
for an older text is thrown away, so the list always belongs to what is in the box). Down
goes into the list, Up on its first row back to the box, Enter picks (in the box: the row
under the cursor, or the first hit once the search has answered), Esc gives up.

The picker is a ``ModalScreen[int | None]``: it is dismissed with the chosen record's id.
The part picker also says which job the part goes on (the estimate's selected job by
default; F4 moves it to another job or to the order itself) and shows the stock, so a part
that is short is seen before it is promised. The package picker (保养套餐) lists the
packages that fit the order's car first and, under the list, what the highlighted one adds
(its labour and parts with their quantities): a package is picked for its contents, which a
row has no room for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from frontdesk.i18n import current_language, gettext as _
from frontdesk.keys import EDIT, back, binding, translate_bindings
from frontdesk.services import desk
from frontdesk.services.money import format_money
from frontdesk.services.packages import LABOUR, PackageHit, km
from frontdesk.widgets.list_table import ListTable, clip
from frontdesk.widgets.type_ahead import TypeAhead

H = TypeVar("H")

SHORT_STYLE = "bold white on red"


def number(value: Any) -> str:
    """A quantity or hours without trailing zeros: 4, 1.5, 0.25."""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


class CatalogPicker(ModalScreen[int | None], Generic[H]):
    """Search box over a results list; subclasses say what is searched and how a row reads."""

    CSS_PATH = "../assets/styles/estimate.tcss"
    AUTO_FOCUS = "#picker-search"

    BINDINGS = [
        back("Cancel"),
        Binding("down", "results", "Results", show=False),
        Binding("up", "box", "Search box", show=False),
    ]

    def __init__(self, title: str, placeholder: str) -> None:
        super().__init__()
        translate_bindings(self)
        self._title = title
        self._placeholder = placeholder
        self._hits: list[H] = []
        self._type_ahead = TypeAhead(self, self.search, arrived=self._arrived, status=self._status,
                                     group="catalog-search")

    # What a subclass says -------------------------------------------------------------------

    def columns(self) -> Sequence[str]:
        raise NotImplementedError

    def search(self, text: str) -> Sequence[H]:
        """Runs in a worker thread."""
        raise NotImplementedError

    def cells(self, hit: H) -> tuple[Any, ...]:
        raise NotImplementedError

    def hit_id(self, hit: H) -> int:
        return hit.id  # type: ignore[attr-defined,no-any-return]

    def hint(self) -> str:
        return _("Type a code, a name or pinyin initials · Down: the list · Enter: pick · Esc: cancel")

    def extra(self) -> ComposeResult:
        """Widgets between the title and the search box (the part picker's job line)."""
        return iter(())

    def detail(self, hit: H) -> Text | str | None:
        """What the highlighted hit holds, shown under the list; None: the picker has no detail line."""
        return None

    # Layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self._title, id="picker-title")
            yield from self.extra()
            with Horizontal(id="picker-bar"):
                yield Input(id="picker-search", placeholder=self._placeholder)
                yield Static("", id="picker-status")
            yield ListTable(id="picker-results", leave_up=True)
            yield Static("", id="picker-detail")
            yield Static(self.hint(), id="picker-hint")

    def on_mount(self) -> None:
        self.results.add_columns(*self.columns())
        self.query_one("#picker-detail").display = False
        self._type_ahead.schedule("", delay=0)  # the catalog's first page before anything is typed

    @property
    def box(self) -> Input:
        return self.query_one("#picker-search", Input)

    @property
    def results(self) -> ListTable:
        return self.query_one("#picker-results", ListTable)

    @property
    def hits(self) -> list[H]:
        return list(self._hits)

    # Typing -----------------------------------------------------------------------------------

    @on(Input.Changed, "#picker-search")
    def _typed(self, event: Input.Changed) -> None:
        self._type_ahead.schedule(event.value.strip())

    def _arrived(self, hits: list[H], enter_waiting: bool) -> None:
        self._hits = hits
        table = self.results
        table.clear()
        for i, hit in enumerate(hits):
            table.add_row(*self.cells(hit), key=str(i))
        if hits:
            table.move_cursor(row=0)
        self._show_detail(0)
        if enter_waiting and hits:  # typed and Enter at once: the first hit it is
            self._choose(0)

    def _status(self, text: str) -> None:
        self.query_one("#picker-status", Static).update(text)

    # Keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "results":
            return self.box.has_focus and bool(self._hits)
        if action == "box":
            return self.results.has_focus
        return super().check_action(action, parameters)

    def action_results(self) -> None:
        self.results.focus()

    def action_box(self) -> None:
        self.box.focus()

    @on(Input.Submitted, "#picker-search")
    def _enter_in_box(self, event: Input.Submitted) -> None:
        event.stop()
        if self._type_ahead.pending:  # typed and Enter at once: pick the first hit when it arrives
            self._type_ahead.enter_when_answered()
        elif self._hits:
            self._choose(self.results.cursor_row)

    @on(DataTable.RowHighlighted, "#picker-results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        text = self.detail(self._hits[row]) if 0 <= row < len(self._hits) else None
        box = self.query_one("#picker-detail", Static)
        box.display = text is not None
        box.update(text or "")

    @on(DataTable.RowSelected, "#picker-results")
    def _enter_on_row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._choose(event.cursor_row)

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self._hits):
            self.dismiss(self.hit_id(self._hits[row]))

    def action_back(self) -> None:
        self.dismiss(None)


def _names(name: str, name_en: str) -> str:
    """The catalog's Chinese name; in English the English name beside it when there is one."""
    if current_language() == "en" and name_en:
        return f"{name_en} · {name}"
    return name


class LaborOpPicker(CatalogPicker[desk.LaborOpHit]):
    """``LaborOpPicker(search)``: dismissed with a labor operation's id."""

    def __init__(self, search: Callable[[str], Sequence[desk.LaborOpHit]], *, title: str | None = None) -> None:
        super().__init__(title or _("Add a job from the labor catalog"), _("Code, name or pinyin initials (jy finds 机油…)"))
        self._search = search

    def columns(self) -> Sequence[str]:
        return (_("Code"), _("Labor operation"), _("Std. hours"), _("Safety"))

    def search(self, text: str) -> Sequence[desk.LaborOpHit]:
        return self._search(text)

    def cells(self, hit: desk.LaborOpHit) -> tuple[Any, ...]:
        safety = Text(_("Safety"), style="bold yellow") if hit.safety else ""
        return (Text(hit.code, style="bold"), clip(_names(hit.name, hit.name_en), 44), number(hit.std_hours), safety)


class PartPicker(CatalogPicker[desk.PartHit]):
    """``PartPicker(search, targets, target)``: dismissed with a part's id; ``target_job_id`` says where it goes.

    ``targets`` are (job id, description) pairs, ``None`` standing for the order itself.
    """

    BINDINGS = [
        binding(EDIT, "next_target", "Another job", tooltip="Put the part on another job of the estimate"),
    ]

    def __init__(self, search: Callable[[str], Sequence[desk.PartHit]], targets: Sequence[tuple[int | None, str]],
                 target: int | None, *, title: str | None = None) -> None:
        super().__init__(title or _("Add a part"), _("Part number, name or pinyin initials"))
        self._search = search
        self._targets = list(targets) or [(None, _("The order (no job)"))]
        ids = [job_id for job_id, _label in self._targets]
        self._target = ids.index(target) if target in ids else 0

    @property
    def target_job_id(self) -> int | None:
        return self._targets[self._target][0]

    def extra(self) -> ComposeResult:
        yield Static(self._target_text(), id="picker-target")

    def _target_text(self) -> str:
        text = _("For: {job}").format(job=self._targets[self._target][1])
        return text + "   " + _("(F4: another job)") if len(self._targets) > 1 else text

    def action_next_target(self) -> None:
        self._target = (self._target + 1) % len(self._targets)
        self.query_one("#picker-target", Static).update(self._target_text())

    def columns(self) -> Sequence[str]:
        return (_("Part number"), _("Part"), _("Price"), _("On hand"), _("Reserved"), _("Available"), _("Unit"))

    def search(self, text: str) -> Sequence[desk.PartHit]:
        return self._search(text)

    def cells(self, hit: desk.PartHit) -> tuple[Any, ...]:
        available = hit.available
        free = Text(number(available), style=SHORT_STYLE if available <= 0 else "bold green")
        return (Text(hit.number, style="bold"), clip(_names(hit.name, hit.name_en), 24),
                format_money(hit.price, symbol=False), number(hit.on_hand), number(hit.reserved), free, hit.unit)


def interval_text(distance: int | None, months: int | None) -> str:
    """A package's interval as the maker's schedule says it: "10 000 km / 12 months"; "—" when it has none."""
    parts = []
    if distance:
        parts.append(_("{km} km").format(km=km(distance)))
    if months:
        parts.append(_("{n} months").format(n=months))
    return " / ".join(parts) or "—"


def package_contents(hit: PackageHit) -> Text:
    """What a package adds, one line: "更换机油机滤 1 h · 机油 0W-20 4 L · 机油滤清器 1 pc"."""
    text = Text()
    for i, line in enumerate(hit.lines):
        if i:
            text.append(" · ", style="dim")
        text.append(line.name, style="bold" if line.kind == LABOUR else "")
        qty = _("{hours} h").format(hours=number(line.qty)) if line.kind == LABOUR else \
            f"{number(line.qty)} {line.unit}".strip()
        text.append(f" {qty}")
    if not hit.lines:
        text.append(_("No lines yet."), style="dim")
    return text


class PackagePicker(CatalogPicker[PackageHit]):
    """``PackagePicker(search)``: dismissed with a service package's id (the packages for the car first)."""

    def __init__(self, search: Callable[[str], Sequence[PackageHit]]) -> None:
        super().__init__(_("Add a service package"), _("Code, name or pinyin initials"))
        self._search = search

    def columns(self) -> Sequence[str]:
        return (_("Code"), _("Service package"), _("Interval"), _("Price"))

    def search(self, text: str) -> Sequence[PackageHit]:
        return self._search(text)

    def cells(self, hit: PackageHit) -> tuple[Any, ...]:
        return (Text(hit.code, style="bold"), clip(_names(hit.name, hit.name_en), 36),
                interval_text(hit.interval_km, hit.interval_months), format_money(hit.price, symbol=False))

    def detail(self, hit: PackageHit) -> Text:
        return package_contents(hit)
