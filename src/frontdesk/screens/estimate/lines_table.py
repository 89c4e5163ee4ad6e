"""The estimate's lines: every job with its parts beneath it, their pay types, stock and status.

A part that cannot be reserved in full is marked SHORT, never hidden, and the status and
stock come before the pay type so that at 80 columns a SHORT part still shows. The columns
have set widths: the rows are refilled on every change and must not jump about. What is
not saved yet (a pay type cycled, a quantity typed) shows in the row at once, in the
figures it will have once saved (``preview.shown``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.reactive import var

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import ORIGIN, PAY_TYPE, label, status
from frontdesk.model.enums import JobStatus
from frontdesk.services import desk, money
from frontdesk.widgets.list_table import Col, ListTable, clip, fixed_columns, qty_text

from .preview import Override, row_key, shown
from .reading import Loaded

SHORT_STYLE = "bold white on red"
COLUMNS = ("code", "description", "qty", "price", "amount", "status", "pay", "origin", "safety")


class LinesTable(ListTable):
    """``LinesTable(settings, id="lines")``: follows ``order``, ``pending`` and ``typed`` (bound to the screen's).

    ``order`` refills the rows (the cursor stays on its line); ``pending`` (pay types cycled,
    not saved) redraws the rows it changes; ``typed`` (the line in the editor) shows the
    quantity, price and amount as typed.
    """

    order: var[Loaded | None] = var(None, always_update=True)
    pending: var[dict[str, Override]] = var(dict)
    typed: var[dict[str, Override]] = var(dict)

    def __init__(self, settings: Callable[[], Settings], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._settings = settings

    def on_mount(self) -> None:
        # a part number and the money are never cut (3Q0698787MB is eleven characters); narrow, the last columns drop
        fixed_columns(self, Col(_("Code"), 10, "code", whole=True), (_("Description"), 24, "description"),
                      (_("Qty/h"), 4, "qty"), Col(_("Price/rate"), 8, "price", whole=True),
                      Col(_("Amount"), 9, "amount", whole=True), (_("Status / stock"), 14, "status"),
                      (_("Pay type"), 8, "pay"), (_("Origin"), 8, "origin"), (_("Safety"), 6, "safety"))

    def watch_order(self, order: Loaded | None) -> None:
        if order is None:
            return
        keep = self.cursor_key
        self.clear()
        for line in order.view.lines:
            self.add_row(*self._cells(line, self.pending.get(row_key(line))), key=row_key(line))
        self.move_to_key(keep)

    def watch_pending(self, old: dict[str, Override], new: dict[str, Override]) -> None:
        for key in old.keys() - new.keys():
            self._redraw(key)
        for key, override in new.items():
            line = self._line(key)
            if line is None or old.get(key) == override:
                continue
            _q, price, amount, pay = shown(line, override, self._settings())
            self.update_cell(key, "pay", Text(label(PAY_TYPE, pay), style="bold yellow"))
            self.update_cell(key, "price", Text(money.format_money(price, symbol=False)))
            self.update_cell(key, "amount", Text(money.format_money(amount, symbol=False), style="bold"))

    def watch_typed(self, old: dict[str, Override], new: dict[str, Override]) -> None:
        for key in old.keys() - new.keys():
            self._redraw(key)  # typed back to what is saved, or the edit is over
        for key, override in new.items():
            line = self._line(key)
            if line is None:
                continue
            qty, price, amount, _pay = shown(line, override, self._settings())
            self.update_cell(key, "amount", Text(money.format_money(amount, symbol=False), style="bold"))
            self.update_cell(key, "qty", Text(qty_text(qty)))
            self.update_cell(key, "price", Text(money.format_money(price, symbol=False)))

    def _line(self, key: str) -> desk.LineView | None:
        if self.order is None or key not in self.rows:
            return None
        return next((line for line in self.order.view.lines if row_key(line) == key), None)

    def _redraw(self, key: str) -> None:
        line = self._line(key)
        if line is None:
            return
        for column, cell in zip(COLUMNS, self._cells(line, self.pending.get(key)), strict=True):
            self.update_cell(key, column, cell)

    def _cells(self, line: desk.LineView, override: Override | None) -> tuple[Any, ...]:
        qty, price, amount, pay = shown(line, override, self._settings())
        declined = line.status == JobStatus.DECLINED
        base = "dim" if declined else ""
        if line.kind == "labor":
            code = Text(line.code or "—", style="bold" if not declined else "dim")
            description = Text(clip(line.description, 24), style="bold" if not declined else "dim strike")
            state = Text(status(line.status) if line.status else "", style=base or (
                "bold" if line.status == JobStatus.PROPOSED else ""))
            origin = Text(label(ORIGIN, line.origin), style=base or ("cyan" if line.origin != "requested" else "dim"))
            safety = Text(_("Safety"), style="bold yellow") if line.safety else Text("")
        else:
            code = Text(line.code, style=base)
            description = Text(("└ " if line.job_id else "") + clip(line.description, 22), style=base)
            state = Text(f"{qty_text(line.on_hand or Decimal(0))}/{qty_text(line.reserved or Decimal(0))}", style=base)
            if line.short and not declined:
                state.append(" ")
                state.append(" " + _("SHORT") + " ", style=SHORT_STYLE)
            origin = Text("")
            safety = Text("")
        pay_cell = Text(label(PAY_TYPE, pay), style=base or ("bold yellow" if override else ""))
        return (code, description, Text(qty_text(qty), style=base), Text(money.format_money(price, symbol=False), style=base),
                Text(money.format_money(amount, symbol=False), style=base or "bold"), state, pay_cell, origin, safety)
