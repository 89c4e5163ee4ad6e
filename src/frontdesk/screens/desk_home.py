"""The advisor's home: today's appointments, the cars in the house, cars ready, calls due; search.

Everything the advisor starts from is one key away: the search box (focused on arrival,
F3 from anywhere) finds a car as they type and Enter opens what comes next for it
(its estimate while the order is still at the desk, a check-in when it has no open
order); Enter on an appointment checks the car in with the appointment's details;
Enter on an order at the desk opens its estimate; T on a car in the workshop or ready records
the pickup time agreed with the customer (约定交车时间), which the ready list and the wall
board show. Tab and the arrow keys move between the
lists. On a small terminal the four lists are tabs with their counts in the titles; with
room (110x32 and up) they are shown side by side. The lists are read again whenever the
advisor comes back to this screen; while it is on show it asks each second whether the
store changed (the change counter: one tiny read, see services/desk_home.py) and reads the
lists when it did, so another terminal's check-in or dispatch shows within two seconds;
and once a minute regardless, so an overdue car is marked without anyone pressing F5.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import DataTable, Header, Tab, Tabs

from frontdesk.bench_hook import screen_ready
from frontdesk.i18n import gettext as _
from frontdesk.keys import BACK, FIND, NEW, REFRESH, binding
from frontdesk.labels import STAGE, label, status
from frontdesk.model.enums import OrderStatus
from frontdesk.navigation import CASHIER_ROLES
from frontdesk.services import search as search_service
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.desk_home import DeskHome, OrderRow, desk_home, desk_home_since
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip
from frontdesk.widgets.vehicle_search import VehicleSearch

from . import pipeline
from .base import DeskScreen

#: Orders the estimate builder works on; later stages have screens of their own (to come).
AT_THE_DESK = (OrderStatus.CHECK_IN, OrderStatus.ESTIMATE, OrderStatus.AUTHORISED)
FINISHED = (OrderStatus.CLOSED, OrderStatus.CANCELLED)
LISTS = ("appointments", "in-house", "ready", "follow-ups")
AUTO_REFRESH_SECONDS = 60  # time alone moves a car to overdue: read again even when nothing was recorded
POLL_SECONDS = 1.0  # the change counter: another terminal's work shows within two seconds
READ_AHEAD_WAIT_SECONDS = 0.05  # a local database answers in a few ms; a slow server is not waited for
NAME_CELLS = 16  # company customers have long names; the plate is what the lists are read by
OVERDUE_STYLE = "bold white on red"
APPROVAL_STYLE = "bold black on yellow"


def titles() -> dict[str, str]:
    """The lists' names in the current language."""
    return {
        "appointments": _("Appointments"),
        "in-house": _("In house"),
        "ready": _("Ready"),
        "follow-ups": _("Follow-ups due"),
    }


def when(moment: dt.datetime | None, today: dt.date) -> str:
    """Today as "14:30", another day as "11-25 14:30", "—" when not set."""
    if moment is None:
        return "—"
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


def first_line(text: str, cells: int = 24) -> str:
    return clip(text.strip().splitlines()[0] if text.strip() else "", cells)


