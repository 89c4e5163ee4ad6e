"""The cashier's home (收银台): every car between "ready" and "closed", in the order they are worked.

One list: cars delivered and waiting to pay first (what the customer pays, what is paid,
what is due), then cars paid or on credit waiting for their gate pass, then cars still
being handed over (how many checklist items are left). Enter opens the screen the row
needs: the payment (or, before the advisor saved it, the settlement) for a delivered car,
the payment screen with its gate pass for a settled one, the delivery checklist for a car
still ready. F5 reads the list again; it also follows the store's change counter (asked
every two seconds), so a car the advisor delivers appears without a key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from frontdesk.i18n import gettext as _
from frontdesk.keys import REFRESH, binding
from frontdesk.model.enums import OrderStatus
from frontdesk.services import cashier_views
from frontdesk.services.cashier_views import CashierQueue, QueueRow
from frontdesk.services.context import Actor, Services
from frontdesk.services.money import ZERO, format_money
from frontdesk.widgets.list_table import Col, clip, fixed_columns, when

from .base import LiveScreen
from .list_detail import ListDetailScreen, ListLayout

NAME_CELLS = 10


def step_label(row: QueueRow) -> Text:
    """What the row waits for, in the cashier's words."""
    if row.status == OrderStatus.READY:
        return Text(_("Delivery"), style="cyan")
    if row.status == OrderStatus.SETTLED:
        return Text(_("Gate pass"), style="bold green")
    if not row.settlement_prepared:
        return Text(_("Settlement"), style="yellow")
    return Text(_("To pay"), style="bold")


class CashierHomeScreen(LiveScreen, ListDetailScreen):
    """``CashierHomeScreen()``: the cars to deliver, to pay and to let out; Enter opens the right screen."""

    CSS_PATH = "../assets/styles/cashier_home.tcss"
    LAYOUT = ListLayout(("queue",), head="ch-head", detail="ch-detail")

    BINDINGS = [
        binding("enter", "open", "Open", tooltip="The delivery, settlement or payment of the highlighted car"),
        binding("g", "gate_pass", "Gate pass", tooltip="The gate pass of the highlighted car (on its payment screen)"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the list again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: CashierQueue | None = None

    def loading_text(self) -> str:
        return _("Loading the list…")

    def on_mount(self) -> None:
        # narrow, the model goes first, then the order number, the advisor, the time; amounts and numbers stay whole
        fixed_columns(self.table("queue"), Col(_("Step"), 10), Col(_("Plate"), 9, whole=True),
                      Col(_("Customer"), NAME_CELLS, keep=6), Col(_("Customer pays"), 11, whole=True, keep=7),
                      Col(_("Paid so far"), 11, whole=True, keep=8), Col(_("Amount due"), 11, whole=True, keep=9),
                      Col(_("Since"), 5, keep=4), Col(_("Advisor"), 10, keep=3), Col(_("Model"), 14, keep=1),
                      Col(_("Order no."), 18, whole=True, keep=2))
        self.follow_store()

    # Reading -----------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> CashierQueue:
        return cashier_views.cashier_queue(services, actor)

    def show(self, queue: CashierQueue) -> None:
        self.queue = queue
        today = queue.taken_at.date()
        table = self.fill("queue", ((f"o{r.order_id}", r, self._cells(r, today)) for r in queue.rows))
        table.border_title = _("Cars to deliver, pay and let out ({n})").format(n=len(queue.rows))
        head = Text()
        head.append(_("To pay {n}").format(n=len(queue.open)), style="bold")
        head.append("  ·  ")
        head.append(_("Gate pass {n}").format(n=len(queue.settled)), style="bold green" if queue.settled else "")
        head.append("  ·  ")
        head.append(_("Being delivered {n}").format(n=len(queue.ready)), style="cyan")
        if queue.open:
            due = sum((r.due for r in queue.open), ZERO)
            head.append("   " + _("due in all {amount}").format(amount=format_money(due)), style="dim")
        self.show_head(head)
        self.show_detail()

    def _cells(self, r: QueueRow, today: dt.date) -> tuple[Any, ...]:
        due = Text(format_money(r.due), justify="right", style="bold" if r.due and r.status != OrderStatus.READY else "")
        if r.status == OrderStatus.READY:
            paid: Any = Text(_("{n} to tick").format(n=r.missing_items), style="dim") if r.missing_items else ""
            due = Text("")
        else:
            paid = Text(format_money(r.paid), justify="right")
        if r.credit_approved:
            due = Text(_("credit"), style="bold cyan")
        return (step_label(r), Text(r.plate, style="bold"), clip(r.customer_name, NAME_CELLS),
                Text(format_money(r.customer_share), justify="right", style="" if r.settlement_prepared else "dim"),
                paid, due, when(r.since, today), clip(r.advisor, 10), clip(r.model, 14), r.number)

    @property
    def selected(self) -> QueueRow | None:
        return self.selected_in("queue")

    def empty_detail(self) -> Text:
        return Text(_("No car waiting: the list fills itself as cars are delivered."), style="dim")

    def detail(self, r: QueueRow) -> Text:
        text = Text(f"{r.plate} ", style="bold")
        text.append(f"{r.customer_name} {r.phone}  {r.model}  ")
        text.append(_("Advisor {name}").format(name=r.advisor), style="dim")
        text.append("\n")
        hint = {
            OrderStatus.READY: _("Enter: the delivery checklist ({n} items left)").format(n=r.missing_items),
            OrderStatus.SETTLED: _("Enter: print the gate pass"),
        }.get(r.status) or (_("Enter: take the payment") if r.settlement_prepared
                            else _("Enter: the settlement (not saved yet)"))
        text.append(hint, style="bold")
        return text

    # Opening -------------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#queue")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        r = self.selected
        if r is None:
            return
        self.fd.open_destination(destination_for(r), order_id=r.order_id)


    def action_gate_pass(self) -> None:
        """G, as on the payment screen: the gate pass is printed there; a car not paid yet says why not."""
        r = self.selected
        if r is None:
            self.notify(_("No car is waiting for a gate pass."), severity="warning")
            return
        if r.status != OrderStatus.SETTLED:
            self.notify(_("No gate pass for {plate} yet: {step} comes first (Enter).").format(
                plate=r.plate, step=step_label(r).plain), severity="warning")
            return
        self.fd.open_destination("payment", order_id=r.order_id)
        self.notify(_("Press G again to print the gate pass."), title=r.plate, timeout=6)


def destination_for(row: QueueRow) -> str:
    """Where a row of the queue leads (frontdesk.navigation): the checklist, the bill or the payment."""
    if row.status == OrderStatus.READY:
        return "delivery"
    if row.status == OrderStatus.DELIVERED and not row.settlement_prepared:
        return "settlement"
    return "payment"
