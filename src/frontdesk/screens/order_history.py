"""An order's full history from the audit trail: who did what, when, and what it changed.

For a dispute at the counter ("who gave this discount?", "when was the brake job
approved, and by whom?"): every recorded event of the order, its jobs, lines, checks and
payments, oldest first, with the user's name and the changed fields in one line. Under the
list, the selected event's fields before and after; Enter gives that comparison the whole
screen (Enter or Esc goes back to the list). E and X write the history to CSV or Excel in
the paperwork folder (manager and administrator only: the keys are not offered to others).

Opened for one order: ``OrderHistoryScreen(order_id=...)``, from the estimate, settlement and
payment screens. Read once when opened; F5 reads it again.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import REFRESH, back, binding
from frontdesk.labels import AUDIT_ACTION, label
from frontdesk.services import audit, audit_views
from frontdesk.services.audit_views import HistoryEvent, OrderHistory
from frontdesk.services.data_exports import Export
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip

from .base import DeskScreen

USER_CELLS = 12
ACTION_CELLS = 16
CHANGED_STYLE = "bold"


class OrderHistoryScreen(DeskScreen):
    """``OrderHistoryScreen(order_id=7)``: the order's audit events; Enter compares before and after."""

    CSS_PATH = "../assets/styles/order_history.tcss"
    AUTO_FOCUS = "#oh-events"

    BINDINGS = [
        # Priority: the footer shows it (the list's own Enter would hide it) and it works in either list.
        binding("enter", "diff", "Changes", tooltip="Before and after of the selected event, on the whole screen",
                priority=True, key_display="Enter"),
        binding("e", "export('csv')", "CSV", tooltip="Write the order's history as CSV into the paperwork folder"),
        binding("x", "export('xlsx')", "Excel",
                tooltip="Write the order's history as an Excel workbook into the paperwork folder"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the history again"),
        back(),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.history: OrderHistory | None = None
        self.full_diff = False
        self.last_export: Export | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading the history…"), id="oh-head")
        yield ListTable(id="oh-events")
        yield ListTable(id="oh-diff")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.events_table.add_columns(_("Time"), _("User"), _("Action taken"), _("Changes"))
        self.diff_table.add_columns(_("Field"), _("Before"), _("After"))
        self.diff_table.border_title = _("Before and after")
        self.action_refresh()

    @property
    def events_table(self) -> ListTable:
        return self.query_one("#oh-events", ListTable)

    @property
    def diff_table(self) -> ListTable:
        return self.query_one("#oh-diff", ListTable)

    # Keys -----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return allowed(self.actor.role, "audit.export")  # personal data: not offered to others at all
        if action == "diff":
            return None if self.selected is None else True
        return super().check_action(action, parameters)

    def action_refresh(self) -> None:
        self.call_service(audit_views.order_history, self.services, self.actor, self.order_id, then=self.show)

    def action_diff(self) -> None:
        if self.selected is None:
            return
        self.full_diff = not self.full_diff
        self.set_class(self.full_diff, "-full-diff")
        (self.diff_table if self.full_diff else self.events_table).focus()

    def action_back(self) -> None:
        if self.full_diff:
            self.action_diff()
            return
        super().action_back()

    def action_export(self, fmt: str) -> None:
        if self.history is None:
            return
        path = audit.default_path(self.services.settings.resolved_pdf_dir(), self.history.number, fmt)
        self.call_service(audit.export_order_history, self.services, self.actor, self.order_id, path,
                          then=self._exported)

    def _exported(self, done: Export) -> None:
        self.last_export = done
        self.notify(_("{rows} rows written to {path}").format(rows=done.rows, path=done.path), title=_("Exported"))
        self.action_refresh()  # the export is itself in the history

    # Showing -------------------------------------------------------------------------------------

    @property
    def selected(self) -> HistoryEvent | None:
        if self.history is None or not self.history.events:
            return None
        key = self.events_table.cursor_key
        return next((e for e in self.history.events if str(e.id) == key), None)

    def show(self, history: OrderHistory) -> None:
        self.history = history
        self.query_one("#oh-head", Static).update(
            _("Order {number} · {plate} · {n} events").format(number=history.number, plate=history.plate,
                                                              n=len(history.events)))
        self.events_table.border_title = _("History of {number}").format(number=history.number)
        self.events_table.refill((str(e.id), self._cells(e)) for e in history.events)
        if self.events_table.cursor_key is None or history.events and self.selected is None:
            self.events_table.move_cursor(row=0)
        self._show_diff()
        self.refresh_bindings()

    def _cells(self, e: HistoryEvent) -> tuple[Any, ...]:
        return (e.at.strftime("%m-%d %H:%M"), clip(e.user, USER_CELLS), clip(label(AUDIT_ACTION, e.action), ACTION_CELLS),
                e.summary or "—")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.events_table:
            self._show_diff()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table is self.events_table or self.full_diff:
            self.action_diff()

    def _show_diff(self) -> None:
        e = self.selected
        if e is None:
            self.diff_table.refill([])
            self.diff_table.border_subtitle = _("Nothing recorded for this order yet.")
            return
        self.diff_table.border_subtitle = _("{time} · {user} · {action} · {entity} {id}").format(
            time=e.at.strftime("%Y-%m-%d %H:%M:%S"), user=e.user, action=label(AUDIT_ACTION, e.action), entity=e.entity,
            id=e.entity_id if e.entity_id is not None else "")
        rows = []
        for n, c in enumerate(e.changes):
            changed = bool(c.before) and c.before != c.after
            after = Text(c.after, style=CHANGED_STYLE) if changed else c.after
            rows.append((f"c{n}", (c.field, c.before or "—", after or "—")))
        if not rows:
            rows.append(("c-none", (_("(no fields recorded)"), "", "")))
        self.diff_table.refill(rows)