class DeskHomeScreen(DeskScreen):
    """``DeskHomeScreen()``: the home of advisors and service managers."""

    CSS_PATH = "../assets/styles/desk_home.tcss"
    AUTO_FOCUS = "#search"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    BINDINGS = [
        binding(NEW, "new_checkin", "New check-in", tooltip="Check in a car without an appointment"),
        binding(FIND, "find", "Search", tooltip="Find a car by plate, VIN, phone, name or order number"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the lists again"),
        binding("a", "appointments", "Appointments", tooltip="Book, move or cancel appointments"),
        binding("r", "appointment_calls", "Remind",
                tooltip="The day before: call tomorrow's appointments to confirm, move or cancel"),
        binding("t", "pickup", "Pickup time",
                tooltip="Record the time agreed with the customer to collect the selected car"),
        binding("n", "take_next", "Next customer",
                tooltip="Take your next customer waiting at reception: the check-in opens pre-filled"),
        binding("i", "accident", "Accident claim", show=False,
                tooltip="The accident record (insurer, report number, papers) of the car highlighted in the lists"),
        binding(BACK, "clear_search", "Clear search", key_display="Esc", show=False,
                tooltip="Empty the search box and go back to it"),
        binding("tab", "next_area(1)", "Next list", show=False),
        binding("shift+tab", "next_area(-1)", "Previous list", show=False),
        binding("right", "next_list(1)", "Next list", show=False),
        binding("left", "next_list(-1)", "Previous list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._home: DeskHome | None = None
        self._current = "appointments"
        self._first_load = True
        self._first_read: pipeline.Ahead[DeskHome] | None = None
        self._arrived = False
        self._polling = False  # a look at the change counter is on its way

    # Layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._first_read = self._read_ahead()
        self._take_breakpoints(self.app.size.width, self.app.size.height)
        yield Header(show_clock=self.fd.show_clock)
        yield VehicleSearch(
            partial(search_service.search, self.services, store_id=self.actor.store_id), input_id="search",
            placeholder=_("Plate, VIN (last 6), phone (last 4), name or order number"),
        )
        names = titles()
        tabs = Tabs(*(Tab(names[name], id=f"tab-{name}") for name in LISTS), id="desk-tabs")
        tabs.can_focus = False  # Tab and the arrows move between the lists; the tabs only show where you are
        yield tabs
        with Container(id="desk-lists"):
            for name in LISTS:
                yield ListTable(id=f"{name}-table", classes="desk-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        columns = {
            "appointments": (_("Time"), _("Plate"), _("Customer"), _("Requested work"), _("Phone"), _("Model"),
                             _("Advisor")),
            "in-house": (_("Plate"), _("Customer"), _("Status"), _("Promised"), "", _("Stage"), _("Advisor"),
                         _("Order no."), _("Model")),
            "ready": (_("Plate"), _("Customer"), _("Status"), _("Pickup"), _("Promised"), "", _("Advisor"),
                      _("Order no."), _("Model")),
            "follow-ups": (_("Due"), _("Plate"), _("Customer"), _("Phone"), _("Order no."), _("Calls")),
        }
        for name, headers in columns.items():
            self._table(name).add_columns(*headers)
        self._show_list(self._current)
        self._titles()
        self.set_interval(AUTO_REFRESH_SECONDS, self._tick)
        self.set_interval(POLL_SECONDS, self._poll)
        first, self._first_read = self._first_read, None
        if first is not None:  # nothing is on the screen yet: a moment's wait lets the first paint show the lists
            first.take(self, then=self._show_home, failed=self.show_error, wait=READ_AHEAD_WAIT_SECONDS,
                       group="desk-home")

    def _take_breakpoints(self, width: int, height: int) -> None:
        """The layout classes for the terminal's size, set before the widgets are styled.

        Textual sets them on the first resize event; set beforehand, that event changes
        nothing and the whole screen is not styled a second time before its first paint.
        """
        for value, breakpoints in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            names = [name for limit, name in breakpoints if value >= limit]
            for _limit, name in breakpoints:
                self.set_class(bool(names) and name == names[-1], name)

    def _read_ahead(self) -> pipeline.Ahead[DeskHome]:
        """Start reading the lists before the widgets are built, so the first paint already has them."""
        return pipeline.ahead(desk_home, self.services, self.actor)

    def on_screen_resume(self) -> None:
        """Back from a check-in or an estimate: what changed there shows here at once."""
        if not self._arrived:  # the first arrival: on_mount has the lists in hand or on the way
            self._arrived = True
            return
        self.action_refresh()
        self._search.search_again()

    def _tick(self) -> None:
        if self.is_current:
            self.action_refresh()

    def _poll(self) -> None:
        """Read the lists again when another terminal changed something (the first reading must be in)."""
        if not self.is_current or self._polling or self._home is None:
            return
        self._polling = True
        self.call_service(desk_home_since, self.services, self.actor, self._home.seq, then=self._polled,
                          failed=self._poll_failed, group="desk-home-poll", saves=False)

    def _polled(self, home: DeskHome | None) -> None:
        self._polling = False
        if home is not None and (self._home is None or home.seq != self._home.seq):
            self._show_home(home)

    def _poll_failed(self, error: FrontdeskError) -> None:
        self._polling = False
        self.show_error(error)

    # Reading ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(desk_home, self.services, self.actor, then=self._show_home, group="desk-home")

    def _show_home(self, home: DeskHome) -> None:
        self._home = home
        now = self.services.clock()
        today = now.date()
        self._fill("appointments", [
            (f"a{a.id}", (  # an appointment whose time has passed (the car is late) in yellow
                Text(a.scheduled_at.strftime("%H:%M"), style="bold yellow" if a.scheduled_at < now else "bold"),
                Text(a.plate or a.model, style="bold"),  # a car booked by phone may have no plate yet
                clip(a.customer_name, NAME_CELLS), first_line(a.requested_work),
                a.phone, a.model, a.advisor,
            )) for a in home.appointments
        ])
        self._fill("in-house", [(f"o{o.id}", self._order_cells(o, today, stage=True)) for o in home.in_house])
        self._fill("ready", [(f"o{o.id}", self._order_cells(o, today, stage=False)) for o in home.ready])
        self._fill("follow-ups", [
            (f"f{f.id}", (Text(when(f.due_at, today), style="bold red" if f.due_at < now else ""),
                          Text(f.plate, style="bold"), clip(f.customer_name, NAME_CELLS), f.phone,
                          f.order_number, str(f.attempts)))
            for f in home.follow_ups
        ])
        self._titles()
        if self._first_load:  # nothing booked today: open on the cars in the house instead
            self._first_load = False
            if not home.appointments and home.in_house and not self.has_class("-searching"):
                self._show_list("in-house")
        screen_ready(self.app, "desk")  # benchmarks only: see frontdesk.bench_hook

    def _order_cells(self, o: OrderRow, today: dt.date, *, stage: bool) -> tuple[Any, ...]:
        """Plate, customer, status, promised time and its overdue mark first: they fit at 80 columns."""
        promised = Text(when(o.promised_at, today), style="bold red" if o.overdue else "")
        flag = Text(f" {_('OVERDUE')} ", style=OVERDUE_STYLE) if o.overdue else Text("")
        cells: tuple[Any, ...] = (Text(o.plate, style="bold"), clip(o.customer_name, NAME_CELLS), status(o.status))
        if not stage:  # the ready list: when the customer comes for it, agreed on the phone
            cells += (Text(when(o.pickup_at, today), style="bold cyan" if o.pickup_at else "dim"),)
        cells += (promised, flag)
        if stage:
            cells += (label(STAGE, o.stage) if o.stage else "",)
        return cells + (o.advisor, o.number, o.model)

    def _fill(self, name: str, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        self._table(name).refill(rows)

    def _titles(self) -> None:
        home = self._home
        counts = {
            "appointments": len(home.appointments) if home else 0,
            "in-house": len(home.in_house) if home else 0,
            "ready": len(home.ready) if home else 0,
            "follow-ups": len(home.follow_ups) if home else 0,
        }
        late = sum(1 for o in home.in_house if o.overdue) if home else 0
        # Cars held up until a customer answers: the advisor calls them (the approvals screen, Ctrl+P).
        asking = sum(1 for o in home.in_house if o.stage == "waiting_approval") if home else 0
        names = titles()
        for name in LISTS:
            title = Text(f"{names[name]} ({counts[name]})")
            if name == "in-house" and late:
                title.append(" ")
                title.append(" " + _("Overdue {n}").format(n=late) + " ", style=OVERDUE_STYLE)
            if name == "appointments" and home and home.reception_waiting:  # N takes the next (screens/reception.py)
                title.append(" ")
                title.append(" " + _("At reception {n}, for you {mine}").format(
                    n=home.reception_waiting, mine=home.waiting_for_me) + " ",
                    style=OVERDUE_STYLE if home.waiting_for_me else APPROVAL_STYLE)
            if name == "in-house" and asking:
                title.append(" ")
                title.append(" " + _("Awaiting approval {n}").format(n=asking) + " ", style=APPROVAL_STYLE)
            self.query_one(f"#tab-{name}", Tab).label = title
            self._table(name).border_title = title

    # Moving around ------------------------------------------------------------------------

    @property
    def _search(self) -> VehicleSearch:
        return self.query_one(VehicleSearch)

    def _table(self, name: str) -> ListTable:
        return self.query_one(f"#{name}-table", ListTable)

    def _show_list(self, name: str) -> None:
        """Make ``name`` the list on show (on a small terminal the others are hidden)."""
        self._current = name
        for other in LISTS:
            self._table(other).set_class(other == name, "-current")
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"

    def _list_of(self, widget: object) -> str | None:
        for name in LISTS:
            if widget is self._table(name):
                return name
        return None

    def action_next_area(self, step: int) -> None:
        """Tab: the search box, then each list in turn (the results instead while searching)."""
        ring: list[Any] = [self._search.input]
        if self.has_class("-searching"):
            ring.append(self._search.results)
        else:
            ring.extend(self._table(name) for name in LISTS)
        at = ring.index(self.focused) if self.focused in ring else 0
        target = ring[(at + step) % len(ring)]
        name = self._list_of(target)
        if name is not None:
            self._show_list(name)
        target.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_list":
            return self._list_of(self.focused) is not None  # in the search box the arrows move the cursor
        return super().check_action(action, parameters)

    def action_next_list(self, step: int) -> None:
        name = self._list_of(self.focused)
        if name is None:
            return
        target = LISTS[(LISTS.index(name) + step) % len(LISTS)]
        self._show_list(target)
        self._table(target).focus()

    @on(Tab.Clicked)
    def _tab_clicked(self, event: Tab.Clicked) -> None:
        """A click, not a change made here: the tabs also announce the first tab as they mount, which
        would otherwise take the screen back from the list the first reading chose."""
        name = (event.tab.id or "").removeprefix("tab-")
        if name in LISTS and name != self._current:
            self._show_list(name)
            self._table(name).focus()

    def action_find(self) -> None:
        self._search.focus_box()

    def action_clear_search(self) -> None:
        self._search.clear()
        self._search.focus_box()

    @on(VehicleSearch.Active)
    def _searching(self, event: VehicleSearch.Active) -> None:
        self.set_class(event.active, "-searching")

    # Opening what comes next ----------------------------------------------------------------

    def action_new_checkin(self) -> None:
        # What was searched for and not found is usually the new car's plate or the caller's
        # number: the check-in starts with it rather than making the advisor type it twice.
        typed = self._search.value.strip()
        if typed and not self._search.hits:
            self._open("checkin", prefill=typed)
        else:
            self._open("checkin")

    def action_appointments(self) -> None:
        self._open("appointments")

    def action_appointment_calls(self) -> None:
        self._open("appointment_calls")

    def action_take_next(self) -> None:
        """N: the next customer the receptionist registered for this advisor (screens/reception.py)."""
        from frontdesk.services.reception import take_next  # the ORM, only when a customer is taken

        self.call_service(take_next, self.services, self.actor,
                          then=lambda taken: self._open("checkin", arrival=taken))

    def action_accident(self) -> None:
        """I: the insurer's claim of the car highlighted in the workshop or ready list (事故车)."""
        table = self._table(self._current)
        order = next((o for o in (self._home.in_house + self._home.ready if self._home else ())
                      if self._current in ("in-house", "ready") and f"o{o.id}" == table.cursor_key), None)
        if order is None:
            self.notify(_("Pick a car in the workshop or ready in the lists first."), severity="warning")
            return
        self._open("accident", order_id=order.id)

    def action_pickup(self) -> None:
        """T: the pickup time agreed with the customer, for the car highlighted in the list on show."""
        from frontdesk.services.pickup import AGREED_WHILE, agree_pickup

        from .pickup_dialog import PickupDialog, proposed_pickup

        table = self._table(self._current)
        order = next((o for o in (self._home.in_house + self._home.ready if self._home else ())
                      if self._current in ("in-house", "ready") and f"o{o.id}" == table.cursor_key), None)
        if order is None or order.status not in AGREED_WHILE:
            self.notify(_("Pick a car in the workshop or ready in the lists first."), severity="warning")
            return
        now = self.services.clock()

        def save(at: dt.datetime | None) -> object:
            return agree_pickup(self.services, self.actor, order.id, at, expected_version=order.version)

        def saved(result: object) -> None:
            if isinstance(result, FrontdeskError):
                self.show_error(result)
            elif result is not None:
                self.notify(_("Pickup time recorded for {plate}.").format(plate=order.plate))
            self.action_refresh()

        self.app.push_screen(PickupDialog(
            title=_("Pickup time · {plate} · {name}").format(plate=order.plate, name=order.customer_name),
            current=order.pickup_at, proposed=proposed_pickup(now, order.promised_at, order.pickup_at), now=now,
            save=save), saved)

    @on(VehicleSearch.Chosen)
    def _hit_chosen(self, event: VehicleSearch.Chosen) -> None:
        hit = event.hit
        if hit.order_id is not None and hit.order_status not in FINISHED:
            self._open_order(hit.order_id, OrderStatus(hit.order_status), hit.order_number or "", hit.plate)
        else:
            self._open("checkin", vehicle_id=hit.vehicle_id)

    @on(DataTable.RowSelected, "#appointments-table")
    def _appointment_chosen(self, event: DataTable.RowSelected) -> None:
        rows = self._home.appointments if self._home else ()
        appt = next((a for a in rows if f"a{a.id}" == event.row_key.value), None)
        if appt is not None:
            self._open("checkin", vehicle_id=appt.vehicle_id, appointment_id=appt.id)

    @on(DataTable.RowSelected, "#in-house-table")
    @on(DataTable.RowSelected, "#ready-table")
    def _order_chosen(self, event: DataTable.RowSelected) -> None:
        if self._home is None:
            return
        order = next((o for o in self._home.in_house + self._home.ready if f"o{o.id}" == event.row_key.value), None)
        if order is None:
            return
        self._open_order(order.id, OrderStatus(order.status), order.number, order.plate)

    @on(DataTable.RowSelected, "#follow-ups-table")
    def _follow_up_chosen(self, event: DataTable.RowSelected) -> None:
        rows = self._home.follow_ups if self._home else ()
        call = next((f for f in rows if f"f{f.id}" == event.row_key.value), None)
        if call is None:
            return
        from frontdesk.screens.follow_up_call import RecordCallDialog, report_outcome

        def recorded(outcome: object) -> None:
            if report_outcome(self, outcome):  # type: ignore[arg-type]
                self.action_refresh()

        self.app.push_screen(RecordCallDialog.for_row(call), recorded)

    def _open_order(self, order_id: int, state: OrderStatus, number: str, plate: str) -> None:
        """What comes next for the order: its estimate, the delivery checklist, the bill, the payment."""
        if state in AT_THE_DESK:
            self._open("estimate", order_id=order_id)
        elif state == OrderStatus.READY:
            self._open("delivery", order_id=order_id)
        elif state == OrderStatus.DELIVERED or (state == OrderStatus.SETTLED and self.actor.role not in CASHIER_ROLES):
            self._open("settlement", order_id=order_id)
        elif state == OrderStatus.SETTLED:
            self._open("payment", order_id=order_id)
        else:  # in the workshop: the desk has nothing to do with it yet
            self.notify(_("Order {number} is {status}.").format(number=number, status=status(state)), title=plate)

    def _open(self, destination: str, **kwargs: object) -> None:
        try:
            self.fd.open_destination(destination, **kwargs)
        except ModuleNotFoundError as exc:
            self._not_built(exc)

    def _not_built(self, exc: ModuleNotFoundError) -> None:
        if not (exc.name or "").startswith("frontdesk.screens."):
            raise exc
        self.notify(_("This screen is not part of this version yet."), severity="warning")
