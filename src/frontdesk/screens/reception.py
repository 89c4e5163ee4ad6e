"""Reception (前台接待): register each car at the door, the queue in arrival order, take the next customer.

The receptionist's home. One line registers a car: the plate (the desk's vehicle search
finds it as it is typed; Enter on a result takes that car), the purpose (blank: the
appointment when one is matched today, else a walk-in), the roof number (blank: the
smallest free one) and the key tag; F2, or Enter in the last two boxes, registers it.
Below, who is waiting in arrival order: the waiting time counts on by itself and turns red
past the ``reception_wait_red_minutes`` setting; the advisor is the appointment's or the
rotation's (services/reception.py says how the rotation goes). An advisor takes the next
customer with N (Enter takes the highlighted one): the check-in opens pre-filled with the
car, the appointment and the roof number. The desk lead gives a customer to another advisor
with A; L records that a customer left without being served. The last line holds today's
figures: arrivals, average and longest wait, the appointment show rate (到店率).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from frontdesk.i18n import N_
from frontdesk.i18n import gettext as _
from frontdesk.keys import FIND, NEW, REFRESH, back, binding, translate_bindings
from frontdesk.labels import ARRIVAL_PURPOSE, TIMELINESS, label
from frontdesk.model.enums import ArrivalPurpose, Role
from frontdesk.services import reception
from frontdesk.services import search as search_service
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.permissions import allowed
from frontdesk.services.reception import (
    ArrivalInput,
    ArrivalRef,
    QueueRow,
    ReceptionFigures,
    ReceptionView,
    TakenArrival,
)
from frontdesk.services.search import SearchHit
from frontdesk.services.validation import normalise_plate
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, fixed_columns
from frontdesk.widgets.vehicle_search import VehicleSearch

from .base import LiveScreen
from .confirm import ConfirmScreen
from .list_detail import OVERDUE_STYLE, ListDetailScreen, ListLayout

#: How often the waiting times count on while nothing else changes.
TICK_SECONDS = 20
#: The plate box's hint: it has some 28 cells at 80 columns (the purpose, roof and key tag share the line).
PLATE_HINT = N_("Plate (or part of it)")
#: "15:00 on time" whole (tests/ui/test_reception.py checks every timeliness in both languages).
APPOINTMENT_WIDTH = 13


def timeliness_text(timeliness: str, minutes: int) -> str:
    """"early 92 min", not "early, -92 min": the word says the side, so the minutes go unsigned."""
    name = label(TIMELINESS, timeliness)
    if timeliness == "on_time" or minutes == 0:
        return name
    return f"{name} " + _("{n} min").format(n=abs(minutes))


def _whole_plate(typed: str) -> bool:
    try:
        normalise_plate(typed)
    except ValidationError:
        return False
    return True


def figures_line(fig: ReceptionFigures) -> Text:
    """Today's reception figures in one line (the reception screen and the desk home's strip)."""
    line = Text()
    line.append(_("Today {n} arrivals").format(n=fig.arrivals), style="bold")
    if fig.average_wait_minutes is not None:
        line.append("  ·  " + _("avg wait {avg} min, longest {max}").format(
            avg=fig.average_wait_minutes, max=fig.longest_wait_minutes))
    if fig.show_rate is not None:
        line.append("  ·  " + _("show rate {rate}% ({came}/{booked})").format(
            rate=fig.show_rate, came=fig.showed, booked=fig.booked))
    if fig.left:
        line.append("  ·  " + _("left {n}").format(n=fig.left), style="yellow")
    return line


def wait_text(minutes: int, red: int) -> Text:
    return Text(_("{n} min").format(n=minutes), style=OVERDUE_STYLE if minutes > red else "bold")


def appointment_text(row: QueueRow) -> str:
    if row.appointment_at is None:
        return ""
    when = row.appointment_at.strftime("%H:%M")
    if row.timeliness is None:
        return when
    return f"{when} {label(TIMELINESS, row.timeliness)}"


class AdvisorPicker(ModalScreen[int | None]):
    """The desk lead picks the advisor a waiting customer goes to."""

    DEFAULT_CSS = """
    AdvisorPicker { align: center middle; }
    AdvisorPicker > OptionList { width: 40; height: auto; max-height: 14; border: round $accent; }
    """
    BINDINGS = [back("Cancel")]

    def __init__(self, plate: str, advisors: tuple[reception.AdvisorOnDuty, ...], current: int | None) -> None:
        super().__init__()
        self._plate = plate
        self._advisors = advisors
        self._current = current
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        options = OptionList(*(Option(self._line(a), id=str(a.id)) for a in self._advisors), id="advisor-pick")
        options.border_title = _("{plate} goes to").format(plate=self._plate)
        yield options

    def on_mount(self) -> None:
        """The highlight starts on the current advisor (the one marked •): Enter alone keeps them."""
        current = next((i for i, a in enumerate(self._advisors) if a.id == self._current), None)
        if current is not None:
            self.query_one("#advisor-pick", OptionList).highlighted = current

    def _line(self, a: reception.AdvisorOnDuty) -> str:
        state = _("busy") if a.busy else (_("free") if a.on_duty else _("not signed in"))
        mark = "• " if a.id == self._current else "  "
        waiting = _("{n} waiting").format(n=a.waiting)
        return mark + _("{name}  ({state}, {waiting})").format(name=a.name, state=state, waiting=waiting)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_back(self) -> None:
        self.dismiss(None)


class ReceptionScreen(LiveScreen, ListDetailScreen):
    """``ReceptionScreen()``: the arrival register and the queue."""

    CSS_PATH = "../assets/styles/reception.tcss"
    LAYOUT = ListLayout(("queue",), head="rc-head", detail="rc-detail")
    AUTO_FOCUS = "#plate"

    BINDINGS = [
        binding(NEW, "register", "Register", tooltip="Register the car typed on the top line as arrived"),
        binding("n", "take_next", "Next customer",
                tooltip="Take your next waiting customer: the check-in opens pre-filled (Enter: the highlighted one)"),
        binding("a", "assign", "Advisor", tooltip="Give the highlighted customer to another advisor (the desk lead)"),
        binding("l", "left", "Customer left", tooltip="The highlighted customer left without being served"),
        binding(FIND, "find", "Plate", tooltip="Back to the plate box to register the next car"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the queue again"),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: ReceptionView | None = None
        self._chosen: SearchHit | None = None  # the car picked from the search results

    def loading_text(self) -> str:
        return _("Loading the queue…")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        with Horizontal(id="rc-form"):
            yield VehicleSearch(partial(search_service.search, self.services), input_id="plate",
                                placeholder=_(PLATE_HINT))
            yield Select([(label(ARRIVAL_PURPOSE, p), p.value) for p in ArrivalPurpose], prompt=_("Purpose"),
                         id="purpose", compact=True)
            yield Input(placeholder=_("Roof no."), id="roof_number", max_length=12)
            yield Input(placeholder=_("Key tag"), id="key_tag", max_length=20)
        yield Static("", id="rc-hint")
        yield Static(self.loading_text(), id="rc-head")
        yield ListTable(id="queue")
        yield Static("", id="rc-detail")
        yield Static("", id="rc-figures")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.table("queue"), Col(_("Plate"), 9, whole=True), Col(_("Wait"), 7, keep=9),
                      Col(_("Roof"), 4, keep=8), Col(_("Advisor"), 8, keep=7), Col(_("Purpose"), 10, keep=5),
                      Col(_("Appointment"), APPOINTMENT_WIDTH, keep=6), Col(_("Customer"), 8, keep=4),
                      Col(_("Model"), 12, keep=2), Col(_("Key tag"), 7, keep=3))
        self.follow_store()
        self.set_interval(TICK_SECONDS, self._count_on)

    # Reading -----------------------------------------------------------------------------------------

    def load(self, services: Any, actor: Any) -> ReceptionView:
        return reception.reception_view(services, actor)

    def show(self, view: ReceptionView) -> None:
        self.view = view
        self._fill_queue()
        head = Text()
        queue = view.queue
        if queue:
            head.append(_("Waiting {n}").format(n=len(queue)), style="bold")
            longest = max(r.waiting_minutes for r in queue)
            head.append("  ")
            head.append(_("longest {n} min").format(n=longest), style=OVERDUE_STYLE if longest > view.red_minutes else "")
        else:
            head.append(_("Nobody waiting"), style="dim")
        for a in view.advisors:
            if not (a.on_duty or a.waiting):
                continue
            head.append("  ·  ")
            head.append(a.name, style="yellow" if a.busy else "green")
            if a.waiting:
                head.append(f" {a.waiting}")
        self.show_head(head)
        self.query_one("#rc-figures", Static).update(figures_line(view.figures))
        self.show_detail()

    def _fill_queue(self) -> None:
        view = self.view
        if view is None:
            return
        now = self.services.clock()
        table = self.fill("queue", ((f"a{r.arrival_id}", r, self._cells(r, now, view.red_minutes)) for r in view.queue))
        table.border_title = _("Waiting in arrival order ({n})").format(n=len(view.queue))

    def _count_on(self) -> None:
        """The waiting times go on counting between reads."""
        if self.is_current:
            self._fill_queue()

    def _cells(self, r: QueueRow, now: dt.datetime, red: int) -> tuple[Any, ...]:
        minutes = max(0, int((now - r.arrived_at).total_seconds() // 60))  # counts on between reads
        plate = Text(r.plate, style="bold")
        if r.campaign:
            plate.append(" !", style="bold red")
        return (plate, wait_text(minutes, red), r.roof_number, clip(r.advisor or _("anyone"), 8),
                clip(label(ARRIVAL_PURPOSE, r.purpose), 10), appointment_text(r), clip(r.customer_name, 8),
                clip(r.model, 12), r.key_tag)

    @property
    def selected(self) -> QueueRow | None:
        return self.selected_in("queue")

    def empty_detail(self) -> Text:
        return Text(_("Type a plate on the top line and press F2 to register an arrival."), style="dim")

    def detail(self, r: QueueRow) -> Text:
        text = Text(f"{r.plate} ", style="bold")
        text.append(" ".join(x for x in (r.customer_name, r.model) if x))
        text.append("  " + _("arrived {time}").format(time=r.arrived_at.strftime("%H:%M")))
        if r.appointment_at is not None:
            text.append("  " + _("appointment {when}").format(when=r.appointment_at.strftime("%H:%M")))
            if r.timeliness is not None and r.timeliness_minutes is not None:
                text.append(f" ({timeliness_text(r.timeliness, r.timeliness_minutes)})")
        if r.campaign:
            text.append("  " + _("open campaign"), style="bold red")
        text.append("\n")
        text.append(_("Roof {roof}  key tag {tag}  advisor {name}").format(
            roof=r.roof_number or "-", tag=r.key_tag or "-", name=r.advisor or _("anyone")), style="dim")
        return text

    # The register line -------------------------------------------------------------------------------

    @on(VehicleSearch.Chosen)
    def _car_chosen(self, event: VehicleSearch.Chosen) -> None:
        event.stop()
        self._chosen = event.hit
        self._hint(Text(f"{event.hit.plate}  {event.hit.customer_name}  {event.hit.model}", style="bold"))
        self.query_one("#roof_number", Input).focus()

    @on(Input.Changed, "#plate")
    def _plate_typed(self, event: Input.Changed) -> None:
        if self._chosen is not None and event.value.strip() != self._chosen.plate:
            self._chosen = None

    @on(Input.Submitted, "#roof_number")
    @on(Input.Submitted, "#key_tag")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_register()

    def _hint(self, text: Text | str) -> None:
        self.query_one("#rc-hint", Static).update(text)

    def _input(self) -> ArrivalInput | None:
        box = self.query_one(VehicleSearch)
        typed = box.value.strip()
        purpose = self.query_one("#purpose", Select).value
        purpose_value = purpose if isinstance(purpose, str) else None
        roof = self.query_one("#roof_number", Input).value
        tag = self.query_one("#key_tag", Input).value
        chosen = self._chosen
        if chosen is None and len(box.hits) == 1 and not _whole_plate(typed):
            chosen = box.hits[0]  # part of a plate, one car found: that car
        if chosen is not None and chosen.plate:
            return ArrivalInput(vehicle_id=chosen.vehicle_id, purpose=purpose_value, roof_number=roof, key_tag=tag)
        if not typed:
            self.notify(_("Type the plate first."), severity="warning", timeout=4)
            box.focus_box()
            return None
        return ArrivalInput(plate=typed, purpose=purpose_value, roof_number=roof, key_tag=tag)

    def action_register(self) -> None:
        data = self._input()
        if data is None:
            return
        self.call_service(reception.register_arrival, self.services, self.actor, data, then=self._registered,
                          failed=self._register_refused)

    def _registered(self, ref: ArrivalRef) -> None:
        line = Text()
        line.append(ref.plate, style="bold")
        line.append("  " + _("roof {roof}").format(roof=ref.roof_number))
        line.append("  → " + (ref.advisor or _("anyone")), style="bold green")
        if ref.timeliness is not None and ref.timeliness_minutes is not None:
            line.append("  " + _("appointment matched: {t}").format(
                t=timeliness_text(ref.timeliness, ref.timeliness_minutes)))
        self._hint(line)
        self.notify(line.plain, title=_("Registered"), timeout=4)
        self._chosen = None
        self.query_one(VehicleSearch).clear()
        self.query_one("#roof_number", Input).value = ""
        self.query_one("#key_tag", Input).value = ""
        self.query_one("#purpose", Select).clear()
        self.query_one(VehicleSearch).input.focus()
        self.action_refresh()

    def _register_refused(self, error: FrontdeskError) -> None:
        self._hint(Text(getattr(error, "message", str(error)), style="bold red"))
        self.show_error(error)

    def action_find(self) -> None:
        self.query_one(VehicleSearch).focus_box()

    # The queue's keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs = {"take_next": "arrival.take", "assign": "arrival.assign", "register": "arrival.register",
                 "left": "arrival.register"}.get(action)
        if needs is not None and not allowed(self.actor.role, needs):
            if action == "take_next" and self.actor.role == Role.RECEPTIONIST:
                return False  # the receptionist never takes a customer: not in the footer at all
            return None
        if action in ("assign", "left") and self.selected is None:
            return None
        if action == "back":  # the receptionist's home: Esc would pop it and leave a blank terminal
            return self.app.screen_stack.index(self) > 1 if self in self.app.screen_stack else False
        return True

    def why_not(self, action: str) -> str | None:
        needs = {"take_next": "arrival.take", "assign": "arrival.assign", "register": "arrival.register",
                 "left": "arrival.register"}.get(action)
        if needs is not None and not allowed(self.actor.role, needs):
            return {"take_next": _("Advisors take the customers; the receptionist registers them."),
                    "assign": _("The desk lead (supervisor or service manager) gives customers to advisors.")}.get(
                action, _("Your role cannot do this."))
        return _("Nobody is waiting.")

    @on(DataTable.RowSelected, "#queue")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        r = self.selected
        if r is not None and allowed(self.actor.role, "arrival.take"):
            self.call_service(reception.take_next, self.services, self.actor, r.arrival_id, r.version,
                              then=self._taken, failed=self.refused)

    def action_take_next(self) -> None:
        self.call_service(reception.take_next, self.services, self.actor, then=self._taken, failed=self.refused)

    def _taken(self, taken: TakenArrival) -> None:
        self.notify(_("{plate}: the check-in opens (roof {roof}).").format(plate=taken.plate, roof=taken.roof_number),
                    timeout=4)
        self.fd.open_destination("checkin", arrival=taken)

    def action_assign(self) -> None:
        r, view = self.selected, self.view
        if r is None or view is None:
            return
        if not view.advisors:
            self.notify(_("No advisor is on duty."), severity="warning")
            return

        def picked(advisor_id: int | None) -> None:
            if advisor_id is not None and advisor_id != r.advisor_id:
                self.call_service(reception.assign, self.services, self.actor, r.arrival_id, advisor_id, r.version,
                                  then=lambda ref: (self.notify(_("{plate} → {name}").format(
                                      plate=ref.plate, name=ref.advisor), timeout=4), self.action_refresh()),
                                  failed=self.refused)

        self.app.push_screen(AdvisorPicker(r.plate, view.advisors, r.advisor_id), picked)

    def action_left(self) -> None:
        """L: off the queue for good (counted in the figures as left unserved), so it is asked first."""
        r = self.selected
        if r is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(reception.mark_left, self.services, self.actor, r.arrival_id, r.version,
                                  then=lambda ref: (self.notify(_("{plate} left without being served.").format(
                                      plate=ref.plate), timeout=4), self.action_refresh()),
                                  failed=self.refused)

        self.app.push_screen(ConfirmScreen(
            _("Left without being served"),
            _("{plate} (roof {roof}, waiting {n} min) leaves the queue.").format(
                plate=r.plate, roof=r.roof_number or "-", n=self._minutes(r))), answered)

    def _minutes(self, r: QueueRow) -> int:
        return max(0, int((self.services.clock() - r.arrived_at).total_seconds() // 60))
