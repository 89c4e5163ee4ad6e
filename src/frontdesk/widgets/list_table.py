"""A table of rows to pick from with the keyboard: a row cursor, Enter chooses.

Left and Right are handed on to the screen (a row cursor has no use for them, and desk
screens move between their lists with the arrow keys); with ``leave_up`` the Up key on the
first row is handed on too, so a results list under a search box gives the focus back to
the box. A binding whose ``check_action`` says no is passed to the next node of the chain.

Beside it the helpers every list uses to shape its cells (``fixed_columns``, ``clip``,
``when``, ``qty_text``), so the same time or quantity reads alike on every screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from rich.cells import cell_len
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


class ListTable(DataTable[object]):
    """``ListTable(id="orders")``: zebra rows, row cursor, arrows that leave the table."""

    def __init__(self, *, leave_up: bool = False, id: str | None = None, classes: str = "") -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self.leave_up = leave_up

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


def fixed_columns(table: DataTable[Any], *columns: tuple[str, int] | tuple[str, int, str]) -> None:
    """Columns of set widths (at least their label's), optionally keyed: ``(title, width[, key])``.

    A list refilled while on show keeps its layout: auto-sized columns are measured after the
    rows arrive, so a quick refill could draw stale (squashed) widths for a frame or a snapshot.
    """
    for title, width, *key in columns:
        table.add_column(title, width=max(cell_len(title), width), key=key[0] if key else None)


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
