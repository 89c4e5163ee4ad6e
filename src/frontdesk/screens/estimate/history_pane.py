"""The vehicle's history beside its estimate: what it was refused before, and its earlier visits.

The recommendations come first: what was found on the car and not done — declined before
(on this order too), or recorded by the technician, the team leader or QC and never taken
up (services/recommendations.py) — is what the advisor brings up again, who found it beside
it, and Enter adds it to this estimate (``Chosen``). One already among the estimate's jobs
says so rather than going on twice. The earlier visits
say what was done, at what mileage and for how much, and when the next service is due.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import DataTable, Static

from frontdesk.i18n import gettext as _
from frontdesk.labels import status
from frontdesk.model.enums import JobStatus
from frontdesk.services import desk, money
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns, qty_text

from .reading import Loaded


def on_estimate(view: desk.OrderView, rec: desk.Recommendation) -> bool:
    """The recommended work is already among this estimate's live jobs (a job keeps its catalog name)."""
    return any(line.kind == "labor" and line.status != JobStatus.DECLINED
               and (line.id == rec.job_id or line.description == rec.description) for line in view.lines)


class HistoryPane(Container):
    """``HistoryPane(id="history-pane")``: follows ``order`` (bound to the screen's); Enter on a recommendation posts ``Chosen``."""

    class Chosen(Message):
        """Enter on a recommendation: add it to the estimate."""

    order: var[Loaded | None] = var(None, always_update=True)

    def compose(self) -> ComposeResult:
        with Vertical(id="recs-box"):
            yield Static(_("Recommended before, not done: Enter adds it to this estimate"), classes="est-section")
            yield ListTable(id="recommendations")
            yield Static(_("None: nothing was declined before."), id="no-recommendations")
        with Vertical(id="visits-box"):
            yield Static(_("Earlier visits"), id="visits-title", classes="est-section")
            yield ListTable(id="visits")
            yield Static("", id="next-service")

    def on_mount(self) -> None:
        # narrow, what was recommended and whether it is on this estimate stay; the km and the hours go first
        declare_columns(self._recs, Col(_("Date"), keep=4), Col(_("Recommendation"), keep=7), Col(_("Hours"), keep=2),
                        Col(_("Safety"), keep=3), Col("", keep=6), Col(_("Found by"), keep=5),
                        Col(_("Order no."), whole=True, keep=1))
        declare_columns(self._visits, Col(_("Date"), keep=6), Col(_("km"), keep=1), Col(_("Total"), whole=True, keep=3),
                        Col(_("Work done"), keep=2), Col(_("Order no."), whole=True, keep=5), Col(_("Status"), keep=4))

    @property
    def _recs(self) -> ListTable:
        return self.query_one("#recommendations", ListTable)

    @property
    def _visits(self) -> ListTable:
        return self.query_one("#visits", ListTable)

    @property
    def chosen(self) -> int | None:
        """The id of the recommendation under the cursor."""
        key = self._recs.cursor_key
        return int(key[1:]) if key else None

    @property
    def choosing(self) -> bool:
        """The recommendations have the focus."""
        return self._recs.has_focus

    def focus_list(self) -> None:
        """The recommendations when there are any, else the visits."""
        (self._recs if self._recs.row_count else self._visits).focus()

    @on(DataTable.RowSelected, "#recommendations")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Chosen())

    def watch_order(self, order: Loaded | None) -> None:
        if order is None:
            return
        v, history = order.view, order.history
        recs = self._recs
        keep = recs.cursor_key
        recs.clear()
        for rec in history.declined:
            added = on_estimate(v, rec)
            recs.add_row(
                rec.on.strftime("%Y-%m-%d"),
                Text(clip(rec.description, 24), style="dim" if added else "bold"),
                "" if rec.hours is None else qty_text(rec.hours),
                Text(_("Safety"), style="bold yellow") if rec.safety else "",
                Text(_("on the estimate"), style="green") if added else "",
                clip(rec.found_by, 10),
                Text(_("this order"), style="italic") if rec.order_number == v.number else rec.order_number,
                key=f"r{rec.id}",
            )
        recs.move_to_key(keep)
        recs.display = bool(history.declined)
        self.query_one("#no-recommendations").display = not history.declined
        visits = self._visits
        visits.clear()
        for visit in history.visits:
            if visit.order_id == v.id:
                continue
            visits.add_row(
                visit.checked_in_at.strftime("%Y-%m-%d"), f"{visit.odometer_km:,}",
                money.format_money(visit.total) if visit.total is not None else "—",
                clip("、".join(visit.jobs), 30), visit.number, status(visit.status), key=f"v{visit.order_id}",
            )
        due = []
        if history.next_service_date:
            due.append(history.next_service_date.strftime("%Y-%m-%d"))
        if history.next_service_km:
            due.append(f"{history.next_service_km:,} km")
        notes = []
        if not visits.row_count:
            notes.append(_("No earlier visits."))
        if due:
            notes.append(_("Next service due: {due}").format(due=" / ".join(due)))
        self.query_one("#next-service", Static).update("  ".join(notes))
