"""The estimate's first line: which order, in what state, whose car, and what still stops the signature.

"No walkaround yet" stands out here because signing needs one (W opens it); once signed,
the signer's name takes its place.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from frontdesk.i18n import gettext as _
from frontdesk.labels import WARRANTY, label, status

from .reading import Loaded


class OrderHead(Static):
    """``OrderHead(text, id="est-head")``: follows ``order`` (bound to the screen's)."""

    order: var[Loaded | None] = var(None, always_update=True)

    def watch_order(self, order: Loaded | None) -> None:
        if order is None:
            return  # "Loading the order…" until it is read
        v = order.view
        head = Text()
        head.append(v.number, style="bold")
        head.append("  ")
        head.append(f" {status(v.status)} ", style="reverse")
        head.append("  ")
        head.append(v.plate, style="bold")
        head.append(f"  {v.model}  {v.customer_name}  ")
        warranty = label(WARRANTY, v.warranty_status)
        head.append(warranty, style="green" if v.warranty_status == "in_warranty" else "")
        head.append(f"  {v.odometer_km:,}km")
        if v.walkaround is None:
            head.append("  ")
            head.append(" " + _("No walkaround yet (W)") + " ", style="bold black on yellow")
        if v.signed_by:
            head.append("  " + _("Signed by {name}").format(name=v.signed_by), style="bold green")
        self.update(head)
