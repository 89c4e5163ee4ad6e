"""The delivery checklist (交车): the internal check, then the walkthrough with the customer.

Two lists on one screen, the internal check (内部交车) on top and the customer walkthrough
under it. A digit ticks that item of the list in use (up to 6 internal, up to 9 walkthrough;
the number stands in front of every item), Enter ticks the highlighted one, Tab moves to the
other list. Who ticked an item and when is shown beside it; what is still to do is listed
in plain words under the lists. An item cannot be unticked here: the tick is a record of
who checked what. The lists are this car's (services/delivery.checklist): what the walkaround
found in the car is named in its item (行车记录仪 — still in the car), the old parts are
bagged and shown only when the customer takes them, the wash items only when the customer
wanted the wash; the old-parts choice and a declined wash stand under the internal list.

R goes through the visit's recommendations with the customer (whoever found them: the
technician, the team leader, QC, the advisor): taken up now (a job: the car goes back to the
workshop), booked for another day, or declined (a safety item acknowledged by the customer);
N records one more. What is still open is listed under the jobs.

F9 delivers: the service refuses while anything is missing and says what (shown as it
says it), and on success the settlement opens in this screen's place. For an order already
delivered the screen is a record and F9 opens the settlement. The jobs and their final QC
are listed when the terminal is tall enough.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import REFRESH, SIGN, back, binding
from frontdesk.labels import OLD_PARTS, PAY_TYPE, label, status
from frontdesk.model.enums import DeliveryStage, OrderStatus
from frontdesk.services import cashier_views, delivery
from frontdesk.services.cashier_views import ChecklistItem, DeliveryView
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns

from .base import DeskScreen
from .recommendation_dialogs import RecommendationsDialog, open_recommend

LISTS = ("internal", "walkthrough")
STAGE_OF = {"internal": DeliveryStage.INTERNAL, "walkthrough": DeliveryStage.WALKTHROUGH}
ITEM_CELLS = 40
DONE_STYLE = "bold green"
MISSING_STYLE = "bold yellow"


def when(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return ""
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


def tick(services: Services, actor: Actor, order_id: int, stage: DeliveryStage, codes: list[str]) -> DeliveryView:
    """Tick the items (one transaction per item, so one refused item keeps the others), then read again."""
    fn = delivery.tick_internal if stage == DeliveryStage.INTERNAL else delivery.tick_walkthrough
    error: FrontdeskError | None = None
    for code in codes:
        try:
            fn(services, actor, order_id, code)
        except FrontdeskError as exc:
            error = exc
            break
    if error is not None:
        raise error
    return cashier_views.delivery_view(services, actor, order_id)


def deliver(services: Services, actor: Actor, order_id: int, version: int) -> int:
    delivery.deliver(services, actor, order_id, expected_version=version)
    return order_id


class DeliveryScreen(DeskScreen):
    """``DeliveryScreen(order_id)``: tick the checklist by keys, F9 delivers and opens the settlement."""

    CSS_PATH = "../assets/styles/delivery.tcss"
    AUTO_FOCUS = "#internal"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    BINDINGS = [
        binding("1", "tick(1)", "Tick item", key_display="1-9",
                tooltip="Tick that item of the list in use (the number is in front of it)"),
        *(binding(str(n), f"tick({n})", "Tick item", show=False) for n in range(2, 10)),
        binding("tab", "next_list(1)", "Other list", key_display="Tab",
                tooltip="Between the internal check and the walkthrough"),
        binding("shift+tab", "next_list(-1)", "Other list", show=False),
        binding(SIGN, "deliver", "Deliver", tooltip="Hand the car over: needs both lists complete; opens the settlement"),
        binding("r", "recommendations", "Recommendations",
                tooltip="Go through the recommendations with the customer: take up now, book, or declined"),
        binding("n", "recommend", "Recommend", show=False, tooltip="Record one more recommendation"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the checklist again"),
        back(),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.view: DeliveryView | None = None
        self._pending: list[tuple[DeliveryStage, str]] = []
        self._busy = False
        self._moved_on = False  # the screen moved to the walkthrough itself: a Tab that follows is already done

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading the checklist…"), id="dl-head")
        yield ListTable(id="internal", classes="dl-list")
        yield ListTable(id="walkthrough", classes="dl-list")
        yield Static("", id="dl-missing")
        yield Static("", id="checklist-error", classes="field-error")
        yield Static("", id="dl-jobs")
        yield KeyFooter()

    def on_mount(self) -> None:
        for name in LISTS:
            fixed_columns(self._table(name), ("#", 1), ("", 1), (_("Item"), ITEM_CELLS), (_("Ticked by"), 10),
                          (_("At"), 5))
            self._table(name).show_header = False  # number, tick, item, who, when: plain without titles
        self._table("internal").border_title = _("Internal delivery check")
        self._table("walkthrough").border_title = _("Walkthrough with the customer")
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # Reading ----------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(cashier_views.delivery_view, self.services, self.actor, self.order_id, then=self._show)

    def _show(self, view: DeliveryView) -> None:
        self.view = view
        today = self.services.clock().date()
        for name, items in (("internal", view.internal), ("walkthrough", view.walkthrough)):
            self._table(name).refill((item.code, self._cells(n, item, today)) for n, item in enumerate(items, 1))
        done_internal = len(view.internal) - len(view.missing_internal)
        done_walk = len(view.walkthrough) - len(view.missing_walkthrough)
        # What was agreed at the estimate, beside the list that depends on it (old parts, the free wash).
        agreed = [label(OLD_PARTS, view.old_parts)] + ([] if view.wash else [_("No wash (customer declined)")])
        self._table("internal").border_subtitle = " · ".join([*agreed, f"{done_internal}/{len(view.internal)}"])
        # What is still to put to the customer (R), where the walkthrough is done: seen at 80x24 too.
        open_recs = [_("R: {n} recommendations").format(n=len(view.declined))] if view.declined else []
        self._table("walkthrough").border_subtitle = " · ".join([*open_recs, f"{done_walk}/{len(view.walkthrough)}"])
        self._show_head(view)
        self._show_missing(view)
        self._show_jobs(view, today)

    def _cells(self, n: int, item: ChecklistItem, today: dt.date) -> tuple[Any, ...]:
        mark = Text("✓", style=DONE_STYLE) if item.ticked else Text("·", style="dim")
        # What the item verifies on this car, as recorded at check-in (行车记录仪; 备胎/随车工具).
        shown = _("{item}: {detail}").format(item=_(item.label), detail=item.detail) if item.detail else _(item.label)
        return (str(n), mark, Text(clip(shown, ITEM_CELLS), style="" if item.ticked else "bold"),
                clip(item.by, 10), when(item.at, today))

    def _show_head(self, v: DeliveryView) -> None:
        head = Text()
        head.append(v.plate, style="bold")
        head.append("  ")
        head.append(f" {status(v.status)} ", style="reverse")
        head.append(f"  {v.customer_name} {v.phone}  {v.model} {v.colour}  ")
        head.append(f"{v.number}  " + _("Advisor {name}").format(name=v.advisor), style="dim")
        if v.status == OrderStatus.IN_WORKSHOP:  # work taken up at delivery sent it back
            head.append("  " + _("Back in the workshop for the work taken up."), style="bold yellow")
        elif v.status != OrderStatus.READY:
            head.append("  " + _("Delivered: F9 opens the settlement."), style="bold")
        self.query_one("#dl-head", Static).update(head)

    def _show_missing(self, v: DeliveryView) -> None:
        missing = self.query_one("#dl-missing", Static)
        labels = v.missing_labels()
        if not labels:
            missing.update(Text(_("Both lists are complete: F9 delivers the car."), style=DONE_STYLE))
            return
        text = Text(_("Still to do ({n}):").format(n=len(labels)) + " ", style=MISSING_STYLE)
        text.append("; ".join(_(m) for m in labels))
        missing.update(text)

    def _show_jobs(self, v: DeliveryView, today: dt.date) -> None:
        text = Text()
        for n, j in enumerate(v.jobs):
            if n:
                text.append("\n")
            text.append("✓ " if j.qc_passed else "✗ ", style=DONE_STYLE if j.qc_passed else "bold red")
            text.append(f"{j.code} {j.description}  ")
            text.append(label(PAY_TYPE, j.pay_type), style="dim")
            if j.qc_passed:
                text.append("  " + _("QC passed by {name} {time}").format(name=j.qc_by or "—", time=when(j.qc_at, today)),
                            style="dim")
            else:
                text.append("  " + status(j.status), style="bold red")
            if j.rework_count:
                text.append("  " + _("rework {n}").format(n=j.rework_count), style="yellow")
        if v.declined:
            text.append("\n")
            text.append(_("Recommendations, R to go through them with the customer: {items}").format(
                items="; ".join(v.declined)), style="bold")
        self.query_one("#dl-jobs", Static).update(text)

    # Ticking ------------------------------------------------------------------------------------

    def _table(self, name: str) -> ListTable:
        return self.query_one(f"#{name}", ListTable)

    def _current_list(self) -> str:
        focused = self.focused.id if self.focused is not None else None
        return focused if focused in LISTS else "internal"

    def action_next_list(self, step: int) -> None:
        moved_on, self._moved_on = self._moved_on, False
        if moved_on and step == 1 and self._current_list() == "walkthrough":
            return  # typed to go on to the walkthrough, where the finished internal check already went
        at = LISTS.index(self._current_list())
        self._table(LISTS[(at + step) % len(LISTS)]).focus()

    def action_tick(self, n: int) -> None:
        v = self.view
        if v is None:
            return
        name = self._current_list()
        items = v.internal if name == "internal" else v.walkthrough
        if not 1 <= n <= len(items):
            self.notify(_("This list has {n} items.").format(n=len(items)), severity="warning")
            return
        self._table(name).move_cursor(row=n - 1, animate=False)
        self._tick(STAGE_OF[name], items[n - 1])

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        v = self.view
        name = event.data_table.id
        if v is None or name not in LISTS:
            return
        items = v.internal if name == "internal" else v.walkthrough
        item = next((i for i in items if i.code == event.row_key.value), None)
        if item is not None:
            self._tick(STAGE_OF[name], item)

    def _tick(self, stage: DeliveryStage, item: ChecklistItem) -> None:
        self._moved_on = False
        if item.ticked or (stage, item.code) in self._pending:
            self.notify(_("Already ticked: {item}").format(item=_(item.label)), timeout=3)
            return
        self._pending.append((stage, item.code))
        self._run_pending()

    def _run_pending(self) -> None:
        """Ticks go one call at a time, in the order pressed (fast typing must not race itself)."""
        if self._busy or not self._pending:
            return
        stage = self._pending[0][0]
        codes = [code for s, code in self._pending if s == stage]
        self._pending = [(s, c) for s, c in self._pending if s != stage]
        self._busy = True
        self.call_service(tick, self.services, self.actor, self.order_id, stage, codes, then=self._ticked,
                          failed=self._tick_failed, group="delivery-tick")

    def _ticked(self, view: DeliveryView) -> None:
        self._busy = False
        was_internal_open = self.view is not None and bool(self.view.missing_internal)
        self.query_one("#checklist-error", Static).update("")
        self._show(view)
        if was_internal_open and not view.missing_internal and self._current_list() == "internal":
            self._table("walkthrough").focus()  # the internal check is done: the customer is next
            self._moved_on = True
        self._run_pending()

    def _tick_failed(self, error: FrontdeskError) -> None:
        self._busy = False
        self._pending.clear()
        self.show_error(error)
        self.action_refresh()

    # Recommendations ------------------------------------------------------------------------------

    def action_recommendations(self) -> None:
        v = self.view
        if v is None:
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.action_refresh()

        self.app.push_screen(RecommendationsDialog(self.order_id, _("Recommendations · {plate} {number}").format(
            plate=v.plate, number=v.number), v.customer_name), closed)

    def action_recommend(self) -> None:
        v = self.view
        if v is not None:
            open_recommend(self, self.order_id, v.plate, lambda _ref: self.action_refresh())

    # Delivering -----------------------------------------------------------------------------------

    def action_deliver(self) -> None:
        v = self.view
        if v is None or self._busy:
            return
        if v.status != OrderStatus.READY:
            self._open_settlement()
            return
        self.call_service(deliver, self.services, self.actor, self.order_id, v.version, then=self._delivered,
                          failed=self._refused, group="delivery-deliver")

    def _refused(self, error: FrontdeskError) -> None:
        self.show_error(error)
        self.action_refresh()

    def _delivered(self, order_id: int) -> None:
        v = self.view
        self.notify(_("{plate} delivered: prepare the settlement.").format(plate=v.plate if v else ""), timeout=5)
        self._open_settlement()

    def _open_settlement(self) -> None:
        self.fd.open_destination("settlement", switch=True, order_id=self.order_id)
