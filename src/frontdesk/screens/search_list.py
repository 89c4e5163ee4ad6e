"""The catalog screens' one skeleton: a search box that filters a list as the user types, a detail line under it.

The catalogs (labour operations and parts) and the service packages are built this way.
Said once here, the keys behave alike on each: Down from the box into the list, Up on its
first row back, F3 back to the box (pressed there: its text selected, or a hint), Enter in
the box into the list (or, typed before the answer came, once it comes), Enter on a row,
F2 and F4 to the form, and a save's outcome said the same way.

A screen names its widgets' ids in ``SEARCH`` (its stylesheet uses them; the box has the focus
first), its F3 hint and its "pick one first" warning (English msgids), ends its bindings with
:func:`search_keys`, and says how rows are found (``_search``,
in a worker), shown (``fill``), described (``_show_detail``) and edited (``_edit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import FIND, REFRESH, back, binding
from frontdesk.services.errors import ConflictError, FrontdeskError
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import ListTable
from frontdesk.widgets.type_ahead import TypeAhead, select_or_hint

from .base import DeskScreen


@dataclass(frozen=True)
class SearchLayout:
    """The ids of the search box, the list it fills and the status line beside the box."""

    box: str
    list: str
    status: str


def search_keys(refresh_tooltip: str, *, show_refresh: bool = True) -> list[Binding]:
    """The keys that end a search screen's bindings: F3, F5, Down into the list, Up back to the box, Esc.

    ``refresh_tooltip`` is an English msgid, translated with the rest of the screen's bindings.
    """
    return [
        binding(FIND, "find", "Find", tooltip="Back to the search box"),
        binding(REFRESH, "refresh", "Refresh", show=show_refresh, tooltip=refresh_tooltip),
        Binding("down", "to_list", "List", show=False),
        Binding("up", "box", "Search box", show=False),
        back(),
    ]


class SearchListScreen(DeskScreen):
    """A search box over a list; the subclass keeps ``_rows`` (what the list shows) and ``_type_ahead``."""

    SEARCH: ClassVar[SearchLayout]
    FIND_HINT: ClassVar[str]  # msgid: F3 in an empty box
    PICK_FIRST: ClassVar[str]  # msgid: F4 with no row under the cursor

    _rows: Sequence[Any]
    _type_ahead: TypeAhead[Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The search box takes the focus when the screen opens: the layout names it once."""
        super().__init_subclass__(**kwargs)
        if "SEARCH" in cls.__dict__ and "AUTO_FOCUS" not in cls.__dict__:
            cls.AUTO_FOCUS = f"#{cls.SEARCH.box}"

    @property
    def box(self) -> Input:
        return self.query_one(f"#{self.SEARCH.box}", Input)

    @property
    def table(self) -> ListTable:
        return self.query_one(f"#{self.SEARCH.list}", ListTable)

    @property
    def selected(self) -> Any:
        raise NotImplementedError

    def fill(self, rows: list[Any]) -> None:
        """Put ``rows`` in :attr:`table` (keyed so that :attr:`selected` finds them again)."""
        raise NotImplementedError

    def _show_detail(self) -> None:
        raise NotImplementedError

    def _edit(self, row: Any) -> None:
        raise NotImplementedError

    # Searching -----------------------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input is self.box:
            self._type_ahead.schedule(event.value.strip())

    def action_refresh(self) -> None:
        self._type_ahead.schedule(self.box.value.strip(), delay=0)

    def _arrived(self, rows: list[Any], enter_waiting: bool) -> None:
        self._rows = rows
        self.fill(rows)
        if enter_waiting and rows:
            self.table.focus()
        self._show_detail()
        self.refresh_bindings()

    def _status(self, text: str) -> None:
        self.query_one(f"#{self.SEARCH.status}", Static).update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.table:
            self._show_detail()

    # Keys ----------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":
            return self.box.has_focus and bool(self._rows)
        return True

    def action_to_list(self) -> None:
        self.table.focus()

    def action_box(self) -> None:
        self.box.focus()

    def action_find(self) -> None:
        """F3: back to the box; pressed in the box, its text is selected (typing replaces it) or a hint is given."""
        if self.box.has_focus:
            select_or_hint(self.box, _(self.FIND_HINT))
            return
        self.box.focus()

    @on(Input.Submitted)
    def _enter_in_box(self, event: Input.Submitted) -> None:
        if event.input is not self.box:
            return
        event.stop()
        if self._type_ahead.pending:
            self._type_ahead.enter_when_answered()
        elif self._rows:
            self.table.focus()

    @on(DataTable.RowSelected)
    def _enter_on_row(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.table:
            return
        event.stop()
        if allowed(self.actor.role, "catalog.save"):
            self.action_edit()

    # Editing -------------------------------------------------------------------------------------------

    def action_new(self) -> None:
        self._edit(None)

    def action_edit(self) -> None:
        row = self.selected
        if row is None:
            self.notify(_(self.PICK_FIRST), severity="warning")
            return
        self._edit(row)

    def _saved(self, outcome: Any) -> None:
        if outcome is None:
            return
        if isinstance(outcome, FrontdeskError):
            if isinstance(outcome, ConflictError):
                self.notify(str(outcome), title=_("Not saved"), severity="error", timeout=8)
            else:
                self.show_error(outcome)
        else:
            self.notify(_("Saved."), timeout=4)
        self.action_refresh()
