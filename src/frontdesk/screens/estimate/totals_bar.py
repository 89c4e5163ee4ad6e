"""The totals under the estimate: each payer's share, the tax in it, the grand total, the customer's part.

They stay in view whatever the tab, and follow the keyboard: a pay type cycled or a
quantity typed shows in them at once, worked out by the service's rules
(``preview.preview_totals``) and marked "Preview, not saved" until the database has it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.labels import PAY_TYPE, label
from frontdesk.services import money
from frontdesk.services.account_desk import AgreedDiscount

from .preview import Override, preview_totals
from .reading import Loaded

PREVIEW_STYLE = "bold black on yellow"


def totals_text(totals: money.Totals, *, preview: bool, agreed: AgreedDiscount | None = None) -> Text:
    """Two lines: each payer's share; then the tax in it, the grand total and the customer's part.

    A key account's car has a third: the discount its account agreed, which the settlement takes
    off the customer's share — the advisor quotes the price the account will be billed.
    """
    text = Text()
    if totals.by_pay_type:
        for i, (pay, t) in enumerate(totals.by_pay_type.items()):
            if i:
                text.append("   ")
            text.append(f"{label(PAY_TYPE, pay)} ", style="dim")
            text.append(money.format_money(t.net), style="bold")
    else:
        text.append(_("No lines yet"), style="dim")
    if totals.discount:
        text.append("   ")
        text.append(_("Discount") + " ", style="dim")
        text.append("-" + money.format_money(totals.discount))
    if preview:
        text.append("   ")
        text.append(" " + _("Preview, not saved") + " ", style=PREVIEW_STYLE)
    text.append("\n")
    text.append(_("Tax included") + " ", style="dim")
    text.append(money.format_money(totals.tax))
    text.append("   ")
    text.append(_("Grand total") + " ", style="bold")
    text.append(money.format_money(totals.net), style="bold reverse")
    text.append("   ")
    text.append(_("Customer pays") + " ", style="dim")
    text.append(money.format_money(totals.customer_payable), style="bold")
    if agreed is not None:
        text.append("\n")
        text.append(_("Agreed discount {labour} labour / {parts} parts ({code}), taken off at settlement").format(
            labour=_percent(agreed.labour), parts=_percent(agreed.parts), code=agreed.code), style="bold")
    return text


def _percent(rate: Decimal) -> str:
    """0.1000 → "10%", 0.0750 → "7.5%"."""
    return f"{(rate * 100).normalize():f}%"


class TotalsBar(Static):
    """``TotalsBar(settings, id="est-totals")``: follows ``order``, ``pending`` and ``typed`` (bound to the screen's).

    ``pending``: the pay types cycled and not saved yet; ``typed``: the line being edited, as typed.
    """

    order: var[Loaded | None] = var(None, always_update=True)
    pending: var[dict[str, Override]] = var(dict)
    typed: var[dict[str, Override]] = var(dict)

    def __init__(self, settings: Callable[[], Settings], *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._settings = settings

    def watch_order(self) -> None:
        self._show()

    def watch_pending(self) -> None:
        self._show()

    def watch_typed(self) -> None:
        self._show()

    def _show(self) -> None:
        if self.order is None:
            return
        v = self.order.view
        overrides = {**self.pending, **self.typed}
        totals = preview_totals(v, overrides, self._settings()) if overrides else v.totals
        self.set_class(self.order.agreed is not None, "-agreed")
        self.update(totals_text(totals, preview=bool(overrides), agreed=self.order.agreed))
