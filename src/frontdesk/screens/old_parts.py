"""The old-parts ledger (旧件台账): the replaced warranty parts on the shelf, shipped back or scrapped.

The claims clerk's list of every tagged part (services/old_parts.py): those on the shelf
first, the latest first. Each row: the tag, part number and name, quantity, where it is,
the order and plate, the claim, and once it has left the shelf the shipment (consignment
number, date) or the scrap reason. 1 2 3 show the parts stored, shipped or scrapped; 0 all.

Space marks parts (a ✓ in the first column) and moves down; S ships the marked parts — or the highlighted
one when none is marked — under a consignment number and a date (today by default, never a
future one), X scraps them with the maker's instruction as the reason. Only parts on the
shelf can go; a shipment is all the marked parts or none. Parts are tagged from their claim
(screens/warranty_claim.py, O).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from frontdesk.i18n import N_
from frontdesk.i18n import gettext as _
from frontdesk.keys import binding, group
from frontdesk.model.old_part import OldPartState
from frontdesk.services import old_parts
from frontdesk.services.context import Actor, Services
from frontdesk.services.old_parts import OldPartRow
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import Col, clip, declare_columns, qty_text

from .base import LiveScreen
from .claim_dialogs import scrap_dialog, ship_dialog
from .list_detail import ListDetailScreen, ListLayout, list_keys

STATE_LABEL = {"stored": N_("Stored"), "shipped": N_("Shipped"), "scrapped": N_("Scrapped")}
STATE_STYLE = {"stored": "bold", "shipped": "green", "scrapped": "dim"}
SHOW = group("Show")
#: Screen action -> the permission it needs (the role matrix reads it).
ACTION_PERMISSION = {"ship": "old_part.ship", "scrap": "old_part.ship", "mark": "old_part.ship"}


def state_label(state: str) -> str:
    return _(STATE_LABEL[state])


class OldPartsScreen(LiveScreen, ListDetailScreen):
    """``OldPartsScreen()``: the old-parts ledger; mark parts, ship or scrap them."""

    CSS_PATH = "../assets/styles/old_parts.tcss"
    LAYOUT = ListLayout(("old-parts",), head="op-head", detail="op-detail")

    BINDINGS = [
        binding("space", "mark", "Mark", key_display="Space", tooltip="Mark the highlighted part (again: unmark it)"),
        binding("s", "ship", "Ship", tooltip="Return the marked parts (or the highlighted one) to the maker: "
                                              "consignment number and date"),
        binding("x", "scrap", "Scrap", tooltip="Scrap the marked parts (or the highlighted one) as the maker said"),
        binding("1", "show('stored')", "Stored", group=SHOW, tooltip="Show the parts on the shelf"),
        binding("2", "show('shipped')", "Shipped", group=SHOW, tooltip="Show the parts shipped to the maker"),
        binding("3", "show('scrapped')", "Scrapped", group=SHOW, tooltip="Show the parts scrapped"),
        binding("0", "show('')", "All", group=SHOW, tooltip="Show every part"),
        *list_keys("Read the ledger again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state: str = ""
        self.rows: list[OldPartRow] = []
        self.marked: set[int] = set()

    def loading_text(self) -> str:
        return _("Loading the old parts…")

    def on_mount(self) -> None:
        declare_columns(self.table("old-parts"), Col("✓", 1, keep=9), Col(_("Tag"), whole=True, keep=10),
                        Col(_("Part no."), keep=6), Col(_("Part"), 20, keep=8), Col(_("Qty"), 4, keep=3),
                        Col(_("State"), 8, keep=7), Col(_("Plate"), 9, keep=5), Col(_("Claim"), keep=2),
                        Col(_("Where"), 10, keep=4), Col(_("Shipment"), keep=1))
        self.follow_store()

    # Reading -------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> list[OldPartRow]:
        return old_parts.ledger(services, actor, state=self.state or None)

    def show(self, rows: list[OldPartRow]) -> None:
        self.rows = rows
        self.marked &= {r.id for r in rows if r.state == OldPartState.STORED}
        self._fill()

    def _fill(self) -> None:
        table = self.fill("old-parts", [(f"p{r.id}", r, self._cells(r)) for r in self.rows])
        table.border_title = _("Old parts · {what} ({n})").format(
            what=state_label(self.state) if self.state else _("all"), n=len(self.rows))
        head = Text()
        stored = sum(1 for r in self.rows if r.state == OldPartState.STORED)
        if self.rows:
            head.append(_("On the shelf: {n}").format(n=stored), style="bold")
        else:
            head.append(_("No old parts here."), style="dim")
        if self.marked:
            head.append("  " + _("Marked: {n} (S ships, X scraps)").format(n=len(self.marked)),
                        style="bold black on yellow")
        self.show_head(head)
        self.show_detail()

    def _cells(self, r: OldPartRow) -> tuple[Any, ...]:
        left = r.shipment_number or clip(r.scrap_reason, 14)
        return (Text("✓", style="bold green") if r.id in self.marked else "", Text(r.tag, style="bold"),
                r.part_no, clip(r.name, 20), qty_text(r.qty), Text(state_label(r.state), style=STATE_STYLE[r.state]),
                r.plate, r.claim_number or Text("—", style="dim"), clip(r.location, 10) or Text("—", style="dim"),
                left)

    @property
    def selected(self) -> OldPartRow | None:
        return self.selected_in("old-parts")

    def detail(self, r: OldPartRow) -> Text:
        text = Text()
        text.append(f"{r.tag}  {r.part_no} {r.name} × {qty_text(r.qty)}", style="bold")
        text.append("\n" + _("Order {number} · {plate} · stored {when}{where}").format(
            number=r.order_number, plate=r.plate, when=r.stored_at.strftime("%Y-%m-%d"),
            where=(" · " + r.location) if r.location else ""), style="dim")
        if r.state == OldPartState.SHIPPED:
            text.append("\n" + _("Shipped {day} in shipment {number}").format(
                day=r.shipped_on.isoformat() if r.shipped_on else "—", number=r.shipment_number), style="green")
        elif r.state == OldPartState.SCRAPPED:
            text.append("\n" + _("Scrapped: {reason}").format(reason=r.scrap_reason))
        return text

    # Keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION_PERMISSION:
            return allowed(self.actor.role, ACTION_PERMISSION[action])
        return True

    def why_not(self, action: str) -> str | None:
        if action in ACTION_PERMISSION:
            return _("Only the claims clerk or the service manager ships or scraps old parts.")
        return None

    def action_show(self, state: str) -> None:
        self.state = state
        self.notify(_("Showing: {what}").format(what=state_label(state) if state else _("all")), timeout=2)
        self.action_refresh()

    def action_mark(self) -> None:
        row = self.selected
        if row is None:
            self.notify(_("No old part selected."), severity="warning")
            return
        if row.state != OldPartState.STORED:
            self.notify(_("{tag} is not on the shelf: only stored parts are shipped or scrapped.").format(tag=row.tag),
                        severity="warning")
            return
        self.marked ^= {row.id}
        self._fill()
        self.table("old-parts").action_cursor_down()  # Space, Space, Space: a box of parts marked in a run

    def _chosen(self) -> list[OldPartRow] | None:
        """The marked parts, else the highlighted one (on the shelf), else None with the reason said."""
        chosen = [r for r in self.rows if r.id in self.marked]
        if not chosen:
            row = self.selected
            if row is None or row.state != OldPartState.STORED:
                self.notify(_("Mark the parts on the shelf with Space first (or highlight one)."), severity="warning")
                return None
            chosen = [row]
        return chosen

    def action_ship(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.app.push_screen(ship_dialog(self.services, self.actor, [r.id for r in chosen],
                                             [r.tag for r in chosen]), self._done)

    def action_scrap(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.app.push_screen(scrap_dialog(self.services, self.actor, [r.id for r in chosen],
                                              [r.tag for r in chosen]), self._done)

    def _done(self, outcome: object) -> None:
        if self.answered(outcome) is None:
            return
        self.notify(str(outcome), timeout=6)
        self.marked.clear()
        self.action_refresh()
