"""Service packages (保养套餐), the administrator's and the service manager's catalog of them.

A package is what the desk adds as one choice — "10 000 km service for this model": its
labour and parts with their quantities (services/packages.py). The list shows every
package, those withdrawn from the desk too (dimmed): code, name, the make and models it
fits, its interval, its price at the customer's rate, whether the desk is offered it.
Typing filters it (code, name, make or model); Down goes into the list, Up on its first
row back to the box. Under the list, the selected package's lines.

F2 a new package and F4 (or Enter on a row) edits one (screens/package_form.py); Del
withdraws the selected package from the desk after asking (jobs it added keep naming it),
or offers a withdrawn one again. F8 writes the packages into the paperwork folder in the
columns ``frontdesk import packages`` reads (edit them in Excel), I reads such a file back:
a dry run first, then every package or none. Del and I act from the list (the search box
takes letters and Del as typing).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Label, Static

from frontdesk.i18n import N_, gettext as _
from frontdesk.keys import EDIT, NEW, PRINT, binding
from frontdesk.services import data_exports, desk, package_files, packages
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.imports import ImportRejected, ImportReport
from frontdesk.services.money import format_money
from frontdesk.services.packages import PackageHit, PackageInput
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns
from frontdesk.widgets.type_ahead import TypeAhead

from .admin_modals import FormDialog, FormField
from .catalog_picker import interval_text, package_contents
from .package_form import PackageForm
from .search_list import SearchLayout, SearchListScreen, search_keys

#: Screen action -> the permission it needs (tests/ui/test_role_matrix_ui.py reads it).
ACTION_PERMISSION = {"new": "catalog.save", "edit": "catalog.save", "toggle_active": "catalog.save",
                     "import_file": "catalog.import", "export": "data.export"}


def matches(hit: PackageHit, text: str) -> bool:
    """Code, name (either language), make or a model containing what was typed."""
    if not text:
        return True
    wanted = text.casefold()
    return any(wanted in field.casefold() for field in (hit.code, hit.name, hit.name_en, hit.make, hit.models))


def fits_text(hit: PackageHit) -> str:
    """"大众 朗逸,速腾", "大众" (every model), "all" (every make)."""
    if not hit.make and not hit.models:
        return _("all")
    return " ".join(part for part in (hit.make, hit.models) if part)


class PackagesScreen(SearchListScreen):
    """``PackagesScreen()``: every service package; new, edit, withdraw, export, import."""

    CSS_PATH = "../assets/styles/packages.tcss"
    SEARCH = SearchLayout(box="pkg-search", list="pkg-list", status="pkg-status")
    FIND_HINT = N_("Type a code, a name, a make or a model.")
    PICK_FIRST = N_("Pick a package in the list first.")

    BINDINGS = [
        binding(NEW, "new", "New", tooltip="A new service package"),
        binding(EDIT, "edit", "Edit", tooltip="Edit the selected package: fields and lines (Enter on a row does the same)"),
        binding("delete", "toggle_active", "Withdraw", key_display="Del",
                tooltip="Withdraw the selected package from the desk (asked first), or offer a withdrawn one again"),
        binding(PRINT, "export", "Export", tooltip="Write the packages into the paperwork folder (Excel, the import's columns)"),
        binding("i", "import_file", "Import", tooltip="Read packages from a .csv or .xlsx file: a dry run first, then all or none"),
        *search_keys("Read the packages again", show_refresh=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[PackageHit] = []
        self.last_export: str | None = None
        self._type_ahead = TypeAhead(self, self._search, arrived=self._arrived, status=self._status,
                                     group="packages-browse")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        with Horizontal(id="pkg-search-row"):
            yield Label(_("Find"), id="pkg-search-label")
            yield Input(id="pkg-search", compact=True, placeholder=_("code, name, make or model"))
            yield Static("", id="pkg-status")
        yield ListTable(id="pkg-list", leave_up=True)
        yield Static("", id="pkg-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.table
        table.border_title = _("Service packages")
        declare_columns(table, Col(_("Code"), whole=True, keep=9), Col(_("Package name"), keep=8),
                        Col(_("Fits"), keep=5), Col(_("Interval"), keep=6), Col(_("Price"), whole=True, keep=7),
                        Col(_("Active"), keep=4))
        self.action_refresh()

    # Searching ---------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[PackageHit]:
        return list(self._rows)

    def _search(self, text: str) -> list[PackageHit]:
        """Runs in a worker thread: a store has tens of packages, a group a few hundred."""
        return [hit for hit in packages.all_packages(self.services) if matches(hit, text)]

    def fill(self, rows: list[PackageHit]) -> None:
        self.table.refill((f"k{r.id}", self._cells(r)) for r in rows)

    def _cells(self, r: PackageHit) -> tuple[Any, ...]:
        dim = "" if r.active else "dim"
        return (Text(r.code, style="bold " + dim), Text(clip(r.name, 24), style=dim), clip(fits_text(r), 16),
                interval_text(r.interval_km, r.interval_months), Text(format_money(r.price), justify="right"),
                Text(_("yes"), style="green") if r.active else Text(_("withdrawn"), style="dim italic"))

    @property
    def selected(self) -> PackageHit | None:
        key = self.table.cursor_key
        return next((r for r in self._rows if f"k{r.id}" == key), None)

    def _show_detail(self) -> None:
        row = self.selected
        text = Text()
        if row is not None:
            text.append(f"{row.code} {row.name}", style="bold")
            if row.name_en:
                text.append(f" · {row.name_en}")
            if row.first_service:
                text.append("  " + _("first service"), style="bold yellow")
            if not row.active:  # the Active column is the first to go at 80 columns, and dim alone is easy to miss
                text.append("  " + _("withdrawn"), style="bold red")
            text.append("\n")
            text.append_text(package_contents(row))
        self.query_one("#pkg-detail", Static).update(text)

    # Keys ---------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION_PERMISSION:
            return allowed(self.actor.role, ACTION_PERMISSION[action])
        return super().check_action(action, parameters)

    # Editing -----------------------------------------------------------------------------------------------

    def _edit(self, row: PackageHit | None) -> None:
        package_id = row.id if row else None

        def save(data: PackageInput) -> Any:
            return packages.save_package(self.services, self.actor, data, package_id)

        self.app.push_screen(PackageForm(row, partial(desk.find_labor_ops, self.services),
                                         partial(desk.find_parts, self.services, self.actor), save), self._saved)

    def action_toggle_active(self) -> None:
        row = self.selected
        if row is None:
            self.notify(_("Pick a package in the list first."), severity="warning")
            return
        from .confirm import ConfirmScreen

        if row.active:
            title, message = _("Withdraw package"), _(
                "Withdraw {code} {name} from the desk? It is no longer offered on estimates; "
                "jobs it added keep naming it.").format(code=row.code, name=row.name)
            yes = _("Withdraw")
        else:
            title, message = _("Offer package again"), _("Offer {code} {name} on estimates again?").format(
                code=row.code, name=row.name)
            yes = _("Offer again")

        def answered(ok: bool | None) -> None:
            if ok:
                self.call_service(packages.set_package_active, self.services, self.actor, row.id, not row.active,
                                  then=lambda _saved: self._saved(_saved))

        self.app.push_screen(ConfirmScreen(title, message, yes=yes, no=_("Keep")), answered)

    # Export and import ---------------------------------------------------------------------------------------

    def action_export(self) -> None:
        target = data_exports.default_path(self.services.settings.resolved_pdf_dir(), "packages", "xlsx")  # type: ignore[arg-type]
        self.call_service(package_files.export_packages, self.services, self.actor, target, then=self._exported)

    def _exported(self, done: data_exports.Export) -> None:
        self.last_export = str(done.path)
        self.notify(_("{n} rows written to {path}").format(n=done.rows, path=done.path), title=_("Exported"),
                    timeout=8)

    def action_import_file(self) -> None:
        """A path, then the dry run; a clean one is imported after a yes."""
        def check(values: dict[str, str]) -> tuple[str, ImportReport]:
            path = values["path"].strip()
            if not path:
                raise ValidationError("path", _("Type the path of a .csv or .xlsx file."))
            return path, package_files.dry_run(self.services, self.actor, Path(path).expanduser())

        self.app.push_screen(FormDialog(_("Import service packages"), [
            FormField("path", _("File"), self.last_export or "", max_length=400,
                      placeholder=_("Path of a .csv or .xlsx file"))], check,
            note=_("A dry run first: nothing is written until you say yes.")), self._checked)

    def _checked(self, outcome: Any) -> None:
        if outcome is None or isinstance(outcome, FrontdeskError):
            if outcome is not None:
                self.show_error(outcome)
            return
        path, report = outcome
        if not report.ok:
            reasons = [f"{r.row}: {r.key} {r.reason}" for r in report.rejected[:5]]
            self.notify("\n".join([report.summary(), *reasons]), title=_("Not imported"), severity="error", timeout=12)
            return
        from .confirm import ConfirmScreen

        def answered(ok: bool | None) -> None:
            if ok:
                self.call_service(package_files.import_packages, self.services, self.actor, Path(path).expanduser(),
                                  then=self._imported, failed=self._import_failed)

        self.app.push_screen(ConfirmScreen(_("Import service packages"), report.summary(), yes=_("Import"),
                                           no=_("Cancel")), answered)

    def _imported(self, report: ImportReport) -> None:
        self.notify(report.summary(), title=_("Imported"), timeout=8)
        self.action_refresh()

    def _import_failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ImportRejected):
            self.notify(error.report.summary(), title=_("Not imported"), severity="error", timeout=12)
            return
        self.show_error(error)
