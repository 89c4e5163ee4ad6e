"""Recall and service campaigns (召回 / 服务活动): each campaign's progress, its cars, the call list.

The upper list has one row per campaign the maker sent (``frontdesk import campaigns``):
cars listed, done here, open, and open cars in the house now. Enter lists the campaign's
cars below (open first, with the owner where the store knows the car); ``L`` shows only the
call list — open cars the store knows, not in the house and with no booking — and ``X`` / ``C``
write it to Excel / CSV in the paperwork folder (names and phones: audited). On a car,
``E`` closes its campaign as done elsewhere and ``N`` as not applicable, with the reason.
Done here needs no key: the delivery of the order that carried it records it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import REFRESH, back, binding
from frontdesk.services import campaigns
from frontdesk.services.campaigns import CallListRow, CampaignCar, CampaignProgress
from frontdesk.services.permissions import allowed
from frontdesk.widgets.field import dialog_field
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import clip, fixed_columns

from .decision import RecordDialog
from .list_detail import ListDetailScreen, ListLayout

RECALL_STYLE = "bold white on red"


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return msgid


OUTCOME = {"open": N_("Open"), "done_here": N_("Done here"), "done_elsewhere": N_("Done elsewhere"),
           "not_applicable": N_("Not applicable")}


def kind_mark(kind: str) -> Text:
    """召回 in red (a safety defect), 服务 plain."""
    return Text(_("Recall"), style=RECALL_STYLE) if kind == "recall" else Text(_("Service"))


class CloseCampaignDialog(RecordDialog):
    """Done elsewhere / not applicable: ``save(reason)``; the reason is required when not applicable."""

    CSS_PATH = "../assets/styles/dialog.tcss"
    AUTO_FOCUS = "#reason"
    FIELDS = ("reason",)

    def __init__(self, *, title: str, summary: str, required: bool, save: Callable[[str], Any]) -> None:
        super().__init__(save)
        self._title, self._summary, self._required = title, summary, required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._summary, classes="dialog-summary")
            yield from dialog_field("reason", _("Reason"), max_length=200,
                                    placeholder=_("e.g. scrapped, sold abroad, not this variant")
                                    if self._required else _("e.g. done by another dealer"))
            yield Static(_("F6 or Enter: close it for this car · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def entered(self) -> str | None:
        reason = self.query_one("#reason", Input).value.strip()
        if self._required and not reason:
            self._error("reason", _("Say why the campaign does not apply to this car."))
            return None
        return reason


class CampaignsScreen(ListDetailScreen):
    """``CampaignsScreen()``: the campaigns' progress; Enter lists a campaign's cars."""

    CSS_PATH = "../assets/styles/campaigns.tcss"
    LAYOUT = ListLayout(("cp-campaigns", "cp-cars"), head="cp-head", detail="cp-detail",
                        detail_of=("cp-campaigns", "cp-cars"))

    BINDINGS = [
        binding("enter", "cars", "Its cars", key_display="Enter", tooltip="List the highlighted campaign's cars"),
        binding("e", "close('done_elsewhere')", "Done elsewhere", tooltip="Close the car's campaign: another dealer did it"),
        binding("n", "close('not_applicable')", "Not applicable", tooltip="Close the car's campaign as not applicable, with the reason"),
        binding("l", "calls", "Call list", tooltip="Only the open cars to call in: known, not here, not booked (again: all cars)"),
        binding("x", "export('xlsx')", "Excel", tooltip="Write the call list to Excel in the paperwork folder"),
        binding("c", "export('csv')", "CSV", tooltip="Write the call list to CSV in the paperwork folder"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the campaigns again"),
        binding("tab", "next_list(1)", "Next list", show=False),
        binding("shift+tab", "next_list(-1)", "Previous list", show=False),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._progress: list[CampaignProgress] = []
        self._campaign: CampaignProgress | None = None  # whose cars the lower list shows
        self._calls = False  # the lower list is the call list

    def on_mount(self) -> None:
        fixed_columns(self.table("cp-campaigns"),
                      (_("Kind"), 7), (_("Code"), 10), (_("Campaign"), 16), (_("Listed"), 5), (_("Done"), 5),
                      (_("Open"), 5), (_("Here now"), 5), (_("Ends"), 10))
        fixed_columns(self.table("cp-cars"),
                      (_("Status"), 8), (_("Plate"), 9), (_("VIN"), 17), (_("Customer"), 8), (_("Phone"), 11),
                      (_("Order / reason"), 16))
        self.table("cp-cars").border_title = _("Campaign cars")
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # Reading ------------------------------------------------------------------------------------

    def load(self, services: Any, actor: Any) -> list[CampaignProgress]:
        return campaigns.progress(services, actor)

    def show(self, data: list[CampaignProgress]) -> None:
        self._progress = data
        table = self.fill("cp-campaigns", [(f"c{p.campaign_id}", p, self._row(p)) for p in data])
        table.border_title = _("Campaigns ({n})").format(n=len(data))
        head = Text()
        if not data:
            head.append(_("No campaigns yet: frontdesk import campaigns FILE loads the maker's list."), style="dim")
        else:
            open_cars = sum(p.open for p in data)
            here = sum(p.in_house for p in data)
            head.append(_("{n} open campaign cars · {here} in the house now").format(n=open_cars, here=here),
                        style="bold")
            head.append("   " + _("Enter: its cars · L: call list"), style="dim")
        self.show_head(head)
        if self._campaign is not None:
            self._campaign = next((p for p in data if p.campaign_id == self._campaign.campaign_id), None)
            self._read_cars()
        self.show_detail()

    @staticmethod
    def _row(p: CampaignProgress) -> tuple[Any, ...]:
        here = Text(str(p.in_house), justify="right", style="bold yellow" if p.in_house else "")
        return (kind_mark(p.kind), p.code, clip(p.title, 16), Text(str(p.listed), justify="right"),
                Text(str(p.done), justify="right"), Text(str(p.open), justify="right"), here,
                p.ends.isoformat() if p.ends else "—")

    def _read_cars(self) -> None:
        chosen = self._campaign
        if chosen is None:
            self.fill("cp-cars", [])
            return
        fn = campaigns.call_list if self._calls else campaigns.campaign_cars
        self.call_service(fn, self.services, self.actor, chosen.campaign_id, then=self._show_cars,
                          group="campaign-cars")

    def _show_cars(self, cars: list[CampaignCar] | list[CallListRow]) -> None:
        chosen = self._campaign
        if chosen is None:
            return
        rows = []
        for car in cars:
            if isinstance(car, CallListRow):
                cells = (Text(_("Call"), style="bold"), car.plate, car.vin, clip(car.customer_name, 8), car.phone,
                         clip(car.model, 16))
            else:
                style = "bold" if car.status == "open" else "dim"
                cells = (Text(_(OUTCOME[car.status]), style=style), car.plate or "—", car.vin,
                         clip(car.customer_name, 8), car.phone, clip(car.order_number or car.reason, 16))
            rows.append((f"v{car.campaign_vehicle_id}", car, cells))
        table = self.fill("cp-cars", rows)
        title = _("Call list · {code} ({n})") if self._calls else _("Cars · {code} ({n})")
        table.border_title = title.format(code=chosen.code, n=len(rows))
        self.show_detail()

    # The pane -----------------------------------------------------------------------------------

    def detail(self, item: Any) -> Text:
        text = Text()
        if isinstance(item, CampaignProgress):
            text.append(f"{item.code} {item.title}", style="bold")
            dates = f"{item.starts.isoformat() if item.starts else '…'} – {item.ends.isoformat() if item.ends else '…'}"
            text.append(f"  {dates}\n")
            text.append(_("{listed} cars: {done} done here, {elsewhere} elsewhere, {na} not applicable, {open} open "
                          "({pct}% closed)").format(listed=item.listed, done=item.done, elsewhere=item.done_elsewhere,
                                                     na=item.not_applicable, open=item.open,
                                                     pct=f"{item.completion * 100:.0f}"), style="dim")
            return text
        if isinstance(item, CallListRow):
            text.append(_("Call {name} {phone}").format(name=item.customer_name, phone=item.phone), style="bold")
            text.append(f"  {item.plate} {item.model}  {item.vin}")
            return text
        car: CampaignCar = item
        text.append(f"{car.vin}  {car.plate}  {car.customer_name} {car.phone}", style="bold")
        text.append("\n")
        if car.status == "open":
            text.append(_("Open: E done elsewhere · N not applicable") if not car.order_number else
                        _("On order {number}: done when it is delivered").format(number=car.order_number), style="dim")
        else:
            when = car.closed_at.strftime("%Y-%m-%d") if car.closed_at else ""
            text.append(f"{_(OUTCOME[car.status])} {when} {car.order_number} {car.reason}".rstrip(), style="dim")
        return text

    # Keys ---------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return allowed(self.actor.role, "campaign.close")
        if action == "export":
            return allowed(self.actor.role, "campaign.export")
        return True

    def action_cars(self) -> None:
        """Enter: on a campaign, list its cars below; on a car, say how to close it."""
        item = self.highlighted()
        if isinstance(item, CampaignProgress):
            self._campaign = item
            self._calls = False
            self._read_cars()
            self.table("cp-cars").focus()
            return
        if item is None:
            self.notify(_("No campaign selected."), severity="warning")
            return
        self.show_detail()
        self.notify(_("E: done elsewhere · N: not applicable."), timeout=4)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_cars()

    def action_calls(self) -> None:
        chosen = self._campaign or (self.selected_in("cp-campaigns"))
        if not isinstance(chosen, CampaignProgress):
            self.notify(_("No campaign selected."), severity="warning")
            return
        self._campaign = chosen
        self._calls = not self._calls
        self._read_cars()

    def action_close(self, outcome: str) -> None:
        car = self.selected_in("cp-cars")
        if not isinstance(car, CampaignCar):
            self.notify(_("Pick a car in the list of a campaign's cars first (Enter on a campaign)."),
                        severity="warning")
            return
        if car.status != "open":
            self.notify(_("This car's campaign is closed already."), severity="warning")
            return
        chosen = self._campaign
        code = chosen.code if chosen else ""

        def save(reason: str) -> int:
            return campaigns.close(self.services, self.actor, car.campaign_vehicle_id, outcome, reason,
                                   expected_version=car.version)

        title = (_("Done elsewhere · {code} · {vin}") if outcome == "done_elsewhere"
                 else _("Not applicable · {code} · {vin}")).format(code=code, vin=car.vin)
        self.app.push_screen(CloseCampaignDialog(
            title=title, summary=f"{car.plate} {car.customer_name} {car.phone}".strip(),
            required=outcome == "not_applicable", save=save), self._after_close)

    def _after_close(self, outcome: Any) -> None:
        if outcome is None:
            return
        if isinstance(outcome, Exception):
            self.notify(str(outcome), title=_("Not saved"), severity="error", timeout=8)
        else:
            self.notify(_("Closed for this car."), timeout=4)
        self.action_refresh()

    def action_export(self, fmt: str) -> None:
        chosen = self._campaign or self.selected_in("cp-campaigns")
        if not isinstance(chosen, CampaignProgress):
            self.notify(_("No campaign selected."), severity="warning")
            return
        stem = re.sub(r"[^\w.-]", "_", chosen.code)  # a maker's code may hold a slash
        path = self.services.settings.resolved_pdf_dir() / f"campaign_{stem}_calls.{fmt}"
        self.call_service(campaigns.export_call_list, self.services, self.actor, chosen.campaign_id, path,
                          then=self._exported)

    def _exported(self, done: Any) -> None:
        self.notify(_("Call list saved ({n} cars): {path}").format(n=done.rows, path=done.path), title=_("Exported"),
                    timeout=10)
