"""A table of rows to pick from with the keyboard: a row cursor, Enter chooses.

Left and Right are handed on to the screen (a row cursor has no use for them, and desk
screens move between their lists with the arrow keys); with ``leave_up`` the Up key on the
first row is handed on too, so a results list under a search box gives the focus back to
the box. A binding whose ``check_action`` says no is passed to the next node of the chain.

Columns that do not fit drop out, the least important first (issue 17): at 80 columns a
list shows the columns it has room for, whole, rather than a last column cut to a
character at the edge. A column's importance is its place (the first is the most
important) unless declared with :class:`Col` (``keep``); a ``whole`` column (identifiers,
money) is as wide as its widest cell, never cut. The table keeps every row's full cells,
so the dropped columns come back when the terminal is widened.

Beside it the helpers every list uses to shape its cells (``fixed_columns``, ``clip``,
``when``, ``qty_text``), so the same time or quantity reads alike on every screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


@dataclass(frozen=True)
class Col:
    """A column: ``Col("Order no.", 18, whole=True)``, ``Col("Model", 14, keep=1)``.

    ``width``: cells of text (at least the title's); ``whole``: an identifier or an amount,
    as wide as its widest cell and never cut; ``keep``: how important it is, the lowest
    dropping out first when the table is too narrow (by default the columns' order: the
    first is the most important); ``shrink``: a long text (a reason, a note) that takes the room
    left and is cut at the edge rather than dropped; ``key``: the column's key for ``update_cell``.
    """

    title: str
    width: int | None = None
    key: str | None = None
    whole: bool = False
    keep: int | None = None
    shrink: bool = False


def _cells_wide(cell: object) -> int:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return max((cell_len(line) for line in text.splitlines()), default=0)


class ListTable(DataTable[object]):
    """``ListTable(id="orders")``: zebra rows, row cursor, arrows that leave the table, columns that fit."""

    def __init__(self, *, leave_up: bool = False, id: str | None = None, classes: str = "") -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self.leave_up = leave_up
        self._cols: list[Col] = []  # every column, shown or not
        self._shown: list[int] = []  # the columns in the table now (indexes into _cols)
        self._full: dict[str, tuple[Any, ...]] = {}  # row key -> every cell, in _cols' order
        self._fit_pending = False
        self._row_seq = 0

    # The columns that fit ------------------------------------------------------------------------

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None,
                   default: Any = None) -> Any:
        return self.add_col(Col(str(label), width, key))

    def add_col(self, col: Col) -> Any:
        """Add a declared column (see :class:`Col`)."""
        key = col.key or f"col{len(self._cols)}"
        title = col.title
        width = None if col.whole or col.width is None else max(cell_len(title), col.width)
        self._cols.append(Col(title, width, key, col.whole, col.keep, col.shrink))
        self._shown.append(len(self._cols) - 1)
        return super().add_column(title, width=width, key=key)

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> Any:
        if key is None:
            self._row_seq += 1
            key = f"_row{self._row_seq}"
        if len(cells) != len(self._cols):  # not a row of the declared columns: shown as given
            return super().add_row(*cells, height=height, key=key, label=label)
        self._full[key] = cells
        self._fit_later()
        return super().add_row(*(cells[i] for i in self._shown), height=height, key=key, label=label)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        row = str(getattr(row_key, "value", row_key))
        column = str(getattr(column_key, "value", column_key))
        at = next((i for i, c in enumerate(self._cols) if c.key == column), None)
        if row in self._full and at is not None:
            cells = list(self._full[row])
            cells[at] = value
            self._full[row] = tuple(cells)
            if at not in self._shown:
                return  # dropped for want of room: kept for when it comes back
        super().update_cell(row_key, column_key, value, update_width=update_width)

    def clear(self, columns: bool = False) -> ListTable:
        self._full.clear()
        if columns:
            self._cols.clear()
            self._shown.clear()
        super().clear(columns)
        return self

    def on_resize(self, event: events.Resize) -> None:
        self.fit_columns()

    def _fit_later(self) -> None:
        if not self._fit_pending:
            self._fit_pending = True
            self.call_after_refresh(self.fit_columns)

    def _col_width(self, n: int) -> int:
        col = self._cols[n]
        wide = cell_len(col.title)
        if col.shrink:  # it fits in whatever is left: only its title must
            return wide + 2 * self.cell_padding
        if col.width is not None:
            return max(wide, col.width) + 2 * self.cell_padding
        return max([wide, *(_cells_wide(cells[n]) for cells in self._full.values())]) + 2 * self.cell_padding

    def columns_to_show(self, room: int) -> list[int]:
        """The columns that fit in ``room`` cells, whole: the least important left out first (one at least)."""
        order = sorted(range(len(self._cols)), key=lambda n: (
            self._cols[n].keep if self._cols[n].keep is not None else len(self._cols) - n, -n))
        shown = set(range(len(self._cols)))
        widths = {n: self._col_width(n) for n in shown}
        for n in order:
            if sum(widths[m] for m in shown) <= room or len(shown) <= 1:
                break
            shown.discard(n)
        return sorted(shown)

    def fit_columns(self) -> None:
        """Show the columns there is room for; the rows are put back from their full cells."""
        self._fit_pending = False
        room = self.scrollable_content_region.width
        if room <= 0 or not self._cols:
            return
        shown = self.columns_to_show(room)
        if shown == self._shown:
            return
        keep, at = self.cursor_key, self.cursor_row
        self._shown = shown
        super().clear(columns=True)
        for n in shown:
            col = self._cols[n]
            super().add_column(col.title, width=col.width, key=col.key)
        for key, cells in self._full.items():
            super().add_row(*(cells[i] for i in shown), key=key)
        self._measure_now()
        if not self.move_to_key(keep) and self.row_count:
            self.move_cursor(row=min(at, self.row_count - 1), animate=False, scroll=True)

    @property
    def shown_columns(self) -> list[str]:
        """The titles of the columns on show, left to right."""
        return [self._cols[n].title for n in self._shown]

    # Keys and rows ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cursor_left", "cursor_right"):
            return False
        if action == "cursor_up" and self.leave_up and self.cursor_row <= 0:
            return False
        return super().check_action(action, parameters)

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (``None`` when the table is empty)."""
        if self.row_count == 0:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def refill(self, rows: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        """Replace the rows ``(key, cells)``; the cursor stays on the row it was on when that row is still there.

        When that row is gone (the job passed QC, the car left) the cursor stays at the same
        height, on the row that moved up into its place: a list worked down from the top goes
        on where the user was, not from row one.
        """
        keep, at = self.cursor_key, self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        self.fit_columns()  # a wider identifier may leave less room for the rest
        self._measure_now()
        if not self.move_to_key(keep) and keep is not None and self.row_count:
            self.move_cursor(row=min(at, self.row_count - 1), animate=False, scroll=True)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._measure_now()  # rows added since the last idle: measured before they are painted
        return super().render_lines(crop)

    def _measure_now(self) -> None:
        """Size the columns to the new rows at once rather than on the table's next idle.

        Otherwise a frame painted in between (or a snapshot taken under load) shows every
        column cut to its header's width. Relies on DataTable internals of the pinned Textual.
        """
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)

    def move_to_key(self, key: str | None) -> bool:
        """Put the cursor back on the row with this key after the rows were reloaded; ``False`` when it is gone."""
        if key is None:
            return False
        try:
            self.move_cursor(row=self.get_row_index(key), animate=False, scroll=True)
        except RowDoesNotExist:  # the row is gone (the car left, the appointment was cancelled)
            return False
        return True


def fixed_columns(table: DataTable[Any], *columns: tuple[str, int] | tuple[str, int, str] | Col) -> None:
    """Columns of set widths (at least their label's), optionally keyed: ``(title, width[, key])``, or a :class:`Col`.

    A list refilled while on show keeps its layout: auto-sized columns are measured after the
    rows arrive, so a quick refill could draw stale (squashed) widths for a frame or a snapshot.
    """
    for column in columns:
        col = column if isinstance(column, Col) else Col(column[0], column[1], column[2] if len(column) > 2 else None)
        if isinstance(table, ListTable):
            table.add_col(col)
        else:
            width = None if col.whole or col.width is None else max(cell_len(col.title), col.width)
            table.add_column(col.title, width=width, key=col.key)


def declare_columns(table: ListTable, *columns: Col | str) -> None:
    """Columns sized to their cells, each a :class:`Col` (or a plain title): ``add_columns`` with priorities."""
    for column in columns:
        table.add_col(column if isinstance(column, Col) else Col(column))


def clip(text: str, cells: int) -> str:
    """At most ``cells`` terminal columns (a CJK character takes two), "…" when cut.

    Company customers have names of twenty characters; a list is read by its plates.
    """
    if cell_len(text) <= cells:
        return text
    while text and cell_len(text) > cells - 1:
        text = text[:-1]
    return text + "…"


def when(moment: dt.datetime | None, today: dt.date) -> str:
    """Today as "14:30", another day as "11-25 14:30", "—" when not set: lists are read on the day they show."""
    if moment is None:
        return "—"
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


def qty_text(value: Decimal) -> str:
    """A quantity or hours as a person writes it: 1.50 reads "1.5", 2.00 reads "2"."""
    return format(value.normalize(), "f")
