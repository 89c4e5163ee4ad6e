"""The reminder calls the day before (预约提醒): tomorrow's appointments, to confirm with each customer.

Like the follow-up calls (screens/follow_ups.py): the upper list holds tomorrow's
appointments not reached yet — never called, or called without an answer (those stay and
are tried again; the tries are counted) — the lower one those confirmed or moved here. ]
and [ show another day's. On the selected call, one key records what came of it, each one
service call (services/capacity.py ``record_reminder``, audited):

- ``C`` confirmed: the customer is coming;
- ``M`` moved: a dialog takes the new day and time (+/- by half an hour); over capacity the
  refusal names the nearest free band and the desk lead may let it in with their password;
- ``X`` cancelled (asked once more);
- ``N`` no answer: the appointment stays in the list, to be tried again.

A car with an open recall or service campaign is marked: the call is the moment to say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text

from frontdesk.i18n import gettext as _
from frontdesk.keys import binding
from frontdesk.model.order import ReminderOutcome
from frontdesk.services import capacity
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.capacity import CapacityError, ReminderItem, ReminderQueue
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.permissions import allowed
from frontdesk.services.refs import AppointmentRef
from frontdesk.widgets.list_table import clip, fixed_columns

from .base import LiveScreen
from .capacity_dialogs import LeadOverrideDialog, MoveDialog
from .confirm import ConfirmScreen
from .list_detail import ListDetailScreen, ListLayout, list_keys

NAME_CELLS = 10
DAYS_AHEAD = 14
CAMPAIGN_MARK_STYLE = "bold white on red"


def outcome_label(outcome: ReminderOutcome | None) -> str:
    if outcome is None:
        return "—"
    return {ReminderOutcome.CONFIRMED: _("Confirmed"), ReminderOutcome.MOVED: _("Moved"),
            ReminderOutcome.CANCELLED: _("Cancelled"), ReminderOutcome.NO_ANSWER: _("No answer")}[outcome]


class AppointmentCallsScreen(LiveScreen, ListDetailScreen):
    """``AppointmentCallsScreen()``: tomorrow's appointments to confirm by phone."""

    CSS_PATH = "../assets/styles/appointment_calls.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    LAYOUT = ListLayout(("to-call", "called"), head="ac-head", detail="ac-detail", list_class="ac-list",
                        detail_of=("to-call", "called"))

    BINDINGS = [
        binding("c", "outcome('confirmed')", "Confirmed", tooltip="The customer confirmed the appointment"),
        binding("m", "move", "Moved", tooltip="The customer asked for another time: pick the new day and time"),
        binding("n", "outcome('no_answer')", "No answer",
                tooltip="Nobody answered: the appointment stays in the list to be tried again"),
        binding("x", "cancel", "Cancelled", tooltip="The customer cancelled the appointment"),
        binding("right_square_bracket", "day(1)", "Next day", key_display="]",
                tooltip="The appointments of the next day"),
        binding("left_square_bracket", "day(-1)", "Previous day", key_display="[",
                tooltip="The appointments of the day before (tomorrow at the earliest)"),
        *list_keys("Read the list again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._queue: ReminderQueue | None = None
        self._ahead = 1  # days after today the lists show: tomorrow's first
        self._last_when: dt.datetime | None = None  # the new time of the move on its way (for the override)

    def loading_text(self) -> str:
        return _("Loading the calls…")

    def on_mount(self) -> None:
        columns = ((_("Time"), 5), (_("Plate"), 11), (_("Customer"), NAME_CELLS), (_("Phone"), 11),
                   (_("Tries"), 5), (_("Last call"), 11), (_("Requested work"), 16), (_("Advisor"), 10))
        fixed_columns(self.table("to-call"), *columns)
        fixed_columns(self.table("called"), *columns)
        self._titles()
        self.follow_store()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("outcome", "move", "cancel"):
            return allowed(self.actor.role, "appointment.remind")
        return True

    # Reading -----------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> ReminderQueue:
        return capacity.reminder_queue(services, actor, services.clock().date() + dt.timedelta(days=self._ahead))

    def show(self, queue: ReminderQueue) -> None:
        if queue.day != queue.taken_at.date() + dt.timedelta(days=self._ahead):
            self.action_refresh()  # read before the day moved on
            return
        self._queue = queue
        self.fill("to-call", [(f"a{i.id}", i, self._cells(i, queue.taken_at.date())) for i in queue.to_call])
        self.fill("called", [(f"a{i.id}", i, self._cells(i, queue.taken_at.date())) for i in queue.done])
        self._titles()
        self._show_head()
        self.show_detail()

    def _cells(self, i: ReminderItem, today: dt.date) -> tuple[Any, ...]:
        plate = Text(i.plate or i.model, style="bold")
        if i.campaign:
            plate = Text.assemble((_("R"), CAMPAIGN_MARK_STYLE), " ", plate)
        last = "—" if i.last_at is None else f"{i.last_at:%m-%d %H:%M}"
        work = i.requested_work.splitlines()[0] if i.requested_work else ""
        return (Text(f"{i.scheduled_at:%H:%M}", style="bold"), plate, clip(i.customer_name, NAME_CELLS), i.phone,
                Text(str(i.tries), justify="right"), Text(last, style="yellow" if i.last_outcome == ReminderOutcome.NO_ANSWER else ""),
                clip(work, 16), clip(i.advisor, 10))

    def _titles(self) -> None:
        q = self._queue
        day = q.day if q else None
        name = f"{day.isoformat()} {weekday(day)}" if day else ""
        self.table("to-call").border_title = _("To call about {day} ({n})").format(
            day=name, n=len(q.to_call) if q else 0)
        self.table("called").border_title = _("Confirmed or moved ({n})").format(n=len(q.done) if q else 0)

    def _show_head(self) -> None:
        q = self._queue
        assert q is not None
        head = Text()
        if q.to_call:
            head.append(_("Calls to make: {n}").format(n=len(q.to_call)), style="bold")
        else:
            head.append(_("No calls left for this day."), style="dim")
        flagged = sum(1 for i in q.to_call + q.done if i.campaign)
        if flagged:
            head.append("  ")
            head.append(_("Open campaign: {n}").format(n=flagged), style="bold red")
        head.append("   " + _("C confirmed · M moved · X cancelled · N no answer"), style="dim")
        self.show_head(head)

    @property
    def selected(self) -> ReminderItem | None:
        return self.highlighted()

    def detail(self, i: ReminderItem) -> Text:
        text = Text()
        text.append(_("Call {name} {phone}").format(name=i.customer_name, phone=i.phone), style="bold")
        text.append(f"  {i.plate} {i.model}")
        text.append("\n")
        text.append(_("Booked {time} with {advisor}: {work}").format(
            time=i.scheduled_at.strftime("%m-%d %H:%M"), advisor=i.advisor or "—",
            work=i.requested_work.strip() or "—"), style="dim")
        text.append("\n")
        if i.tries:
            text.append(_("Tried {n} times, last {time}: {outcome}").format(
                n=i.tries, time=i.last_at.strftime("%m-%d %H:%M") if i.last_at else "—",
                outcome=outcome_label(i.last_outcome)))
        else:
            text.append(_("Not called yet."), style="dim")
        if i.campaign:
            text.append("  ")
            text.append(_("Open recall or service campaign: tell the customer."), style="bold red")
        return text

    # Another day ------------------------------------------------------------------------------------

    def action_day(self, step: int) -> None:
        ahead = max(1, min(DAYS_AHEAD, self._ahead + step))
        if ahead != self._ahead:
            self._ahead = ahead
            self.action_refresh()

    # Recording ----------------------------------------------------------------------------------------

    def _pick(self) -> ReminderItem | None:
        item = self.selected
        if item is None:
            self.notify(_("Pick an appointment in the list first."), severity="warning")
        return item

    def action_outcome(self, outcome: str) -> None:
        item = self._pick()
        if item is None:
            return
        self.call_service(capacity.record_reminder, self.services, self.actor, item.id, outcome,
                          expected_version=item.version, then=lambda _ref: self._recorded(item, outcome),
                          failed=self.refused)

    def action_cancel(self) -> None:
        item = self._pick()
        if item is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_outcome(ReminderOutcome.CANCELLED.value)

        self.app.push_screen(ConfirmScreen(
            _("Cancel the appointment?"), _("{plate} {name}, {time}: the slot is freed for another customer.").format(
                plate=_car(item), name=item.customer_name, time=item.scheduled_at.strftime("%m-%d %H:%M")),
            yes=_("Cancel it"), no=_("Keep it")), answered)

    def action_move(self) -> None:
        item = self._pick()
        if item is None:
            return

        def save(when: dt.datetime, override: ManagerApproval | None = None) -> AppointmentRef:
            return capacity.record_reminder(self.services, self.actor, item.id, ReminderOutcome.MOVED.value,
                                            scheduled_at=when, override_by=override, expected_version=item.version)

        def moved(result: AppointmentRef | FrontdeskError | None) -> None:
            if isinstance(result, CapacityError):
                self._offer_override(item, result, save)
            elif isinstance(result, FrontdeskError):
                self.refused(result)
            elif result is not None:
                self.notify(_("Moved: {plate} to {time}.").format(
                    plate=_car(item), time=result.scheduled_at.strftime("%m-%d %H:%M")))
                self.action_refresh()

        self._last_when = None

        def remembered(when: dt.datetime) -> AppointmentRef:
            self._last_when = when
            return save(when)

        self.app.push_screen(MoveDialog(
            title=_("Move · {plate} · {name}").format(plate=item.plate or item.model, name=item.customer_name),
            current=item.scheduled_at, now=self.services.clock(), save=remembered), moved)

    def _offer_override(self, item: ReminderItem, error: CapacityError, save: Any) -> None:
        when = self._last_when
        if when is None:
            self.refused(error)
            return

        def approved(approval: ManagerApproval, _reason: str) -> AppointmentRef:
            return save(when, approval)

        def done(result: object) -> None:
            if isinstance(result, FrontdeskError):
                self.refused(result)
            elif result is not None:
                self.notify(_("Moved over capacity with the lead's approval: {plate} to {time}.").format(
                    plate=_car(item), time=when.strftime("%m-%d %H:%M")))
                self.action_refresh()

        self.app.push_screen(LeadOverrideDialog(
            title=_("Over capacity: the lead's override"), summary=error.message, save=approved), done)

    def _recorded(self, item: ReminderItem, outcome: str) -> None:
        message = {
            ReminderOutcome.CONFIRMED.value: _("Confirmed: {plate}, {time}."),
            ReminderOutcome.CANCELLED.value: _("Cancelled: {plate}, {time}."),
            ReminderOutcome.NO_ANSWER.value: _(
                "No answer: {plate} (booked {time}) stays in the list to be tried again."),
        }[outcome]
        self.notify(message.format(plate=_car(item), time=item.scheduled_at.strftime("%m-%d %H:%M")))
        self.action_refresh()


def _car(item: ReminderItem) -> str:
    """A first-time caller's car is booked by its model, without a plate: the messages name it so."""
    return item.plate or item.model


def weekday(day: dt.date) -> str:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))[day.weekday()]
