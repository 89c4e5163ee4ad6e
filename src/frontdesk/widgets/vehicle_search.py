"""The desk's search box: finds a vehicle as the advisor types, never freezing the screen.

Typing searches in a worker after a short pause (:class:`~frontdesk.widgets.type_ahead.TypeAhead`:
the list always belongs to what is in the box). Down goes from the box into the
results, Up on the first result goes back, Enter posts :class:`VehicleSearch.Chosen` and
Esc clears the box (when it is empty, Esc is left to the screen).

The widget does not know the database: the screen hands it ``search(text) -> hits``
(``services.search.search`` bound to its services).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import BACK, binding, translate_bindings
from frontdesk.labels import status

from .list_table import ListTable, clip
from .type_ahead import TypeAhead, select_or_hint

if TYPE_CHECKING:
    from frontdesk.services.search import SearchHit

ACCOUNT = "bold white on blue"
ACCOUNT_SUSPENDED = "bold white on red"


class VehicleSearch(Vertical):
    """``VehicleSearch(search, input_id="search")``: ``#search`` (the box) and ``#search-results``."""

    DEFAULT_CSS = """
    VehicleSearch { height: auto; }
    VehicleSearch > .search-bar { height: auto; }
    VehicleSearch > .search-bar > Input { width: 1fr; }
    VehicleSearch > .search-bar > .search-status {
        width: auto; max-width: 30; height: 3; padding: 0 1; content-align: left middle; color: $text-muted;
    }
    VehicleSearch > ListTable { display: none; height: auto; }
    VehicleSearch.-active > ListTable { display: block; }
    """

    BINDINGS = [
        binding(BACK, "clear", "Clear search", key_display="Esc", tooltip="Empty the search box"),
        Binding("down", "results", "Results", show=False),
        Binding("up", "box", "Search box", show=False),
    ]

    class Chosen(Message):
        """Enter on a result (or in the box, for the result under the cursor)."""

        def __init__(self, search: VehicleSearch, hit: SearchHit) -> None:
            super().__init__()
            self.search = search
            self.hit = hit

        @property
        def control(self) -> VehicleSearch:
            return self.search

    class Active(Message):
        """The box went from empty to holding text, or back: screens show or hide the results."""

        def __init__(self, search: VehicleSearch, active: bool) -> None:
            super().__init__()
            self.search = search
            self.active = active

        @property
        def control(self) -> VehicleSearch:
            return self.search

    def __init__(self, search: Callable[[str], Sequence[SearchHit]], *, input_id: str = "search",
                 placeholder: str = "", id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id or f"{input_id}-box", classes=classes)
        self._search = search
        self._input_id = input_id
        self._placeholder = placeholder
        self._hits: list[SearchHit] = []
        self._type_ahead = TypeAhead(self, search, arrived=self._arrived, status=self._status, group="vehicle-search")
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="search-bar"):
            yield Input(id=self._input_id, placeholder=self._placeholder)
            yield Static("", id=f"{self._input_id}-status", classes="search-status")
        yield ListTable(id=f"{self._input_id}-results", leave_up=True)

    def on_mount(self) -> None:
        table = self.results
        for key, title in (("plate", _("Plate")), ("model", _("Model")), ("customer", _("Customer")),
                           ("phone", _("Phone")), ("order", _("Order no.")), ("status", _("Status"))):
            table.add_column(title, key=key)

    # What screens use ------------------------------------------------------------------

    @property
    def input(self) -> Input:
        return self.query_one(f"#{self._input_id}", Input)

    @property
    def results(self) -> ListTable:
        return self.query_one(f"#{self._input_id}-results", ListTable)

    @property
    def value(self) -> str:
        return self.input.value

    @property
    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def focus_box(self) -> None:
        """F3: the cursor to the box; pressed in the box, its text is selected (typing replaces it) or a hint says what to type."""
        if self.input.has_focus:
            select_or_hint(self.input, _("Type part of a plate, VIN, phone, name or order number."))
            return
        self.input.focus()

    def clear(self) -> None:
        self.input.value = ""  # Input.Changed does the rest

    def search_again(self) -> None:
        """Run the current text again (the screen came back: an order may have moved on)."""
        if self.value.strip():
            self._type_ahead.schedule(self.value.strip(), delay=0)

    # Typing ------------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id != self._input_id:
            return
        query = event.value.strip()
        active = bool(query)
        if active != self.has_class("-active"):
            self.set_class(active, "-active")
            self.post_message(self.Active(self, active))
            self.screen.refresh_bindings()
        if not active:
            self._type_ahead.forget()
            self._fill([])
            self._status("")
            return
        self._type_ahead.schedule(query)

    def _arrived(self, hits: list[SearchHit], enter_waiting: bool) -> None:
        self._fill(hits)
        if enter_waiting and len(hits) == 1:  # typed in full and Enter at once: no doubt which car is meant
            self._choose(0)

    def _status(self, text: str) -> None:
        self.query_one(f"#{self._input_id}-status", Static).update(text)

    def _fill(self, hits: list[SearchHit]) -> None:
        self._hits = hits
        table = self.results
        table.clear()
        mark = _("R")  # an open recall or service campaign (召): in the plate's cell, which always shows
        billed = _("A")  # a key account's car (挂账), its code before the customer's name
        for i, h in enumerate(hits):
            plate = Text.assemble((mark, "bold white on red"), " ", (h.plate, "bold")) if h.campaign \
                else Text(h.plate, style="bold")
            if h.account:  # a suspended account's car pays at the counter: its mark is red
                plate = Text.assemble((billed, ACCOUNT_SUSPENDED if h.account_suspended else ACCOUNT), " ", plate)
            customer: str | Text = clip(h.customer_name, 16)
            if h.account:
                customer = Text.assemble((h.account, "bold"), " ", h.customer_name)
                customer.truncate(16, overflow="ellipsis")
            table.add_row(
                plate, clip(h.model, 20), customer, h.phone,
                h.order_number or "", status(h.order_status) if h.order_status else "",
                key=str(i),
            )
        if hits:
            table.move_cursor(row=0)

    # Keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear":
            return bool(self.value)  # an empty box leaves Esc to the screen
        if action == "results":
            return self.input.has_focus and bool(self._hits)
        if action == "box":
            return self.results.has_focus
        return True

    def action_clear(self) -> None:
        self.clear()
        self.focus_box()

    def action_results(self) -> None:
        self.results.focus()

    def action_box(self) -> None:
        self.focus_box()

    @on(Input.Submitted)
    def _enter_in_box(self, event: Input.Submitted) -> None:
        if event.input.id != self._input_id:
            return
        event.stop()
        if self._type_ahead.pending:
            self._type_ahead.enter_when_answered()
        elif self._hits:
            self._choose(self.results.cursor_row)

    @on(DataTable.RowSelected)
    def _enter_on_result(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.results:
            return
        event.stop()
        self._choose(event.cursor_row)

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self._hits):
            self.post_message(self.Chosen(self, self._hits[row]))
