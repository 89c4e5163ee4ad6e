"""The Lines tab: the table, the selected line's detail under it, its editor, and what the keys do to it.

Enter or F4 swaps the detail and the key hint for the editor; what is typed is previewed
(the amount beside the editor here, the row and the totals through the screen's ``typed``)
and Enter asks for what changed. That, and S, R, D and Del, become one change each, asked of
the screen (``Change``), which queues it; P stays the screen's, because it previews the pay
type in the totals as well.

A key acts on the order as last read (``latest``), which may be newer than the one shown
while changes wait in the queue; the table shows ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import DataTable, Input, Static

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import status
from frontdesk.model.enums import JobOrigin, JobStatus
from frontdesk.services import desk, estimate

from .line_detail import LineDetail
from .line_editor import LineEditor
from .lines_table import LinesTable
from .preview import Override, row_key, shown
from .reading import EDITABLE, Loaded


class LinesPane(Vertical):
    """``LinesPane(settings, latest, id="lines-pane")``: follows ``order``, ``pending`` and ``typed`` (bound to the screen's)."""

    class Change(Message):
        """A key asks for one change of the order: ``fn(services, actor, order_id, *args, **kwargs)``, then ``then``."""

        def __init__(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None,
                     **kwargs: Any) -> None:
            super().__init__()
            self.fn, self.args, self.kwargs, self.then = fn, args, kwargs, then

    class Previewed(Message):
        """Typed in the editor of line ``key``: the override to preview, None when it is what is saved."""

        def __init__(self, key: str, override: Override | None) -> None:
            super().__init__()
            self.key = key
            self.override = override

    class Closed(Message):
        """The editor was closed by Enter: what changed (if anything) was asked for just before."""

    order: var[Loaded | None] = var(None, always_update=True)
    pending: var[dict[str, Override]] = var(dict)
    typed: var[dict[str, Override]] = var(dict)

    def __init__(self, settings: Callable[[], Settings], latest: Callable[[], desk.OrderView | None], *,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._settings = settings
        self._latest = latest
        self.editing: str | None = None  # row key of the line in the editor

    def compose(self) -> ComposeResult:
        binds = (LinesPane.order, LinesPane.pending, LinesPane.typed)
        yield LinesTable(self._settings, id="lines").data_bind(*binds)
        yield LineDetail(self._settings, id="line-detail")
        yield LineEditor(id="line-edit")
        yield Static(_("K package · Enter/F4 edit · P pay type · S safety · R recommended · Del delete · D declined"),
                     id="lines-hint")

    @property
    def table(self) -> LinesTable:
        return self.query_one(LinesTable)

    def line(self, key: str | None) -> desk.LineView | None:
        """The line with this row key, as last read."""
        view = self._latest()
        if key is None or view is None:
            return None
        return next((line for line in view.lines if row_key(line) == key), None)

    @property
    def selected(self) -> desk.LineView | None:
        """The line under the cursor, as last read."""
        return self.line(self.table.cursor_key)

    def refuse_unless_editable(self) -> bool:
        """True (and a word to the advisor) when the estimate can no longer change, or a line is being edited."""
        v = self._latest()
        if v is None:
            return True
        if v.status not in EDITABLE:
            self.notify(_("Order {number} is {status}: the estimate can no longer be changed.").format(
                number=v.number, status=status(v.status)), severity="warning")
            return True
        if self.editing is not None:
            self.notify(_("Finish the line first: Enter saves it, Esc drops the change."), severity="warning")
            return True
        return False

    def part_targets(self) -> tuple[list[tuple[int | None, str]], int | None]:
        """Where F3 may put a part (the live jobs, or the order itself), and the selected line's job."""
        view = self._latest()
        jobs = [(line.id, line.description) for line in view.lines
                if line.kind == "labor" and line.status != JobStatus.DECLINED] if view else []
        line = self.selected
        return [*jobs, (None, _("The order (no job)"))], None if line is None else (
            line.id if line.kind == "labor" else line.job_id)

    @on(DataTable.RowHighlighted, "#lines")
    def show_detail(self) -> None:
        line = self.selected
        self.query_one(LineDetail).selected = (line, self.pending.get(row_key(line)) if line else None)

    def edit(self, line: desk.LineView) -> None:
        """The editor in place of the detail, filled with the line as shown (its pay type cycled included)."""
        self.editing = row_key(line)
        _q, price, _a, _p = shown(line, self.pending.get(self.editing), self._settings())
        self._show_editor(True)
        editor = self.query_one(LineEditor)
        editor.open(line, price)
        self._preview(*editor.values())
        editor.focus_quantity()

    def close(self) -> None:
        """The detail and the hint back in place of the editor; the focus back on the table."""
        self.editing = None
        self._show_editor(False)
        self.table.focus()

    def _show_editor(self, editing: bool) -> None:
        self.query_one(LineEditor).display = editing
        self.query_one("#line-detail").display = not editing
        self.query_one("#lines-hint").display = not editing

    @on(LineEditor.Typed)
    def _typed(self, event: LineEditor.Typed) -> None:
        self._preview(event.qty, event.price)

    def _preview(self, qty: Decimal | None, price: Decimal | None) -> None:
        """As the advisor types: the line's amount here; the row and the totals through ``Previewed``."""
        key = self.editing
        line = self.line(key)
        if key is None or line is None:
            return
        editor = self.query_one(LineEditor)
        if qty is None or price is None:
            editor.show_amount(None)
            return
        override = Override(qty, price, (self.pending.get(key) or Override()).pay_type)
        editor.show_amount(shown(line, override, self._settings())[2])
        unchanged = qty == line.quantity and price == line.unit_price and key not in self.pending
        self.post_message(self.Previewed(key, None if unchanged else override))

    @on(LineEditor.Submitted)
    def submit(self) -> None:
        """Enter (or F6): ask for the values that changed, when both read; otherwise say which does not."""
        line = self.line(self.editing)
        if self.editing is None or line is None:
            return
        qty, price = self.query_one(LineEditor).values()
        if qty is None or price is None:
            self.notify(_("Check the value marked in red."), title=_("Not saved"), severity="error", timeout=6)
            self.query_one("#qty" if qty is None else "#price", Input).focus()
            return
        self.close()
        labor = line.kind == "labor"
        names = ("hours", "rate") if labor else ("qty", "unit_price")
        kwargs: dict[str, Any] = {name: value for name, value, saved in zip(
            names, (qty, price), (line.quantity, line.unit_price), strict=True) if value != saved}
        if kwargs:
            self.post_message(self.Change(estimate.update_job if labor else estimate.update_part, line.id,
                                          then=None if labor else self._part_saved, **kwargs))
        self.post_message(self.Closed())

    def _part_saved(self, line: Any) -> None:
        saved = self.line(f"p{line.id}")
        if saved is not None and saved.short:
            self.notify(_("{part}: not enough in stock, the line is marked SHORT.").format(part=saved.description),
                        severity="warning", timeout=6)

    # One-key changes of the selected line ------------------------------------------------------------

    def line_for_key(self, *, job_only: str = "") -> desk.LineView | None:
        """The selected line, when a one-key change may touch it: the table has the focus and the estimate is open.

        ``job_only``: what to say when the line is a part (the change is made on its job).
        """
        if not self.table.has_focus or self.refuse_unless_editable():
            return None
        line = self.selected
        if line is not None and job_only and line.kind != "labor":
            self.notify(job_only, severity="warning")
            return None
        return line

    def toggle_safety(self) -> None:
        line = self.line_for_key(job_only=_("Safety is marked on the job, not on its parts."))
        if line is not None:
            self.post_message(self.Change(estimate.update_job, line.id, safety=not line.safety))

    def toggle_recommended(self) -> None:
        line = self.line_for_key(job_only=_("A part goes with its job: mark the job."))
        if line is not None:
            origin = JobOrigin.REQUESTED if line.origin == JobOrigin.RECOMMENDED else JobOrigin.RECOMMENDED
            self.post_message(self.Change(estimate.update_job, line.id, origin=origin))

    def decline(self) -> None:
        line = self.line_for_key()
        if line is None:
            return
        if line.kind != "labor" or line.status != JobStatus.PROPOSED:
            self.notify(_("Only a proposed job can be declined."), severity="warning")
            return

        def declined(_job: Any) -> None:
            message = _("Declined: {job}. It stays a recommendation for the next visit.").format(job=line.description)
            if line.safety:
                message += " " + _("It is safety-related: the customer signs for it at settlement.")
            self.notify(message, severity="warning" if line.safety else "information", timeout=8)

        self.post_message(self.Change(estimate.decline_job, line.id, then=declined))

    def delete(self) -> None:
        """Del: asks first (a job goes with its parts)."""
        line = self.line_for_key()
        v = self._latest()
        if line is None or v is None:
            return
        from ..confirm import ConfirmScreen

        if line.kind == "labor":
            parts = sum(1 for other in v.lines if other.kind == "part" and other.job_id == line.id)
            message = _("Delete the job {job} and its {n} part lines?").format(job=line.description, n=parts) if parts \
                else _("Delete the job {job}?").format(job=line.description)
            kwargs: dict[str, Any] = {"job_id": line.id}
        else:
            message = _("Delete the part line {part}?").format(part=line.description)
            kwargs = {"part_line_id": line.id}

        def answered(yes: bool | None) -> None:
            if yes:
                self.post_message(self.Change(estimate.remove_line, **kwargs))

        self.app.push_screen(ConfirmScreen(_("Delete line"), message, yes=_("Delete"), no=_("Keep")), answered)
