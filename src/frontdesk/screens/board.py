"""The wall board: big, calm, read from across the workshop; no names, no phone numbers.

It polls the store's change counter every second (a single-row read) and reloads in a
worker only when the counter moved, so it follows every terminal within about a second
and costs next to nothing while the workshop is quiet. More cars than fit: it pages by
itself every few seconds. A read that fails (through the pipeline, screens/pipeline.py, so it
is logged) is said in red at the foot of the board until a read works again.
"""

from __future__ import annotations

import datetime as dt
import math

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Static

from frontdesk.error_log import scrub
from frontdesk.i18n import gettext as _
from frontdesk.i18n import ngettext
from frontdesk.labels import STAGE, label
from frontdesk.services.board import BoardSnapshot, change_seq, snapshot, store_id_for
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.lifecycle import BoardStage

from . import pipeline

POLL_SECONDS = 1.0
PAGE_SECONDS = 8.0

STAGE_STYLE = {
    BoardStage.WAITING: "bold white on grey23",
    BoardStage.IN_PROGRESS: "bold black on dodger_blue1",
    BoardStage.WAITING_PARTS: "bold black on dark_orange",
    BoardStage.WAITING_APPROVAL: "bold black on gold1",
    BoardStage.CHECKS: "bold black on medium_purple1",
    BoardStage.WASH: "bold black on cyan",
    BoardStage.READY: "bold black on green3",
}


