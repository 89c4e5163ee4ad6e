"""The follow-up call queue (回访): who to call today, the coming days, and the calls escalated to the manager.

The upper list holds the calls due now or earlier (the oldest first, so a call missed on
an earlier day, marked overdue, leads) and then, dimmed, the rest of today's (a time the
customer agreed is marked). ] and [ move it a day ahead or back: a coming day's list holds
the calls due that day, so a customer who asked at delivery to be called on Friday at three
is on Friday's list at three. F3 finds an open call by plate, name or order number, whatever
its day (Esc in the box goes back to the day's list). Under the list the selected call's
detail: the car, the order, when it left, the advisor, the tries so far and what the last
one found. The lower list holds the calls not reached three times, which the service
manager takes over.

Enter or F4 records the selected call (screens/aftercare_modals.FollowUpDialog): R reached,
with five scores pressed 1–5, comments and an optional complaint; or N not reached. What it
led to is said at once: a complaint case opened, the time of the next try, or the
escalation. C (manager) closes an escalated call unreached, with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Input

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, FIND, binding
from frontdesk.model.enums import FollowUpStatus
from frontdesk.services import aftercare_views
from frontdesk.services.aftercare_views import CallItem, CallOutcome, FollowUpQueue
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import clip, fixed_columns, when

from .aftercare_modals import CloseCallDialog
from .base import LiveScreen
from .follow_up_call import RecordCallDialog, close_call, report_outcome
from .list_detail import (
    OVERDUE_STYLE,
    ListDetailScreen,
    ListLayout,
    count_head,
    list_keys,
)

NAME_CELLS = 10
DAYS_AHEAD = 60  # how far ] goes: a call is booked days, not months, ahead


class FollowUpsScreen(LiveScreen, ListDetailScreen):
    """``FollowUpsScreen()``: today's follow-up calls and the escalated ones."""

    CSS_PATH = "../assets/styles/follow_ups.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    LAYOUT = ListLayout(("calls", "escalated"), head="fu-head", detail="fu-detail", list_class="fu-list",
                        detail_of=("calls", "escalated"))  # the call highlighted in either list

    BINDINGS = [
        binding(EDIT, "record", "Record call", tooltip="Record the selected call: reached with scores, or not reached"),
        binding("right_square_bracket", "day(1)", "Next day", key_display="]",
                tooltip="The calls due on the next day"),
        binding("left_square_bracket", "day(-1)", "Previous day", key_display="[",
                tooltip="The calls due on the day before (today at the earliest)"),
        binding(FIND, "find", "Find", tooltip="Find an open call by plate, customer name or order number"),
        binding("c", "close", "Close unreached",
                tooltip="Service manager: close an escalated call without reaching the customer, saying why"),
        *list_keys("Read the queue again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._queue: FollowUpQueue | None = None
        self._ahead = 0  # days after today the upper list shows (0: today's queue)
        self._find = ""  # what the search box holds: the upper list shows the calls it finds

    def compose(self) -> ComposeResult:
        """The skeleton's, with the search box (hidden until F3) right above the upper list."""
        for widget in super().compose():
            if widget.id == "calls":
                yield Input(id="fu-find", placeholder=_("Plate, name or order number"), compact=True)
            yield widget

    def loading_text(self) -> str:
        return _("Loading the queue…")

    def on_mount(self) -> None:
        columns = ((_("Due"), 11), (_("Plate"), 9), (_("Customer"), NAME_CELLS), (_("Phone"), 11), (_("Calls"), 5),
                   (_("Delivered"), 11), (_("Order no."), 18), (_("Advisor"), 12), (_("Last call"), 11))
        fixed_columns(self.table("calls"), *columns)
        fixed_columns(self.table("escalated"), *columns)
        self._titles()
        self.query_one("#fu-find", Input).display = False
        self.follow_store()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return allowed(self.actor.role, "followup.close")
        if action == "record":
            return allowed(self.actor.role, "followup.record")
        return True

    # Reading -----------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> FollowUpQueue:
        day = services.clock().date() + dt.timedelta(days=self._ahead) if self._ahead else None
        return aftercare_views.follow_up_queue(services, actor, day=day, find=self._find)

    def show(self, queue: FollowUpQueue) -> None:
        asked = queue.taken_at.date() + dt.timedelta(days=self._ahead) if self._ahead else None
        if queue.find != self._find.strip() or queue.day != asked:
            self.action_refresh()  # read before the day or the search moved on: read what is asked for now
            return
        self._queue = queue
        today = queue.taken_at.date()
        if queue.find:
            self.fill("calls", [(f"f{c.id}", c, self._cells(c, today, later=False)) for c in queue.found])
        elif queue.day is not None:
            self.fill("calls", [(f"f{c.id}", c, self._cells(c, today, later=False)) for c in queue.ahead])
        else:
            self.fill("calls", [(f"f{c.id}", c, self._cells(c, today, later=False)) for c in queue.due]
                      + [(f"f{c.id}", c, self._cells(c, today, later=True)) for c in queue.later_today])
        self.fill("escalated", [(f"f{c.id}", c, self._cells(c, today, later=False)) for c in queue.escalated])
        self._titles()
        self._show_head()
        self.show_detail()

    def _cells(self, c: CallItem, today: dt.date, *, later: bool) -> tuple[Any, ...]:
        dim = "dim" if later else ""
        due = Text(when(c.due_at, today), style=OVERDUE_STYLE if c.overdue else dim)
        if c.agreed:
            due.append(" ★", style="bold cyan")
        return (due, Text(c.plate, style="bold " + dim), Text(clip(c.customer_name, NAME_CELLS), style=dim),
                Text(c.phone, style=dim), Text(str(c.attempts), justify="right", style=dim),
                when(c.delivered_at, today), c.order_number, clip(c.advisor, 12), when(c.last_attempt_at, today))

    def _titles(self) -> None:
        q = self._queue
        if q is not None and q.find:
            title = _("Open calls found for “{text}” ({n})").format(text=q.find, n=len(q.found))
        elif q is not None and q.day is not None:
            title = _("Calls due {day} ({n}) · [ ] another day").format(
                day=f"{q.day.isoformat()} {weekday(q.day)}", n=len(q.ahead))
        else:
            title = _("Calls due ({n}) · later today ({m})").format(
                n=len(q.due) if q else 0, m=len(q.later_today) if q else 0)
        self.table("calls").border_title = title
        self.table("escalated").border_title = _("Escalated to the service manager ({n})").format(
            n=len(q.escalated) if q else 0)

    def _show_head(self) -> None:
        q = self._queue
        assert q is not None
        if q.find:
            head = Text(_("Found by plate, name or order number: {n}").format(n=len(q.found)), style="bold")
        elif q.day is not None:
            head = Text(_("{day}: {n} calls due").format(day=q.day.strftime("%m-%d"), n=len(q.ahead)), style="bold")
        else:
            head = count_head(q.due, _("Calls to make now: {n}"), _("No calls due now."))
        if q.escalated:
            head.append("  ")
            head.append(_("Escalated: {n}").format(n=len(q.escalated)), style="bold yellow")
        head.append("   " + _("★ time agreed with the customer"), style="dim")
        self.show_head(head)

    @property
    def selected(self) -> CallItem | None:
        return self.highlighted()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_record()

    def detail(self, c: CallItem) -> Text:
        assert self._queue is not None
        today = self._queue.taken_at.date()
        text = Text()
        text.append(_("Call {name} {phone}").format(name=c.customer_name, phone=c.phone), style="bold")
        text.append(f"  {c.plate} {c.model}")
        text.append("\n")
        text.append(_("Order {number}, delivered {time} by {advisor}").format(
            number=c.order_number, time=when(c.delivered_at, today), advisor=c.advisor or "—"), style="dim")
        text.append("\n")
        if c.attempts:
            text.append(_("Tried {n} times, last {time} by {who}").format(
                n=c.attempts, time=when(c.last_attempt_at, today), who=c.last_caller or "—"))
            if c.last_note:
                text.append(": " + c.last_note)
        else:
            text.append(_("Not called yet; due {time}").format(time=when(c.due_at, today)), style="dim")
            if c.agreed:
                text.append(" " + _("(time agreed with the customer)"), style="cyan")
        return text

    # Another day, or a call looked for --------------------------------------------------------------

    def action_day(self, step: int) -> None:
        """] a day ahead, [ a day back (not before today); the search, if any, gives way to the day's list."""
        ahead = max(0, min(DAYS_AHEAD, self._ahead + step))
        if ahead == self._ahead and not self._find:
            return
        self._ahead = ahead
        self._close_find()
        self.action_refresh()

    def action_find(self) -> None:
        box = self.query_one("#fu-find", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#fu-find")
    def _find_typed(self, event: Input.Changed) -> None:
        self._find = event.value
        self.action_refresh()

    @on(Input.Submitted, "#fu-find")
    def _find_entered(self) -> None:
        self.table("calls").focus()

    def _close_find(self) -> None:
        box = self.query_one("#fu-find", Input)
        self._find = ""
        box.value = ""
        box.display = False

    def action_back(self) -> None:
        """Esc: out of the search first (back to the day's list), then out of the screen."""
        if self._find or self.query_one("#fu-find", Input).display:
            self._close_find()
            self.table("calls").focus()
            self.action_refresh()
            return
        super().action_back()

    # Recording ------------------------------------------------------------------------------------

    def action_record(self) -> None:
        item = self.selected
        if item is None:
            self.notify(_("No call selected."), severity="warning")
            return
        if not allowed(self.actor.role, "followup.record"):
            self.notify(_("Your role cannot record follow-up calls."), severity="warning")
            return
        today = self._queue.taken_at.date() if self._queue else item.due_at.date()
        self.app.push_screen(follow_up_dialog(item, today), self._recorded)

    def action_close(self) -> None:
        item = self.selected
        if item is None or item.status != FollowUpStatus.ESCALATED:
            self.notify(_("Pick a call in the escalated list first."), severity="warning")
            return

        def save(note: str) -> CallOutcome:
            return close_call(self.services, self.actor, item, note)

        self.app.push_screen(CloseCallDialog(
            title=_("Close the call · {plate} · {name}").format(plate=item.plate, name=item.customer_name),
            summary=_("Not reached in {n} tries. It leaves the queue for good.").format(n=item.attempts),
            save=save), self._recorded)

    def _recorded(self, outcome: CallOutcome | FrontdeskError | None) -> None:
        if report_outcome(self, outcome):
            self.action_refresh()


def weekday(day: dt.date) -> str:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))[day.weekday()]


def follow_up_dialog(item: CallItem, today: dt.date) -> RecordCallDialog:
    summary = _("{plate} {model} · order {number} · delivered {time} · advisor {advisor} · tries so far {n}").format(
        plate=item.plate, model=item.model, number=item.order_number, time=when(item.delivered_at, today),
        advisor=item.advisor or "—", n=item.attempts)
    return RecordCallDialog.for_row(item, summary)
