"""Import (admin, manager): load the dealer's own parts price list or labor-time table.

The file is checked first and only then written: F5 (or D, or Enter in the file field)
makes the dry run — counts, then a table with every rejected row and its reason, then the
rows to change and to add; F6 imports, and only after a dry run of this very kind and file
found no rejected row (the service checks again inside its transaction: all rows or none).
P and L choose parts or labor; F3 goes back to the file field (Esc leaves it). Large files
run in a worker with a progress bar fed from it (throttled to ten updates a second), so
the screen never freezes. E writes a catalog or this month's orders into the paperwork
folder as CSV or Excel (screens/export_choice.py).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Label, ProgressBar, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import FIND, REFRESH, SAVE, back, binding
from frontdesk.services import data_exports, imports
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.imports import FIELD_TITLE, N_, ImportRejected, ImportReport
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, fixed_columns

from .base import DeskScreen

KIND_TITLE = {"parts": N_("Parts price list"), "labor": N_("Labor-time table")}
SHOWN_ROWS = 500  # rows listed on screen; the counts cover the whole file
THROTTLE = 0.1  # seconds between progress updates from the worker


class ImportFileScreen(DeskScreen):
    """``ImportFileScreen(kind="parts", path="")``: type a path, dry run, import; export catalogs."""

    CSS_PATH = "../assets/styles/import_file.tcss"

    BINDINGS = [
        binding("p", "kind('parts')", "Parts", tooltip="Import a parts price list"),
        binding("l", "kind('labor')", "Labor", tooltip="Import a labor-time table"),
        binding(FIND, "edit_path", "File", tooltip="Type the path of the .csv or .xlsx file"),
        binding(REFRESH, "dry_run", "Dry run", tooltip="Check the file: what would be added, changed, rejected"),
        binding("d", "dry_run", "Dry run", show=False),
        binding(SAVE, "commit", "Import", tooltip="Import the checked file: every row or none"),
        binding("e", "export", "Export", tooltip="Write a catalog or this month's orders into the paperwork folder"),
        back(),
    ]

    def __init__(self, kind: str = "parts", path: str = "") -> None:
        super().__init__()
        self._kind = kind if kind in imports.KINDS else "parts"
        self._path = path
        self._busy = False
        self._checked: tuple[str, str] | None = None  # (kind, path) of the last clean dry run
        self._last_progress = 0.0
        self.report: ImportReport | None = None
        self.last_export: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        with Horizontal(id="im-head"):
            yield Static("", id="im-kind")
        with Horizontal(id="im-file"):
            yield Label(_("File"), id="im-file-label")
            yield Input(self._path, id="path", placeholder=_("Path of a .csv or .xlsx file"))
        yield Static("", id="path-error", classes="field-error")
        with Horizontal(id="im-progress"):
            yield Static("", id="im-stage")
            yield ProgressBar(total=None, show_eta=False, id="im-bar")
        yield Static(_("Choose the kind, type the file's path, then F5 checks it."), id="im-summary")
        yield ListTable(id="im-rows")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.query_one("#im-rows", ListTable), (_("Row"), 6), (_("Number/code"), 14), (_("Result"), 8),
                      Col(_("Reason or fields"), 100, shrink=True))
        self._show_kind()
        self.action_edit_path()

    # Keys ------------------------------------------------------------------------------------------

    def _show_kind(self) -> None:
        self.query_one("#im-kind", Static).update(
            _("Import: {kind}").format(kind=_(KIND_TITLE[self._kind])) + "   " + _("(P parts, L labor)"))

    def action_kind(self, kind: str) -> None:
        if self._busy or kind == self._kind:
            return
        self._kind = kind
        self._checked = None
        self._show_kind()

    def action_edit_path(self) -> None:
        field = self.query_one("#path", Input)
        if field.has_focus:  # F3 in the field: the path is selected, typing replaces it
            field.select_all()
            if not field.value:
                self.notify(_("Type the path of the .csv or .xlsx file"), timeout=4)
            return
        field.can_focus = True
        field.focus()
        field.cursor_position = len(field.value)

    def _leave_path(self) -> None:
        field = self.query_one("#path", Input)
        field.can_focus = False
        self.query_one("#im-rows", ListTable).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self._leave_path()
            return
        super().action_back()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_dry_run()

    def _file(self) -> str:
        return self.query_one("#path", Input).value.strip()

    def action_dry_run(self) -> None:
        if self._busy:
            return
        self.clear_errors()
        path = self._file()
        if not path:
            self.query_one("#path-error", Static).update(_("Type the path of the file first."))
            return
        self._leave_path()
        self._start(_("Checking {file}…").format(file=Path(path).name))
        kind = self._kind
        self.call_service(imports.dry_run, self.services, self.actor, kind, path, self._progress_from_worker,
                          then=lambda report: self._checked_file(kind, path, report), failed=self._failed,
                          group="import")

    def action_commit(self) -> None:
        if self._busy:
            return
        path = self._file()
        if self._checked != (self._kind, path):
            self.notify(_("Check the file first (F5): only a file without rejected rows is imported."),
                        severity="warning", timeout=6)
            return
        self._start(_("Importing {file}…").format(file=Path(path).name))
        self.call_service(imports.import_catalog, self.services, self.actor, self._kind, path,
                          self._progress_from_worker, then=self._imported, failed=self._failed, group="import")

    def action_export(self) -> None:
        if self._busy:
            return
        from .export_choice import ExportChoice

        self.app.push_screen(ExportChoice(), self._export_chosen)

    def _export_chosen(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        what, fmt = choice
        folder = self.services.settings.resolved_pdf_dir()
        if what == "orders":
            from frontdesk.services.periods import preset

            start, end = preset("month", self.services.clock().date())
            target = data_exports.default_path(folder, "orders", fmt, start, end)
            self.call_service(data_exports.export_orders, self.services, self.actor, start, end, target,
                              then=self._exported)
        else:
            target = data_exports.default_path(folder, what, fmt)  # type: ignore[arg-type]
            self.call_service(data_exports.export_catalog, self.services, self.actor, what, target,
                              then=self._exported)

    def _exported(self, done: data_exports.Export) -> None:
        self.last_export = str(done.path)
        self.notify(_("{n} rows written to {path}").format(n=done.rows, path=done.path), title=_("Exported"),
                    timeout=8)

    # Progress --------------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self._busy = True
        self._last_progress = 0.0
        self.query_one("#im-summary", Static).update(text)
        self.query_one("#im-stage", Static).update("")
        self.query_one("#im-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#im-progress").display = True

    def _progress_from_worker(self, stage: str, done: int, total: int) -> None:
        """Called in the worker thread; passes at most ten updates a second to the screen."""
        now = time.monotonic()
        if done not in (0, total) and now - self._last_progress < THROTTLE:
            return
        self._last_progress = now
        self.app.call_from_thread(self._show_progress, stage, done, total)

    def _show_progress(self, stage: str, done: int, total: int) -> None:
        if not self._busy:
            return
        self.query_one("#im-stage", Static).update(
            _(stage) + (f" {done:,}/{total:,}" if total else ""))
        self.query_one("#im-bar", ProgressBar).update(total=total or None, progress=done)

    def _stop(self) -> None:
        self._busy = False
        self.query_one("#im-progress").display = False

    # Results ---------------------------------------------------------------------------------------

    def _checked_file(self, kind: str, path: str, report: ImportReport) -> None:
        self._stop()
        self._checked = (kind, path) if report.ok else None
        self._show(report)
        if report.ok:
            self.notify(_("No rejected rows: F6 imports the file."), timeout=6)

    def _imported(self, report: ImportReport) -> None:
        self._stop()
        self._checked = None
        self._show(report)
        self.notify(report.summary(), title=_("Imported"), timeout=8)

    def _failed(self, error: FrontdeskError) -> None:
        self._stop()
        if isinstance(error, ImportRejected):
            self._checked = None
            self._show(error.report)
        self.show_error(error)

    def _show(self, report: ImportReport) -> None:
        self.report = report
        self.query_one("#im-summary", Static).update(report.summary())
        rows: list[tuple[str, tuple[Any, ...]]] = []
        for n, error in enumerate(report.errors):
            rows.append((f"e{n}", ("", "", _("File"), error)))
        for r in report.rejected:
            rows.append((f"r{r.row}", (str(r.row), clip(r.key, 14), _("Rejected"), r.reason)))
        for c in report.changed:
            fields = ", ".join(_(FIELD_TITLE[f]) for f in c.fields)
            rows.append((f"c{c.row}", (str(c.row), clip(c.key, 14), _("Changed") if report.committed else _("To change"),
                                       fields)))
        for row, key in report.added:
            rows.append((f"a{row}", (str(row), clip(key, 14), _("Added") if report.committed else _("To add"), "")))
            if len(rows) >= SHOWN_ROWS:
                break
        table = self.query_one("#im-rows", ListTable)
        table.refill(rows[:SHOWN_ROWS])
        title = _("Rejected rows first; {shown} of {total} listed").format(
            shown=min(len(rows), SHOWN_ROWS),
            total=len(report.errors) + len(report.rejected) + len(report.changed) + len(report.added))
        table.border_title = title
