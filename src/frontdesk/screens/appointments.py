"""Appointments by phone: find the car, pick the day with its load in view, book; move, cancel, check in.

The customer is on the line, so every step is a key or two: the search box finds the car
as the plate, phone tail or name is typed; + and - (or Up/Down) move the day and the time
by a day and half an hour; the chosen day's appointments stay in view on the right with
how many are booked that day and in the chosen hour, so the advisor can offer a quieter
time. On the right-hand list, F4 moves the selected appointment (the form then edits its
time), x cancels it and n records a no-show (each pressed twice: no slip of a finger
loses a booking), and Enter or F2 checks the car in when it arrives, carrying the
appointment over.

A first-time caller's car is not on file: F7 swaps the search for what a caller can say
on the phone (name, mobile, the plate and/or the model; what was searched for is carried
in). The booking saves a customer and a booked car without a VIN, which the search finds
like any other; checking the appointment in opens the check-in form with them filled in,
for the advisor to complete off the car.

Capacity (预约限量, services/capacity.py): above the day's list the day's bands — the hours,
then each band's bookings as a digit, red when the band is full, yellow when it is full for
the advisor chosen, the band of the time chosen underlined — and the workshop hours booked
by trade; the summary names the chosen band's load. The form takes the visit's hours (blank:
estimated from the requested work) and its trade (auto: the same). A booking or a move over
capacity is refused with the full band and the nearest free one, and the desk lead (the
workshop supervisor or the service manager) can let it in with their password on the spot
(screens/capacity_dialogs.py). A car with an open recall or service campaign is marked in the list.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, FIND, NEW, REFRESH, SAVE, back, binding
from frontdesk.model.enums import Role
from frontdesk.services import auth, capacity, checkin, desk
from frontdesk.services import search as search_service
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.capacity import TRADES, CapacityError, DayCapacity, trade_label
from frontdesk.services.checkin import CallerInput, prefill_fields
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError
from frontdesk.services.refs import AppointmentRef
from frontdesk.widgets.field import Field
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip
from frontdesk.widgets.step_input import StepInput
from frontdesk.widgets.vehicle_search import VehicleSearch

from .base import DeskScreen
from .capacity_dialogs import LeadOverrideDialog, band_line, load_strip

STEP_MINUTES = 30
ARM_SECONDS = 5.0  # a second x or n within this time confirms
ADVISOR_ROLES = (Role.ADVISOR, Role.MANAGER)
CALLER_FIELDS = ("name", "phone", "plate", "model")  # named as the service's errors name them

_DAY = re.compile(r"^\s*(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})\s*$")
_DAY_DIGITS = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_TIME = re.compile(r"^(\d{1,2})[:.：](\d{2})$")


# Typed days and times ----------------------------------------------------------------------


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """2026-11-25, 2026/11/25, 20261125, or 11-25 (this year, or next year when that is past)."""
    m = _DAY.match(text) or _DAY_DIGITS.match(text)
    if not m:
        return None
    year, month, day = m.groups()
    try:
        if year is not None:
            return dt.date(int(year), int(month), int(day))
        guess = dt.date(today.year, int(month), int(day))
        return guess if guess >= today else dt.date(today.year + 1, int(month), int(day))
    except ValueError:
        return None


def format_day(day: dt.date) -> str:
    return day.isoformat()


def parse_time(text: str) -> dt.time | None:
    """14:30, 14.30, 1430, 930, 14 (a full-width colon too)."""
    raw = text.strip()
    if m := _TIME.match(raw):
        hours, minutes = m.groups()
    elif raw.isdigit() and len(raw) in (3, 4):
        hours, minutes = raw[:-2], raw[-2:]
    elif raw.isdigit() and len(raw) <= 2:
        hours, minutes = raw, "0"
    else:
        return None
    try:
        return dt.time(int(hours), int(minutes))
    except ValueError:
        return None


def step_day(text: str, n: int, today: dt.date) -> str | None:
    day = parse_day(text, today)
    return None if day is None else format_day(day + dt.timedelta(days=n))


def step_time(text: str, n: int) -> str | None:
    """Half an hour later or earlier, onto the half-hour grid; stays within the day."""
    t = parse_time(text)
    if t is None:
        return None
    minutes = t.hour * 60 + t.minute
    if n > 0:
        minutes = (minutes // STEP_MINUTES + n) * STEP_MINUTES
    else:
        minutes = (-(-minutes // STEP_MINUTES) + n) * STEP_MINUTES
    minutes = max(0, min(minutes, 24 * 60 - STEP_MINUTES))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekday(day: dt.date) -> str:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))[day.weekday()]


def default_slot(now: dt.datetime) -> dt.datetime:
    """The next full hour, or tomorrow morning once the working day is over."""
    slot = (now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if slot.date() != now.date() or slot.hour >= 18:
        slot = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(9, 0))
    return slot


class AppointmentsScreen(DeskScreen):
    """``AppointmentsScreen()``: book by phone; move, cancel, no-show; check an arrival in."""

    CSS_PATH = "../assets/styles/appointments.tcss"
    AUTO_FOCUS = "#vehicle"

    BINDINGS = [
        binding(SAVE, "save", "Save", tooltip="Book the appointment, or save the new time of the one being moved"),
        binding(NEW, "check_in", "Check in", tooltip="Check in the car of the selected appointment"),
        binding(EDIT, "move", "Move", tooltip="Change the day or time of the selected appointment"),
        binding("x", "cancel_appointment", "Cancel", tooltip="Cancel the selected appointment (press twice)"),
        binding("n", "no_show", "No-show", tooltip="Record that the customer did not come (press twice)"),
        binding(FIND, "find", "Find car", tooltip="Find the car by plate, VIN, phone or name"),
        binding("f7", "new_caller", "New caller",
                tooltip="Book a first-time caller: name, mobile, plate or model (the VIN is read at check-in)"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the day's appointments again"),
        binding("plus", "day(1)", "Next day", key_display="+", show=False),
        binding("minus", "day(-1)", "Previous day", key_display="-", show=False),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._vehicle: search_service.SearchHit | None = None
        self._day: dt.date | None = None
        self._rows: list[desk.AppointmentRow] = []
        self._moving: desk.AppointmentRow | None = None
        self._armed: tuple[str, int, float] | None = None  # (action, appointment id, when pressed)
        self._advisor_names: dict[int, str] = {}
        self._select_after_load: int | None = None
        self._caller = False  # booking a first-time caller (F7) rather than a car on file
        self._load: DayCapacity | None = None  # the chosen day's bands and trades
        # The last booking or move sent, to send again with the lead's override, and what its answer does.
        self._retry: Callable[..., AppointmentRef] | None = None
        self._over_capacity_then: Callable[[AppointmentRef], None] = self._booked

    # Layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        now = self.services.clock()
        slot = default_slot(now)
        today = now.date()
        self._day = slot.date()  # read as soon as the screen is shown (on_screen_resume)
        yield Header(show_clock=self.fd.show_clock)
        with Horizontal(id="appt-body"):
            with VerticalScroll(id="appt-form"):
                yield Static("", id="appt-mode")
                yield VehicleSearch(partial(search_service.search, self.services), input_id="vehicle",
                                    placeholder=_("Plate, VIN, phone or name"))
                yield Static(_("No car chosen yet."), id="vehicle-chosen")
                yield Static("", id="vehicle-error", classes="field-error")
                with Vertical(id="caller"):
                    with Horizontal(classes="caller-row"):
                        yield Field("name", _("Caller's name"))
                        yield Field("phone", _("Mobile"), placeholder=_("11 digits"))
                    with Horizontal(classes="caller-row"):
                        yield Field("plate", _("Plate, if any"), placeholder="粤B12345")
                        yield Field("model", _("Model"), placeholder=_("e.g. Corolla"))
                with Horizontal(id="appt-when"):
                    with Vertical(classes="appt-field"):
                        yield Label(_("Day (+/- moves it)"))
                        yield StepInput(lambda text, n: step_day(text, n, today), value=format_day(slot.date()),
                                        id="day", restrict=r"[0-9./-]*", max_length=10)
                        yield Static("", id="day-error", classes="field-error")
                    with Vertical(classes="appt-field"):
                        yield Label(_("Time"))
                        yield StepInput(step_time, value=slot.strftime("%H:%M"), id="scheduled_at",
                                        restrict=r"[0-9:.：]*", max_length=5)
                        yield Static("", id="scheduled_at-error", classes="field-error")
                yield Field("requested_work", _("Requested work"), placeholder=_("e.g. first service, brake noise"))
                with Horizontal(id="appt-who"):
                    with Vertical(classes="appt-field", id="advisor-field"):
                        yield Label(_("Advisor"))
                        me = self.actor
                        yield Select([(me.display_name, me.user_id)], value=me.user_id, allow_blank=False,
                                     id="advisor")
                    yield Field("work_hours", _("Hours"), placeholder=_("auto"))
                    with Vertical(classes="appt-field", id="trade-field"):
                        yield Label(_("Trade"))
                        yield Select([(_("auto"), "auto"), *((trade_label(t), t) for t in TRADES)], value="auto",
                                     allow_blank=False, id="trade")
            with Vertical(id="appt-day"):
                yield Static("", id="day-title")
                yield Static("", id="day-summary")
                yield Static("", id="day-load")
                yield ListTable(id="day-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#day-table", ListTable)
        table.add_columns(_("Time"), _("Plate"), _("Customer"), _("Requested work"), _("Advisor"))
        self.query_one("#caller").display = False
        self._show_mode()
        self._advisor_names = {self.actor.user_id: self.actor.display_name} if self.actor.user_id else {}
        self.call_service(auth.list_users, self.services, then=self._advisors, group="appt-advisors")

    def on_screen_resume(self) -> None:
        """Back from a check-in: the arrived appointment leaves the list."""
        self._load_day()

    def _advisors(self, users: list[auth.UserInfo]) -> None:
        store = self.services.settings.store_code
        options = [(u.display_name, u.id) for u in users
                   if u.active and u.role in ADVISOR_ROLES and u.store_code == store]
        if not any(uid == self.actor.user_id for _name, uid in options):
            options.insert(0, (self.actor.display_name, self.actor.user_id))
        self._advisor_names = {uid: name for name, uid in options if uid is not None}
        select = self.query_one("#advisor", Select)
        chosen = select.value
        select.set_options(options)
        select.value = chosen
        self._summary()

    # Widgets ------------------------------------------------------------------------------

    @property
    def _day_input(self) -> StepInput:
        return self.query_one("#day", StepInput)

    @property
    def _time_input(self) -> StepInput:
        return self.query_one("#scheduled_at", StepInput)

    @property
    def _table(self) -> ListTable:
        return self.query_one("#day-table", ListTable)

    @property
    def _search(self) -> VehicleSearch:
        return self.query_one(VehicleSearch)

    def _selected(self) -> desk.AppointmentRow | None:
        key = self._table.cursor_key
        return next((r for r in self._rows if f"a{r.id}" == key), None)

    # The day and its load -------------------------------------------------------------------

    @on(Input.Changed, "#day")
    def _day_typed(self, event: Input.Changed) -> None:
        day = parse_day(event.value, self.services.clock().date())
        self.query_one("#day-error", Static).update("")
        if day is not None and day != self._day:
            self._day = day
            self._load_day()

    @on(Select.Changed, "#advisor")
    @on(Input.Changed, "#scheduled_at")
    def _slot_changed(self) -> None:
        self.query_one("#scheduled_at-error", Static).update("")
        self._summary()

    def action_day(self, n: int) -> None:
        """+ and - away from the fields: the day moves, the list follows."""
        self._day_input.step(n)

    def action_refresh(self) -> None:
        self._load_day()

    def _load_day(self) -> None:
        day = self._day
        if day is None:
            return
        self._title()
        self.call_service(desk.day_load, self.services, self.actor, day, then=partial(self._show_day, day),
                          group="appt-day")
        self.call_service(capacity.day_capacity, self.services, self.actor, day, then=partial(self._show_load, day),
                          group="appt-load")

    def _show_load(self, day: dt.date, load: DayCapacity) -> None:
        if day != self._day:
            return
        self._load = load
        self._redraw()

    def _show_day(self, day: dt.date, rows: list[desk.AppointmentRow]) -> None:
        if day != self._day:  # the day was moved on while this one was read
            return
        self._rows = rows
        table = self._table
        keep = table.cursor_key
        table.clear()
        moving = self._moving.id if self._moving else None
        flagged = self._load.campaign_appointments if self._load is not None and self._load.day == day else ()
        for r in rows:
            style = "reverse" if r.id == moving else ""
            work = r.requested_work.splitlines()[0] if r.requested_work else ""
            plate = Text(r.plate or r.model, style="bold")  # a car booked by phone may have no plate yet
            if r.id in flagged:  # an open recall or service campaign: the same mark as the search's
                plate = Text.assemble((_("R"), "bold white on red"), " ", plate)
            table.add_row(Text(r.scheduled_at.strftime("%H:%M"), style=f"bold {style}"), plate,
                          clip(r.customer_name, 12), clip(work, 18), clip(r.advisor, 10), key=f"a{r.id}")
        if self._select_after_load is not None:
            keep, self._select_after_load = f"a{self._select_after_load}", None
        table.move_to_key(keep)
        self._title()
        self._summary()

    def _redraw(self) -> None:
        """Draw the list again from what was read last (the row being moved is marked)."""
        if self._day is not None:
            self._show_day(self._day, self._rows)

    def _title(self) -> None:
        day = self._day
        if day is None:
            return
        today = self.services.clock().date()
        relative = {0: _("today"), 1: _("tomorrow"), -1: _("yesterday")}.get((day - today).days)
        title = f"{format_day(day)} {weekday(day)}" + (f" ({relative})" if relative else "")
        self.query_one("#day-title", Static).update(Text(title, style="bold"))

    def _summary(self) -> None:
        """How full the day is, the band the time field points at, and the bands and trades of the day."""
        rows = self._rows
        load = self._load if self._load is not None and self._load.day == self._day else None
        summary = Text(_("{n} booked this day").format(n=len(rows)))
        if load is not None:
            summary.append(_(" of {slots} slots").format(slots=load.slots))
        t = parse_time(self._time_input.value)
        chosen = dt.datetime.combine(self._day, t) if t is not None and self._day is not None else None
        advisor_id = self.query_one("#advisor", Select).value
        advisor_id = advisor_id if isinstance(advisor_id, int) else None
        advisor = self._advisor_names.get(advisor_id or 0, "")
        if chosen is not None and load is not None:
            summary.append("\n")
            summary.append_text(band_line(load, chosen, advisor_id, advisor))
        elif advisor:
            mine = sum(1 for r in rows if r.advisor == advisor)
            summary.append(" · " + _("{n} for {advisor}").format(n=mine, advisor=advisor))
        self.query_one("#day-summary", Static).update(summary)
        strip = self.query_one("#day-load", Static)
        if load is not None:
            width = max(20, strip.size.width or self.query_one("#appt-day").size.width - 2)
            strip.update(load_strip(load, chosen=chosen, advisor_id=advisor_id, width=width))
        else:
            strip.update("")

    # The car --------------------------------------------------------------------------------

    @on(VehicleSearch.Chosen)
    def _car_chosen(self, event: VehicleSearch.Chosen) -> None:
        if self._moving is not None:
            self.notify(_("Save or leave the move first (F6 or Esc)."), severity="warning")
            return
        hit = event.hit
        self._vehicle = hit
        self.query_one("#vehicle-chosen", Static).update(
            Text.assemble((hit.plate, "bold"), f"  {hit.model}  {hit.customer_name}  {hit.phone}"))
        self.query_one("#vehicle-error", Static).update("")
        self._search.clear()
        self._day_input.focus()

    def action_find(self) -> None:
        if self._moving is not None:  # the search box is put away while an appointment is moved
            self.notify(_("Save or leave the move first (F6 or Esc)."), severity="warning")
            return
        if self._caller:
            self._caller_form(False)
        self._search.focus_box()

    def action_new_caller(self) -> None:
        """F7: a first-time caller instead of a car on file, or back; what was searched for is carried in."""
        if self._moving is not None:
            self.notify(_("Save or leave the move first (F6 or Esc)."), severity="warning")
            return
        if self._caller:
            self._caller_form(False)
            self._search.focus_box()
            return
        typed = self._search.value.strip()
        if typed and not self._search.hits:
            for name, value in prefill_fields(typed).items():
                self.query_one(f"#{name}", Input).value = value
        self._vehicle = None
        self.query_one("#vehicle-chosen", Static).update(_("No car chosen yet."))
        self._search.clear()
        self._caller_form(True)
        empty = [name for name in CALLER_FIELDS if not self.query_one(f"#{name}", Input).value]
        self.query_one(f"#{empty[0] if empty else 'name'}", Input).focus()

    def _caller_form(self, on: bool) -> None:
        self._caller = on
        self.query_one("#caller").display = on
        for selector in ("#vehicle-box", "#vehicle-chosen"):
            self.query_one(selector).display = not on
        self.clear_errors()
        self._show_mode()

    # Booking and moving ------------------------------------------------------------------------

    def _when(self) -> dt.datetime | None:
        """The day and time in the form, or None (with the reason beside the field)."""
        day = parse_day(self._day_input.value, self.services.clock().date())
        t = parse_time(self._time_input.value)
        if t is None:
            self.query_one("#scheduled_at-error", Static).update(_("Enter the time as 14:30."))
            self._time_input.focus()
        if day is None:
            self.query_one("#day-error", Static).update(_("Enter the day as 2026-11-25."))
            self._day_input.focus()
        return dt.datetime.combine(day, t) if day is not None and t is not None else None

    def action_save(self) -> None:
        self.clear_errors()
        when = self._when()
        if self._moving is not None:
            if when is not None:
                row = self._moving
                self._over_capacity_then = self._moved
                self._retry = partial(checkin.move_appointment, self.services, self.actor, row.id, when,
                                      expected_version=row.version)
                self.call_service(self._retry, then=self._moved, failed=self._refused)
            return
        if self._caller:
            if when is not None:
                caller = CallerInput(*(self.query_one(f"#{name}", Input).value for name in CALLER_FIELDS))
                work = self.query_one("#requested_work", Input).value
                self._book(None, when, work, caller=caller)
            return
        if self._vehicle is None:
            self.query_one("#vehicle-error", Static).update(_("Find and pick the car first."))
            self._search.focus_box()
            return
        if when is None:
            return
        work = self.query_one("#requested_work", Input).value
        self._book(self._vehicle.vehicle_id, when, work)

    def _book(self, vehicle_id: int | None, when: dt.datetime, work: str, caller: CallerInput | None = None) -> None:
        advisor = self.query_one("#advisor", Select).value
        trade = self.query_one("#trade", Select).value
        self._over_capacity_then = self._booked
        self._retry = partial(
            checkin.book_appointment, self.services, self.actor, vehicle_id, when, work,
            advisor_id=advisor if isinstance(advisor, int) else None, caller=caller,
            work_hours=self.query_one("#work_hours", Input).value, trade=trade if trade in TRADES else None)
        self.call_service(self._retry, then=self._booked, failed=self._refused)

    def _offer_override(self, error: CapacityError) -> None:
        """Over capacity: the refusal beside the time, and the lead's override on the spot (Esc leaves it refused)."""
        retry, then = self._retry, self._over_capacity_then
        if retry is None:
            return

        def save(approval: ManagerApproval, _reason: str) -> object:
            return retry(override_by=approval)

        def done(result: object) -> None:
            if isinstance(result, FrontdeskError):
                self._refused(result)
            elif result is not None:
                self.clear_errors()
                then(result)  # type: ignore[arg-type]

        self.app.push_screen(LeadOverrideDialog(
            title=_("Over capacity: the lead's override"), summary=error.message, save=save), done)

    def _booked(self, appt: AppointmentRef) -> None:
        hit = self._vehicle
        when = appt.scheduled_at
        if self._caller:
            who = " ".join(v for v in (self.query_one(f"#{name}", Input).value.strip()
                                        for name in ("plate", "name")) if v)
            for name in CALLER_FIELDS:
                self.query_one(f"#{name}", Input).value = ""
            self._caller_form(False)
        else:
            who = hit.plate if hit else ""
        self.notify(_("Booked: {plate} on {day} at {time}.").format(
            plate=who, day=format_day(when.date()), time=when.strftime("%H:%M")))
        self._vehicle = None
        self.query_one("#vehicle-chosen", Static).update(_("No car chosen yet."))
        self.query_one("#requested_work", Input).value = ""
        self.query_one("#work_hours", Input).value = ""
        self.query_one("#trade", Select).value = "auto"
        self._select_after_load = appt.id
        self._load_day()
        self._search.focus_box()

    def action_move(self) -> None:
        row = self._selected()
        if row is None:
            self.notify(_("Pick an appointment in the day's list first."), severity="warning")
            return
        self._moving = row
        self._time_input.value = row.scheduled_at.strftime("%H:%M")
        self._show_mode()
        self._redraw()
        self._time_input.focus()

    def _moved(self, appt: AppointmentRef) -> None:
        row = self._moving
        when = appt.scheduled_at
        self.notify(_("Moved: {plate} to {day} at {time}.").format(
            plate=row.plate if row else "", day=format_day(when.date()), time=when.strftime("%H:%M")))
        self._moving = None
        self._show_mode()
        self._select_after_load = appt.id
        self._load_day()
        self._table.focus()

    def _refused(self, error: FrontdeskError) -> None:
        self.show_error(error)
        if isinstance(error, CapacityError):
            self._offer_override(error)
            return
        if isinstance(error, ConflictError) or (isinstance(error, ValidationError) and error.field == "appointment"):
            self._moving = None  # someone else changed it: start again from what is saved now
            self._show_mode()
            self._load_day()

    def show_error(self, error: FrontdeskError) -> None:
        """Beside the field, and the cursor into it: the advisor corrects it at once."""
        super().show_error(error)
        fields = ("scheduled_at", "requested_work", "work_hours") + (CALLER_FIELDS if self._caller else ("vehicle",))
        if isinstance(error, ValidationError) and error.field in fields:
            self.query_one(f"#{error.field}").focus()

    def _show_mode(self) -> None:
        row = self._moving
        if row is None and self._caller:
            text = Text(_("New caller: name, mobile, plate or model (F7: a car on file)"), style="bold")
        elif row is None:
            text = Text(_("New appointment"), style="bold")
        else:
            text = Text(_("Moving {plate} ({when}): pick the new day and time, F6 saves, Esc stops.").format(
                plate=row.plate, when=row.scheduled_at.strftime("%m-%d %H:%M")), style="bold black on yellow")
        self.query_one("#appt-mode", Static).update(text)
        for selector in ("#requested_work", "#advisor", "#work_hours", "#trade", "#vehicle",
                         *(f"#{name}" for name in CALLER_FIELDS)):
            self.query_one(selector).disabled = row is not None

    # Cancelling, no-show, arrival ----------------------------------------------------------------

    def action_cancel_appointment(self) -> None:
        self._twice("cancel")

    def action_no_show(self) -> None:
        self._twice("no_show")

    def _twice(self, action: str) -> None:
        row = self._selected()
        if row is None:
            self.notify(_("Pick an appointment in the day's list first."), severity="warning")
            return
        armed, self._armed = self._armed, None
        if armed is not None and armed[:2] == (action, row.id) and time.monotonic() - armed[2] < ARM_SECONDS:
            self.call_service(checkin.cancel_appointment, self.services, self.actor, row.id,
                              no_show=action == "no_show", expected_version=row.version,
                              then=partial(self._cancelled, action, row), failed=self._refused)
            return
        self._armed = (action, row.id, time.monotonic())  # a key's timing, not business time: not the clock
        when = row.scheduled_at.strftime("%m-%d %H:%M")
        if action == "cancel":
            message = _("Press x again to cancel {plate}'s appointment of {when}.")
        else:
            message = _("Press n again to record that {plate} did not come ({when}).")
        self.notify(message.format(plate=row.plate, when=when), severity="warning", timeout=ARM_SECONDS)

    def _cancelled(self, action: str, row: desk.AppointmentRow, _appt: object) -> None:
        done = _("Cancelled: {plate}, {when}.") if action == "cancel" else _("No-show recorded: {plate}, {when}.")
        self.notify(done.format(plate=row.plate, when=row.scheduled_at.strftime("%m-%d %H:%M")))
        if self._moving is not None and self._moving.id == row.id:
            self._moving = None
            self._show_mode()
        self._load_day()

    @on(DataTable.RowHighlighted, "#day-table")
    def _other_row(self) -> None:
        self._armed = None

    def action_check_in(self) -> None:
        if self._moving is not None:
            self.notify(_("Save or leave the move first (F6 or Esc)."), severity="warning")
            return
        row = self._selected()
        if row is None:
            self.notify(_("Pick an appointment in the day's list first."), severity="warning")
            return
        try:
            self.fd.open_destination("checkin", vehicle_id=row.vehicle_id, appointment_id=row.id)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("frontdesk.screens."):
                raise
            self.notify(_("This screen is not part of this version yet."), severity="warning")

    @on(DataTable.RowSelected, "#day-table")
    def _enter_on_appointment(self) -> None:
        self.action_check_in()

    # Leaving ------------------------------------------------------------------------------------

    @on(Input.Submitted, "#day")
    def _day_entered(self) -> None:
        self._time_input.focus()

    @on(Input.Submitted, "#scheduled_at")
    def _time_entered(self) -> None:
        if self._moving is not None:
            self.action_save()
        else:
            self.query_one("#requested_work", Input).focus()

    @on(Input.Submitted, "#name")
    @on(Input.Submitted, "#phone")
    @on(Input.Submitted, "#plate")
    @on(Input.Submitted, "#model")
    def _caller_entered(self, event: Input.Submitted) -> None:
        """Enter moves on through what the caller says, then to the day."""
        at = CALLER_FIELDS.index(event.input.id or "name")
        target = f"#{CALLER_FIELDS[at + 1]}" if at + 1 < len(CALLER_FIELDS) else "#day"
        self.query_one(target, Input).focus()

    @on(Input.Submitted, "#requested_work")
    def _work_entered(self) -> None:
        self.query_one("#advisor", Select).focus()

    @on(Input.Submitted, "#work_hours")
    def _hours_entered(self) -> None:
        self.query_one("#trade", Select).focus()

    def action_back(self) -> None:
        if self._moving is not None:
            self._moving = None
            self._show_mode()
            self._redraw()
            self._table.focus()
            return
        super().action_back()
