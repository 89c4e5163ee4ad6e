"""Service reminders (保养提醒): cars whose next service is due soon, by date or by mileage, to call.

The list (soonest due first) shows why each car is on it: the next service date and how
many days are left, or the next service mileage and how far today's estimated reading is
from it (the estimate runs on the car's own kilometres a day from its visits; see
services/aftercare_views.py). Under it the selected car: the customer's phone, the last
visit and reading, the pace, what the last reminder call found, and what the car still
needs from its visits — the recommendations not taken up (services/recommendations.py),
to offer on the call and book with the service.

+ / - widen or narrow the window by a week, ] / [ by 500 km. Enter or F4 records the call
(screens/aftercare_modals.ReminderCallDialog): a reached car leaves the list for two weeks
(or for good once it is booked in); one not reached stays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, REFRESH, back, binding
from frontdesk.labels import REMINDER_RESULT, label
from frontdesk.services import aftercare, aftercare_views
from frontdesk.services.aftercare_views import ReminderItem, RemindersList
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import clip, fixed_columns

from .aftercare_modals import ReminderCallDialog, ReminderEntry
from .list_detail import ListDetailScreen, ListLayout

DAY_STEP = 7
KM_STEP = 500
MAX_DAYS = 180
MAX_KM = 10_000
NAME_CELLS = 10
OVER_STYLE = "bold white on red"


def km_text(km: int | None) -> str:
    return "—" if km is None else f"{km:,}"


def why(item: ReminderItem) -> Text:
    """"in 20 d" / "5 d over" by date, "500 km to go" / "300 km over" by mileage."""
    text = Text()
    if item.by_date and item.days_left is not None:
        if item.days_left < 0:
            text.append(_("{n} d over").format(n=-item.days_left), style=OVER_STYLE)
        else:
            text.append(_("in {n} d").format(n=item.days_left))
    if item.by_km and item.km_left is not None:
        if text:
            text.append(" · ")
        if item.km_left < 0:
            text.append(_("{km} km over").format(km=km_text(-item.km_left)), style=OVER_STYLE)
        else:
            text.append(_("{km} km to go").format(km=km_text(item.km_left)))
    return text


def recommended_text(item: ReminderItem) -> str:
    """What the car still needs from its visits: offered on the call, booked with the service."""
    return _("Still recommended (offer it): {items}").format(items="; ".join(item.recommended))


def last_call(item: ReminderItem, today: dt.date) -> Text:
    if item.last_call_at is None:
        return Text("—", style="dim")
    when = item.last_call_at.strftime("%m-%d")
    return Text(f"{when} {label(REMINDER_RESULT, item.last_call_result)}",
                style="yellow" if item.last_call_reached is False else "")


class RemindersScreen(ListDetailScreen):
    """``RemindersScreen(days=30, km=1000)``: cars due for their next service, for reminder calls."""

    CSS_PATH = "../assets/styles/reminders.tcss"
    LAYOUT = ListLayout(("reminders",), head="rm-head", detail="rm-detail")

    BINDINGS = [
        binding(EDIT, "record", "Record call", tooltip="Record what came of the reminder call to the selected car"),
        binding("plus", "days(1)", "Days", key_display="+/-", tooltip="A week more (+) or less (-) ahead"),
        binding("minus", "days(-1)", "Fewer days", show=False),
        binding("right_square_bracket", "km(1)", "Km", key_display="]/[", tooltip="500 km more (]) or less ([)"),
        binding("left_square_bracket", "km(-1)", "Fewer km", show=False),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the list again"),
        back(),
    ]

    def __init__(self, days: int = aftercare_views.DEFAULT_REMINDER_DAYS,
                 km: int = aftercare_views.DEFAULT_REMINDER_KM) -> None:
        super().__init__()
        self.days = days
        self.km = km
        self._list: RemindersList | None = None

    def loading_text(self) -> str:
        return ""  # the window the list is read for is said at once, before the list arrives

    def on_mount(self) -> None:
        fixed_columns(self.table("reminders"),
                      (_("Due on"), 5), (_("Plate"), 9), (_("Customer"), NAME_CELLS), (_("Phone"), 11),
                      (_("Why"), 14), (_("Next service"), 16), (_("Est. km"), 7), (_("Last visit"), 10),
                      (_("Last call"), 18))
        self._show_head()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            return allowed(self.actor.role, "reminder.record")
        return True

    # Reading ----------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(aftercare_views.reminders, self.services, self.actor, self.days, self.km, then=self._show,
                          group="reminders-read")

    def action_days(self, step: int) -> None:
        self.days = max(0, min(MAX_DAYS, self.days + step * DAY_STEP))
        self._show_head()
        self.action_refresh()

    def action_km(self, step: int) -> None:
        self.km = max(0, min(MAX_KM, self.km + step * KM_STEP))
        self._show_head()
        self.action_refresh()

    def _show(self, found: RemindersList) -> None:
        if (found.days, found.km) != (self.days, self.km):
            return  # an older read, overtaken by a key press
        self._list = found
        today = found.taken_at.date()
        table = self.fill("reminders", [(f"v{i.vehicle_id}", i, self._cells(i, today)) for i in found.items])
        table.border_title = _("Cars to remind ({n})").format(n=len(found.items))
        self._show_head()
        self.show_detail()

    def _cells(self, i: ReminderItem, today: dt.date) -> tuple[Any, ...]:
        due = Text(i.due_on.strftime("%m-%d"), style=OVER_STYLE if i.due_on < today else "bold")
        next_service = f"{i.next_service_date.strftime('%y-%m-%d') if i.next_service_date else '—'} {km_text(i.next_service_km)}"
        return (due, Text(i.plate, style="bold"), clip(i.customer_name, NAME_CELLS), i.phone, why(i), next_service,
                Text(km_text(i.estimated_km), justify="right"), i.last_visit.strftime("%y-%m-%d"), last_call(i, today))

    def _show_head(self) -> None:
        head = Text()
        head.append(_("Next service within {days} days or {km} km").format(days=self.days, km=km_text(self.km)),
                    style="bold")
        head.append("   " + _("+/- a week · ]/[ 500 km"), style="dim")
        self.show_head(head)

    @property
    def selected(self) -> ReminderItem | None:
        return self.selected_in("reminders")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_record()

    def detail(self, i: ReminderItem) -> Text:
        text = Text()
        text.append(_("Call {name} {phone}").format(name=i.customer_name, phone=i.phone), style="bold")
        text.append(f"  {i.plate} {i.model}")
        text.append("\n")
        pace = {"readings": _("from its visits"), "sale": _("since the sale"), "default": _("usual pace")}[i.pace_source]
        text.append(_("Last visit {date} at {km} km; about {per_day} km a day ({pace}): about {now} km today").format(
            date=i.last_visit.strftime("%Y-%m-%d"), km=km_text(i.last_odometer_km), per_day=i.km_per_day, pace=pace,
            now=km_text(i.estimated_km)), style="dim")
        text.append("\n")
        if i.last_call_at is None:
            text.append(_("Not called yet."), style="dim")
        else:
            text.append(_("Last call {time}: {result}").format(time=i.last_call_at.strftime("%m-%d %H:%M"),
                                                               result=label(REMINDER_RESULT, i.last_call_result)))
            if i.last_call_notes:
                text.append(" · " + i.last_call_notes)
        if i.recommended:
            text.append("\n")
            text.append(recommended_text(i), style="bold")
        return text

    # Recording ----------------------------------------------------------------------------------

    def action_record(self) -> None:
        item = self.selected
        if item is None:
            self.notify(_("No car selected."), severity="warning")
            return
        if not allowed(self.actor.role, "reminder.record"):
            self.notify(_("Your role cannot record reminder calls."), severity="warning")
            return

        def save(entry: ReminderEntry) -> ReminderEntry:
            aftercare.record_reminder_call(self.services, self.actor, item.vehicle_id, entry.reached, entry.result,
                                           entry.notes)
            return entry

        summary = _("{plate} {model} · next service {date} / {km} km · about {now} km today").format(
            plate=item.plate, model=item.model,
            date=item.next_service_date.strftime("%Y-%m-%d") if item.next_service_date else "—",
            km=km_text(item.next_service_km), now=km_text(item.estimated_km))
        if item.recommended:
            summary += "\n" + recommended_text(item)
        self.app.push_screen(ReminderCallDialog(
            title=_("Reminder call · {name} {phone}").format(name=item.customer_name, phone=item.phone),
            summary=summary, save=save), self._recorded)

    def _recorded(self, outcome: ReminderEntry | Exception | None) -> None:
        if outcome is None:
            return
        if isinstance(outcome, ReminderEntry):
            if outcome.reached:
                message = _("Recorded: {result}. The car leaves the list for {n} days.").format(
                    result=label(REMINDER_RESULT, outcome.result), n=aftercare.REMINDER_QUIET_DAYS)
            else:
                message = _("Recorded: {result}. The car stays on the list.").format(
                    result=label(REMINDER_RESULT, outcome.result))
            self.notify(message, timeout=6)
        else:
            self.notify(str(outcome), title=_("Not saved"), severity="error", timeout=8)
        self.action_refresh()
