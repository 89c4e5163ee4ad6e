"""The offers above the lines: what this car is due for, each a key away.

A returning car comes with work nobody has to search for: the maker's package due at this
reading (Y adds it whole), an open recall or service campaign (C adds its jobs, the maker
pays), and the recommendations from earlier visits still open (H shows them, A adds one).
The strip names each with its key, in one or two lines, and is gone when there is nothing
to offer or the estimate is signed; an offer taken leaves it (the screen drops it from
``offers``).
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from frontdesk.i18n import N_
from frontdesk.i18n import gettext as _
from frontdesk.services import money

from ..catalog_picker import interval_text
from .history_pane import on_estimate
from .reading import EDITABLE, Loaded, Offers

KEY_STYLE = "bold reverse"
CAMPAIGN_KIND = {"recall": N_("Recall"), "service": N_("Service campaign")}  # N_: Babel extracts them


def kind_label(kind: str) -> str:
    return _(CAMPAIGN_KIND.get(kind, CAMPAIGN_KIND["service"]))


def open_recommendations(order: Loaded) -> int:
    """Recommendations still open for the car that are not on this estimate yet."""
    return sum(1 for rec in order.history.declined if not on_estimate(order.view, rec))


def offers_text(order: Loaded, offers: Offers) -> Text:
    """" Y  Service due: 1万公里保养 ¥594.00 (why)    C  Recall: R2026-07 …    H  Recommendations open: 2"."""
    parts: list[Text] = []

    def offer(key: str) -> Text:
        part = Text()
        part.append(f" {key} ", style=KEY_STYLE)
        part.append(" ")
        parts.append(part)
        return part

    if offers.package is not None:
        hit = offers.package.package
        part = offer("Y")
        part.append(_("Service due") + ": ", style="bold yellow")
        part.append(hit.name, style="bold")
        part.append(f" {money.format_money(hit.price)}")
        why = offers.package.reason or (interval_text(hit.interval_km, hit.interval_months)
                                        if hit.interval_km or hit.interval_months else "")
        if why:
            part.append(f" ({why})", style="dim")
    if offers.campaigns:
        flag = offers.campaigns[0]
        part = offer("C")
        part.append(kind_label(flag.kind) + ": ", style="bold red" if flag.kind == "recall" else "bold yellow")
        part.append(f"{flag.code} {flag.title}")
        if len(offers.campaigns) > 1:
            part.append(" " + _("(+{n} more)").format(n=len(offers.campaigns) - 1), style="dim")
    recs = open_recommendations(order)
    if recs:
        offer("H").append(_("Recommendations open: {n}").format(n=recs))
    return Text("   ").join(parts)


class OfferStrip(Static):
    """``OfferStrip(id="est-offers")``: follows ``order`` and ``offers`` (bound to the screen's)."""

    order: var[Loaded | None] = var(None, always_update=True)
    offers: var[Offers] = var(Offers, always_update=True)

    def on_mount(self) -> None:
        self.display = False

    def watch_order(self) -> None:
        self._show()

    def watch_offers(self) -> None:
        self._show()

    def _show(self) -> None:
        order = self.order
        if order is None or order.view.status not in EDITABLE:
            self.display = False
            return
        text = offers_text(order, self.offers)
        self.display = bool(text.plain)
        self.update(text)
