"""What the settlement and payment screens share: one order's bill, read as a ``SettlementView``.

Both screens show the same order from two desks (the advisor's settlement, the cashier's
till), so they read it the same way, head it the same way, print its statement the same
way, refuse the same keys before the settlement is saved, and send Esc in a field back
to their list. Said once here, the two cannot drift apart; each screen keeps its own form.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Input

from frontdesk.i18n import gettext as _
from frontdesk.labels import status
from frontdesk.services import cashier_views
from frontdesk.services.cashier_views import SettlementView
from frontdesk.widgets.list_table import ListTable

from .base import DeskScreen
from .printing import print_one, say_printed

if TYPE_CHECKING:
    from frontdesk.services.documents import Printed


def bill_head(title: str, v: SettlementView, mark: Text | None = None) -> Text:
    """The bill's head line: "Settlement  粤B12345  [status]{mark}  customer phone  model  order no.".

    ``mark`` says where the bill stands (saved, its gate pass).
    """
    head = Text()
    head.append(title + "  ", style="bold")
    head.append(v.plate, style="bold")
    head.append("  ")
    head.append(f" {status(v.status)} ", style="reverse")
    if mark is not None:
        head.append_text(mark)
    head.append(f"  {v.customer_name} {v.phone}  {v.model}  ")
    head.append(v.number, style="dim")
    return head


class OrderBillScreen(DeskScreen):
    """``OrderBillScreen(order_id)``: ``view`` is the order's bill once read; ``printed`` the PDFs printed here.

    ``show`` draws a freshly read bill. Esc in a field puts the focus on the screen's list
    (where the letter keys work); Esc there goes back.
    """

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.view: SettlementView | None = None
        self.printed: dict[str, Path] = {}
        self._busy = False

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(cashier_views.settlement_view, self.services, self.actor, self.order_id, then=self.show)

    def show(self, view: SettlementView) -> None:
        raise NotImplementedError

    def saved_view(self) -> SettlementView | None:
        """The bill when its settlement is saved; otherwise ``None``, having said why (nothing to print or take yet)."""
        v = self.view
        if v is None:
            return None
        if not v.prepared:
            self.notify(_("Save the settlement first (F6)."), severity="warning")
            return None
        return v

    def action_print(self) -> None:
        v = self.saved_view()
        if v is None:
            return

        def done(printed: Printed) -> None:
            self.printed["settlement"] = say_printed(self, "settlement", printed)

        self.call_service(print_one, self.services, "settlement", v.number, then=done,
                          group=f"{type(self).__name__}-print")

    def action_order_history(self) -> None:
        self.fd.open_destination("order_history", order_id=self.order_id)

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(ListTable).focus()
            return
        super().action_back()