def _duration(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


class BoardScreen(Screen[None]):
    BINDINGS = [("ctrl+q", "app.quit", "")]

    def __init__(self) -> None:
        super().__init__()
        self._store_id: int | None = None
        self._seq: int | None = None
        self._snap: BoardSnapshot | None = None
        self._page = 0
        self._polling = False
        self._problem = ""  # what went wrong with the last read, shown until a read works again

    def compose(self) -> ComposeResult:
        with Horizontal(id="board-top"):
            yield Static("", id="board-title")
            yield Static("", id="board-clock")
        yield Static("", id="board-counts")
        yield Static("", id="board-reception")
        yield DataTable(id="board-table", cursor_type="none", zebra_stripes=True, show_cursor=False)
        yield Static("", id="board-footer")

    def on_mount(self) -> None:
        self._layout_columns()
        self.query_one("#board-title", Static).update(
            _("{store} · workshop progress").format(store=self.app.services.settings.dealership.name)  # type: ignore[attr-defined]
        )
        self._tick_clock()
        self.set_interval(1, self._tick_clock)
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(PAGE_SECONDS, self._next_page)
        self._poll()

    def on_resize(self) -> None:
        self._layout_columns()
        self._render_page()

    def _layout_columns(self) -> None:
        """Columns that share the whole width: a wall TV shows a wide terminal, and a table in its
        left third is hard to read from across the room."""
        table = self.query_one(DataTable)
        columns = ((_("Plate"), "plate", 9), (_("Model"), "model", 12), (_("Advisor"), "advisor", 6),
                   (_("Stage"), "stage", 14), (_("In stage"), "since", 5), (_("Promised"), "promised", 8),
                   ("", "flag", 8))  # 62 cells and the padding fit 80 columns
        widths = [max(cell_len(title), width) for title, _key, width in columns]
        room = self.size.width - 2 * table.cell_padding * len(columns) - 1
        if sum(widths) > room:  # long labels (in Chinese, "In stage" is five characters): the model gives way
            widths[1] = max(8, widths[1] - (sum(widths) - room))
        scale = max(1.0, room / sum(widths))
        table.clear(columns=True)
        for (title, key, _width), width in zip(columns, widths):
            table.add_column(title, key=key, width=int(width * scale))

    def _tick_clock(self) -> None:
        now = self.app.services.clock()  # type: ignore[attr-defined]
        self.query_one("#board-clock", Static).update(now.strftime("%Y-%m-%d %H:%M:%S"))
        if self._snap is not None:
            self._render_page()  # "time in stage" moves with the clock
            self._render_reception()

    def _poll(self) -> None:
        if self._polling:  # a slow database: the read on its way brings the news
            return
        self._polling = True
        pipeline.call(self, self._read, self._seq, then=self._read_done, failed=self._read_failed, group="board",
                      saves=False)

    def _read(self, seen: int | None) -> BoardSnapshot | None:
        """The snapshot when the store's change counter moved since ``seen``, else None (runs in the pipeline)."""
        services = self.app.services  # type: ignore[attr-defined]
        if self._store_id is None:
            self._store_id = store_id_for(services)
        if change_seq(services, self._store_id) == seen:
            return None
        return snapshot(services, self._store_id)

    def _read_done(self, snap: BoardSnapshot | None) -> None:
        self._polling = False
        if self._problem:  # the store answers again
            self._problem = ""
            self._render_footer()
        if snap is not None:
            self._show(snap)

    def _read_failed(self, error: FrontdeskError) -> None:
        """Said on the board (and logged by the pipeline); the next poll tries again and clears it."""
        self._polling = False
        # The board hangs in the workshop: nothing an error message might quote about a customer is shown.
        said = (_("Unexpected error: {error}").format(error=scrub(error.detail))
                if isinstance(error, pipeline.UnexpectedError) else str(error))
        problem = _("The board cannot read the store: {error}").format(error=said)
        if not self._problem:
            self.notify(problem, severity="error", timeout=10)
        self._problem = problem
        self._render_footer()

    def _show(self, snap: BoardSnapshot) -> None:
        self._snap = snap
        self._seq = snap.seq
        counts = "   ".join(
            f"{label(STAGE, stage)} {n}" for stage, n in snap.counts.items()
        )
        late = sum(1 for r in snap.rows if r.overdue)
        risk = sum(1 for r in snap.rows if r.at_risk)
        self.query_one("#board-counts", Static).update(
            Text.assemble((ngettext("{n} car", "{n} cars", len(snap.rows)).format(n=len(snap.rows)), "bold"), "   ", counts, "   ",
                          (_("Overdue {n}").format(n=late), "bold red" if late else ""), "   ",
                          (_("At risk {n}").format(n=risk), "bold yellow" if risk else ""))
        )
        self._render_reception()
        self._render_page()

    def _render_reception(self) -> None:
        """Reception (issue 20): how many wait and the longest wait, plates only; hidden while nobody waits."""
        strip = self._snap.reception if self._snap is not None else None
        line = self.query_one("#board-reception", Static)
        line.display = bool(strip and strip.waiting)
        if strip is None or not strip.waiting or strip.first_arrived_at is None:
            return
        now = self.app.services.clock()  # type: ignore[attr-defined]
        longest = max(0, int((now - strip.first_arrived_at).total_seconds() // 60))
        line.update(Text.assemble(
            (_("Reception: {n} waiting").format(n=strip.waiting), "bold"), "   ",
            (_("longest {minutes} min ({plate})").format(minutes=longest, plate=strip.plates[0]), "bold"), "   ",
            "  ".join(strip.plates[1:6])))

    def _rows_per_page(self) -> int:
        table = self.query_one(DataTable)
        return max(1, table.size.height - 1)

    def _pages(self) -> int:
        if self._snap is None:
            return 1
        return max(1, math.ceil(len(self._snap.rows) / self._rows_per_page()))

    def _next_page(self) -> None:
        if self._pages() > 1:
            self._page = (self._page + 1) % self._pages()
            self._render_page()

    def _render_page(self) -> None:
        if self._snap is None:
            return
        table = self.query_one(DataTable)
        per_page = self._rows_per_page()
        self._page %= self._pages()
        rows = self._snap.rows[self._page * per_page:(self._page + 1) * per_page]
        now = self.app.services.clock()  # type: ignore[attr-defined]
        table.clear()
        for r in rows:
            flag = Text(_("OVERDUE"), style="bold white on red") if r.overdue else (
                Text(_("AT RISK"), style="bold black on yellow") if r.at_risk else Text(""))
            promised = r.promised_at.strftime("%H:%M") if r.promised_at and r.promised_at.date() == now.date() else (
                r.promised_at.strftime("%d %H:%M") if r.promised_at else "—")  # another day: "28 09:30"
            promised_style = "bold red" if r.overdue else ""
            if r.pickup_at is not None and r.stage == BoardStage.READY:  # done: what counts now is the pickup
                promised = r.pickup_at.strftime("%H:%M" if r.pickup_at.date() == now.date() else "%d %H:%M")
                promised_style = "bold cyan"
                flag = Text(_("PICKUP"), style="bold black on cyan")  # "16:30 取车"
            table.add_row(
                Text(r.plate, style="bold"), r.model, r.advisor,
                Text(f" {label(STAGE, r.stage)} ", style=STAGE_STYLE[r.stage]),
                _duration(now - r.since), Text(promised, style=promised_style), flag,
                key=str(r.order_id),
            )
        self._render_footer()

    def _render_footer(self) -> None:
        pages = self._pages()
        self.query_one("#board-footer", Static).update(
            Text(self._problem, style="bold white on red") if self._problem else
            _("Page {page} of {pages}").format(page=self._page + 1, pages=pages) if pages > 1 else ""
        )
