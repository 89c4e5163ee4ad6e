"""The catalogs (administrator, service manager; advisors and the supervisor may look things up).

Two catalogs behind one search box, F7 switches between them:

- labor operations (工时): code, name, standard hours, category, the models the time
  applies to (empty: every model), safety-related or not;
- parts (备品): number, name, unit, price, this store's stock (on hand, available) and bin.

Typing searches as the estimate builder does (a code, a fragment of the name in either
language, pinyin initials: "ghjy" finds 更换机油); Down goes into the list, Up on its first
row back to the box. F2 a new item, F4 (or Enter on a row) edits the selected one, S
adjusts the selected part's stock with a reason (every change is a stock movement).
A role that may only look sees no F2, F4 or S.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Label, Static

from frontdesk.i18n import N_, gettext as _
from frontdesk.keys import EDIT, NEW, binding
from frontdesk.labels import SKILL, label
from frontdesk.services import admin_views, catalog
from frontdesk.services.admin_views import LaborRow, PartRow
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.services.sanbao import SERIOUS, system_label
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip
from frontdesk.widgets.type_ahead import TypeAhead

from .admin_modals import labor_form, part_form, stock_form
from .search_list import SearchLayout, SearchListScreen, search_keys

LABOR, PARTS = "labor", "parts"
SWITCH = "f7"


def number(value: Any) -> str:
    return format(value.normalize(), "f")


class CatalogsScreen(SearchListScreen):
    """``CatalogsScreen(catalog="labor"|"parts")``: browse, search, edit; adjust a part's stock."""

    CSS_PATH = "../assets/styles/catalogs.tcss"
    SEARCH = SearchLayout(box="cat-search", list="cat-list", status="cat-status")
    FIND_HINT = N_("Type a code, a name or its pinyin initials.")
    PICK_FIRST = N_("Pick an item in the list first.")

    BINDINGS = [
        binding(NEW, "new", "New", tooltip="A new labor operation or part"),
        binding(EDIT, "edit", "Edit", tooltip="Edit the selected item (Enter on a row does the same)"),
        binding("s", "stock", "Adjust stock", tooltip="Receive or correct the selected part's stock, with a reason"),
        binding(SWITCH, "switch", "Labor/Parts", tooltip="Switch between labor operations and parts"),
        *search_keys("Search again"),
    ]

    def __init__(self, catalog: str = LABOR) -> None:
        super().__init__()
        self._catalog = catalog if catalog in (LABOR, PARTS) else LABOR
        self._rows: list[LaborRow] | list[PartRow] = []
        self._type_ahead = TypeAhead(self, self._search, arrived=self._arrived, status=self._status,
                                     group="catalog-browse")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static("", id="cat-tabs")
        with Horizontal(id="cat-search-row"):
            yield Label(_("Find"), id="cat-search-label")
            yield Input(id="cat-search", compact=True, placeholder=_("code, name or pinyin initials"))
            yield Static("", id="cat-status")
        yield ListTable(id="cat-list", leave_up=True)
        yield Static("", id="cat-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._setup()

    # Which catalog ---------------------------------------------------------------------------------

    @property
    def catalog(self) -> str:
        return self._catalog

    def _setup(self) -> None:
        table = self.table
        table.clear(columns=True)
        if self._catalog == LABOR:
            for title, width in ((_("Code"), 8), (_("Operation name"), 18), (_("Hours"), 5), (_("Category"), 10),
                                 (_("System"), 10), (_("Models"), 10)):
                table.add_column(title, width=width)
            table.border_title = _("Labor operations")
        else:
            for title, width in ((_("Part number"), 12), (_("Part name"), 16), (_("Unit"), 4), (_("Price"), 10),
                                 (_("On hand"), 7), (_("Bin"), 8)):
                table.add_column(title, width=width)
            table.border_title = _("Parts")
        tabs = Text()
        for key, name in ((LABOR, _("Labor operations")), (PARTS, _("Parts"))):
            tabs.append(f" {name} ", style="bold reverse" if key == self._catalog else "dim")
            tabs.append(" ")
        tabs.append("  " + _("F7: switch"), style="dim")
        self.query_one("#cat-tabs", Static).update(tabs)
        self._rows = []
        self.refresh_bindings()
        self.action_refresh()

    def action_switch(self) -> None:
        self._catalog = PARTS if self._catalog == LABOR else LABOR
        self._setup()

    # Searching ---------------------------------------------------------------------------------------

    def _search(self, text: str) -> list[Any]:
        """Runs in a worker thread."""
        if self._catalog == LABOR:
            return admin_views.labor_rows(self.services, self.actor, text)
        return admin_views.part_rows(self.services, self.actor, text)

    def fill(self, rows: list[Any]) -> None:
        if self._catalog == LABOR:
            self.table.refill((f"l{r.id}", self._labor_cells(r)) for r in rows if isinstance(r, LaborRow))
        else:
            self.table.refill((f"p{r.id}", self._part_cells(r)) for r in rows if isinstance(r, PartRow))

    def _labor_cells(self, r: LaborRow) -> tuple[Any, ...]:
        name = Text(clip(r.name, 18))
        if r.safety:
            name.append(" ⚠", style="bold yellow")
        return (Text(r.code, style="bold"), name, Text(number(r.std_hours), justify="right"),
                clip(label(SKILL, r.category), 10), self._system_cell(r),
                clip(r.models, 10) or Text(_("all"), style="dim"))

    @staticmethod
    def _system_cell(r: LaborRow) -> Text:
        """The car's system (三包 counts repeat repairs per system): serious ones bold, routine work a dash."""
        if r.system is None:
            return Text("—", style="dim")
        return Text(clip(system_label(r.system), 10), style="bold" if r.system in SERIOUS else "")

    def _part_cells(self, r: PartRow) -> tuple[Any, ...]:
        stock = Text(number(r.on_hand), justify="right", style="bold red" if r.available <= 0 else "")
        return (Text(r.number, style="bold"), clip(r.name, 16), r.unit, Text(format_money(r.price), justify="right"),
                stock, r.bin or "—")

    @property
    def selected(self) -> LaborRow | PartRow | None:
        key = self.table.cursor_key
        prefix = "l" if self._catalog == LABOR else "p"
        return next((r for r in self._rows if f"{prefix}{r.id}" == key), None)

    def _show_detail(self) -> None:
        row = self.selected
        text = Text()
        if isinstance(row, LaborRow):
            text.append(f"{row.code} {row.name}", style="bold")
            if row.name_en:
                text.append(f" · {row.name_en}")
            text.append("  " + _("{hours} h").format(hours=number(row.std_hours)))
            text.append("  " + _("System: {system}").format(
                system=system_label(row.system) if row.system else _("none (routine work)")))
            text.append("  " + _("Models: {models}").format(models=row.models or _("all")), style="dim")
            if row.safety:
                text.append("  " + _("safety-related"), style="bold yellow")
        elif isinstance(row, PartRow):
            text.append(f"{row.number} {row.name}", style="bold")
            if row.name_en:
                text.append(f" · {row.name_en}")
            text.append("  " + _("on hand {on_hand}, reserved {reserved}, available {available} {unit}").format(
                on_hand=number(row.on_hand), reserved=number(row.reserved), available=number(row.available),
                unit=row.unit))
            text.append("  " + _("Bin {bin}").format(bin=row.bin or "—"), style="dim")
        self.query_one("#cat-detail", Static).update(text)

    # Keys -----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "edit"):
            return allowed(self.actor.role, "catalog.save")
        if action == "stock":
            return self._catalog == PARTS and allowed(self.actor.role, "stock.adjust")
        return super().check_action(action, parameters)

    # Editing -----------------------------------------------------------------------------------------------

    def _edit(self, row: LaborRow | PartRow | None) -> None:
        if self._catalog == LABOR:
            labor = row if isinstance(row, LaborRow) else None

            def save_labor(v: dict[str, str]) -> Any:
                data = catalog.LaborOpInput(
                    code=labor.code if labor else v["code"], name=v["name"], std_hours=v["std_hours"],
                    name_en=v["name_en"], category=v["category"], safety=v["safety"] == "yes", models=v["models"],
                    system=v["system"])
                return catalog.save_labor_operation(self.services, self.actor, data).id

            self.app.push_screen(labor_form(labor, save_labor), self._saved)
        else:
            part = row if isinstance(row, PartRow) else None

            def save_part(v: dict[str, str]) -> Any:
                data = catalog.PartInput(
                    number=part.number if part else v["number"], name=v["name"], price=v["price"],
                    name_en=v["name_en"], category=v["category"], unit=v["unit"], bin=v["bin"])
                return catalog.save_part(self.services, self.actor, data).id

            self.app.push_screen(part_form(part, save_part), self._saved)

    def action_stock(self) -> None:
        row = self.selected
        if not isinstance(row, PartRow):
            self.notify(_("Pick a part in the list first."), severity="warning")
            return

        def save(v: dict[str, str]) -> Any:
            bin_ = v["bin"] if v["bin"].strip() != row.bin else None
            return catalog.adjust_stock(self.services, self.actor, row.id, v["delta"], v["reason"], bin=bin_)

        self.app.push_screen(stock_form(row, save), self._saved)

