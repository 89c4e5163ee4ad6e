"""The selected line's quantity (hours) and price (rate), under the table while they are typed.

Each key is checked as it is typed, with the service's own parsing (``money.parse_*``): a
value that does not read gets its message beside it at once, and the screen previews only
values that do. The editor says what was typed (``Typed``) and that Enter was pressed
(``Submitted``); the screen decides what that changes and saves it.
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.services import desk, money
from frontdesk.services.errors import ValidationError
from frontdesk.widgets.list_table import qty_text



class LineEditor(Vertical):
    """``LineEditor(id=...)``: hidden until ``open(line, price)``; ``close()`` hides it again."""

    class Typed(Message):
        """A value changed: both values, each None when it does not read (its message is shown)."""

        def __init__(self, qty: Decimal | None, price: Decimal | None) -> None:
            super().__init__()
            self.qty = qty
            self.price = price

    class Submitted(Message):
        """Enter in either field: save the line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._labor = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="line-editor"):
            yield Label(_("Quantity"), id="qty-label")
            yield Input(id="qty", compact=True)
            yield Label(_("Unit price"), id="price-label")
            yield Input(id="price", compact=True)
            yield Static("", id="edit-amount")
        with Horizontal(id="editor-errors"):
            yield Static("", id="qty-error", classes="field-error")
            yield Static("", id="price-error", classes="field-error")

    def open(self, line: desk.LineView, price: Decimal) -> None:
        """Fill the editor with the line's quantity and ``price`` (the one shown) and show it; the focus goes to it."""
        self._labor = line.kind == "labor"
        self.query_one("#qty-label", Label).update(_("Hours") if self._labor else _("Quantity"))
        self.query_one("#price-label", Label).update(_("Rate") if self._labor else _("Unit price"))
        for name in ("qty", "price"):
            self.query_one(f"#{name}-error", Static).update("")
        self.display = True
        qty, price_input = self.query_one("#qty", Input), self.query_one("#price", Input)
        with qty.prevent(Input.Changed), price_input.prevent(Input.Changed):
            qty.value = qty_text(line.quantity)
            price_input.value = money.format_money(price, symbol=False).replace(",", "")

    def focus_quantity(self) -> None:
        self.query_one("#qty", Input).focus()

    def close(self) -> None:
        self.display = False

    def values(self) -> tuple[Decimal | None, Decimal | None]:
        """The two values, each None (with its message shown beside it) when not valid."""
        values: list[Decimal | None] = []
        for name, parse in (("qty", money.parse_hours if self._labor else money.parse_quantity),
                            ("price", money.parse_money)):
            error = self.query_one(f"#{name}-error", Static)
            try:
                values.append(parse(self.query_one(f"#{name}", Input).value, "price" if name == "price" else "quantity"))
                error.update("")
            except ValidationError as exc:
                values.append(None)
                error.update(exc.message)
        return values[0], values[1]

    def show_amount(self, amount: Decimal | None) -> None:
        """The line's amount for the values typed; "?" while one does not read."""
        self.query_one("#edit-amount", Static).update(
            Text("= ?", style="bold red") if amount is None else Text(f"= {money.format_money(amount)}", style="bold"))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Typed(*self.values()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted())
