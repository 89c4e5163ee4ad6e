"""The claims clerk's home (索赔): every warranty claim, the deadline alerts first, and the orders still to claim.

Top list: the store's claims (services/warranty_claims.py), those alerting first — not yet
with the maker and 7 days or fewer before the submission deadline, or past it (red) — then
by deadline. Each row: the claim number, plate, state, days left (while the claim is the
store's to send), claimed, approved and paid. 1–7 show one state (draft, submitted,
returned, approved, paid, rejected, reassigned), 0 all of them. Enter opens the claim
(screens/warranty_claim.py): its fields, lines, the maker's answers, its old parts.

Bottom list (Tab): warranty orders whose repair is done and that have no claim yet, the
nearest deadline first; Enter opens the claim from the order's warranty lines.

The maker pays several claims with one transfer: Space marks approved claims (and moves down), P records the
payment over them (or the highlighted one) — the reference, the day, the amount; each claim
is paid what the maker still owes on it, in turn, the rest kept as the maker's credit
(services/claim_desk.py). L opens the old-parts ledger. X writes the batch for the maker's
portal (services/claim_export.py, one row per claimed line) as Excel into the paperwork
folder: the marked claims, else every claim the list shows (its state filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from frontdesk.i18n import gettext as _
from frontdesk.keys import binding, group
from frontdesk.model.warranty import ClaimState
from frontdesk.services import claim_desk, claim_export, warranty_claims
from frontdesk.services.claim_desk import MakerDue, OrderToClaim
from frontdesk.services.context import Actor, Services
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.services.warranty_claims import ClaimRow
from frontdesk.widgets.list_table import Col, declare_columns

from .base import LiveScreen
from .claim_dialogs import payment_dialog
from .list_detail import OVERDUE_STYLE, ListDetailScreen, ListLayout, list_keys

SHOW = group("Show")
FILTERS = ("", ClaimState.DRAFT, ClaimState.SUBMITTED, ClaimState.RETURNED, ClaimState.APPROVED, ClaimState.PAID,
           ClaimState.REJECTED, ClaimState.REASSIGNED)
#: Screen action -> the permission it needs (the role matrix reads it).
ACTION_PERMISSION = {"mark": "remittance.apply", "pay": "remittance.apply", "old_parts": "old_part.record",
                     "export": "warranty_claim.export"}
STATE_STYLE = {ClaimState.DRAFT: "bold", ClaimState.SUBMITTED: "cyan", ClaimState.RETURNED: "bold yellow",
               ClaimState.APPROVED: "bold green", ClaimState.PAID: "green", ClaimState.REJECTED: "bold red",
               ClaimState.REASSIGNED: "dim"}


@dataclass(frozen=True)
class ClaimsBoard:
    claims: list[ClaimRow]
    to_claim: list[OrderToClaim]


def days_text(left: int, alert: bool, editable: bool = True) -> Text:
    """"5" days left (yellow when alerting), "-3" red when overdue; "—" once the claim is with the maker."""
    if not editable:
        return Text("—", style="dim", justify="right")
    if left < 0:
        return Text(f" {left} ", style=OVERDUE_STYLE, justify="right")
    return Text(str(left), style="bold yellow" if alert else "", justify="right")


class WarrantyClaimsScreen(LiveScreen, ListDetailScreen):
    """``WarrantyClaimsScreen()``: the claims by state, the deadline alerts first; the orders to claim."""

    CSS_PATH = "../assets/styles/warranty_claims.tcss"
    LAYOUT = ListLayout(("claims", "to-claim"), head="wc-head", detail="wc-detail", detail_of=("claims", "to-claim"))

    BINDINGS = [
        binding("enter", "open", "Open", key_display="Enter", tooltip="Open the highlighted claim; on an order to claim, open its claim"),
        binding("p", "pay", "Maker's payment", tooltip="Record the maker's transfer over the marked approved claims "
                                                        "(or the highlighted one)"),
        binding("space", "mark", "Mark", key_display="Space", tooltip="Mark an approved claim for the maker's payment"),
        binding("l", "old_parts", "Old-parts ledger", tooltip="The old-parts ledger: tagged parts, shipments, scrapped"),
        binding("x", "export", "Excel", tooltip="Write the marked claims (else those shown) as Excel for the maker's "
                                                "portal, into the paperwork folder"),
        binding("1", "show('draft')", "Draft", group=SHOW, tooltip="Show the claims in one state (1-7), or all (0)"),
        binding("2", "show('submitted')", "Submitted", group=SHOW, show=False),
        binding("3", "show('returned')", "Returned", group=SHOW, show=False),
        binding("4", "show('approved')", "Approved, not paid", group=SHOW, show=False),
        binding("5", "show('paid')", "Paid", group=SHOW, show=False),
        binding("6", "show('rejected')", "Rejected", group=SHOW, show=False),
        binding("7", "show('reassigned')", "Reassigned", group=SHOW, show=False),
        binding("0", "show('')", "All", group=SHOW, tooltip="Show every claim"),
        *list_keys("Read the claims again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state: str = ""
        self.board: ClaimsBoard | None = None
        self.marked: set[int] = set()

    def loading_text(self) -> str:
        return _("Loading the warranty claims…")

    def on_mount(self) -> None:
        declare_columns(self.table("claims"), Col("✓", 1, keep=9), Col(_("Claim no."), whole=True, keep=10),
                        Col(_("Plate"), 9, keep=7), Col(_("State"), 10, keep=8), Col(_("Days left"), 4, keep=6),
                        Col(_("Claimed"), whole=True, keep=5), Col(_("Maker approved"), whole=True, keep=3),
                        Col(_("Paid"), whole=True, keep=2), Col(_("Deadline"), 10, keep=1))
        declare_columns(self.table("to-claim"), Col(_("Order no."), whole=True, keep=9), Col(_("Plate"), 9, keep=8),
                        Col(_("Make"), 8, keep=3), Col(_("Repaired"), 10, keep=4), Col(_("Days left"), 4, keep=7))
        self.follow_store()

    # Reading -------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> ClaimsBoard:
        rows = warranty_claims.claims(services, actor, state=self.state or None)
        rows.sort(key=lambda r: (not r.alert, r.deadline, r.id))
        return ClaimsBoard(rows, claim_desk.orders_to_claim(services, actor))

    def show(self, board: ClaimsBoard) -> None:
        self.board = board
        self.marked &= {r.id for r in board.claims if r.state == ClaimState.APPROVED}
        self._fill()

    def _fill(self) -> None:
        board = self.board
        if board is None:
            return
        claims = self.fill("claims", [(f"c{r.id}", r, self._cells(r)) for r in board.claims])
        what = warranty_claims.state_label(ClaimState(self.state)) if self.state else _("all")
        claims.border_title = _("Warranty claims · {what} ({n})").format(what=what, n=len(board.claims))
        orders = self.fill("to-claim", [(f"o{o.order_id}", o, (
            Text(o.order_number, style="bold"), o.plate, o.make, o.repaired_on.isoformat(),
            days_text(o.days_left, o.days_left <= warranty_claims.ALERT_DAYS))) for o in board.to_claim])
        orders.border_title = _("Warranty orders to claim ({n})").format(n=len(board.to_claim))
        head = Text()
        alerts = sum(1 for r in board.claims if r.alert)
        overdue = sum(1 for r in board.claims if r.alert and r.days_left < 0)
        late_orders = sum(1 for o in board.to_claim if o.days_left <= warranty_claims.ALERT_DAYS)
        if alerts or late_orders:
            head.append(" " + _("Deadline alerts: {n}").format(n=alerts + late_orders) + " ",
                        style=OVERDUE_STYLE if overdue or any(o.days_left < 0 for o in board.to_claim)
                        else "bold black on yellow")
            head.append("  ")
        unpaid = [r for r in board.claims if r.state == ClaimState.APPROVED]
        if unpaid:
            head.append(_("Approved, not paid: {n} ({amount})").format(
                n=len(unpaid), amount=format_money(sum(((r.approved or r.claimed) - r.paid for r in unpaid), Decimal(0)))),
                style="bold")
        elif not board.claims and not board.to_claim:
            head.append(_("No warranty claims."), style="dim")
        else:
            head.append(_("Claims: {n} · orders to claim: {m}").format(n=len(board.claims), m=len(board.to_claim)))
        if self.marked:
            head.append("  " + _("Marked: {n} (P records the payment)").format(n=len(self.marked)),
                        style="bold black on yellow")
        self.show_head(head)
        self.show_detail()

    def _cells(self, r: ClaimRow) -> tuple[Any, ...]:
        editable = r.state in (ClaimState.DRAFT, ClaimState.RETURNED)
        return (Text("✓", style="bold green") if r.id in self.marked else "", Text(r.number, style="bold"), r.plate,
                Text(warranty_claims.state_label(r.state), style=STATE_STYLE[r.state]),
                days_text(r.days_left, r.alert, editable), Text(format_money(r.claimed), justify="right"),
                Text(format_money(r.approved), justify="right") if r.approved is not None else Text("—", style="dim"),
                Text(format_money(r.paid), justify="right") if r.paid else Text("—", style="dim"),
                r.deadline.isoformat())

    def detail(self, item: ClaimRow | OrderToClaim) -> Text:
        text = Text()
        if isinstance(item, OrderToClaim):
            text.append(_("Order {number} · {plate} · repaired {day}").format(
                number=item.order_number, plate=item.plate, day=item.repaired_on.isoformat()), style="bold")
            text.append("\n" + _("No claim yet: Enter opens it from the order's warranty lines (deadline {day})."
                                 ).format(day=item.deadline.isoformat()))
            return text
        text.append(f"{item.number} · {item.plate} · {item.vin}", style="bold")
        if item.goodwill:
            text.append("  " + _("goodwill"), style="bold magenta")
        text.append("\n" + _("Revision {n} · deadline {day} · order {order}").format(
            n=item.version_no, day=item.deadline.isoformat(), order=item.order_number), style="dim")
        money = _("Claimed {amount}").format(amount=format_money(item.claimed))
        if item.approved is not None:
            money += " · " + _("Approved {amount}").format(amount=format_money(item.approved))
        if item.paid:
            money += " · " + _("Paid {amount}").format(amount=format_money(item.paid))
        text.append("  " + money, style="bold")
        if item.alert:
            text.append("\n" + (_("Overdue by {n} days: submit it now.").format(n=-item.days_left)
                                if item.days_left < 0 else
                                _("{n} days left to submit it.").format(n=item.days_left)),
                        style="bold red" if item.days_left < 0 else "bold yellow")
        return text

    # Keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # the claims clerk's home: Esc would pop it and leave a blank terminal
            return self.app.screen_stack.index(self) > 1 if self in self.app.screen_stack else False
        if action in ACTION_PERMISSION:
            return allowed(self.actor.role, ACTION_PERMISSION[action])
        return True

    def why_not(self, action: str) -> str | None:
        if action in ACTION_PERMISSION:
            return _("Your role cannot do this here.")
        return None

    def action_show(self, state: str) -> None:
        self.state = state
        self.notify(_("Showing: {what}").format(
            what=warranty_claims.state_label(ClaimState(state)) if state else _("all")), timeout=2)
        self.action_refresh()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        item = self.highlighted()
        if isinstance(item, ClaimRow):
            self.fd.open_destination("warranty_claim", order_id=item.order_id)
        elif isinstance(item, OrderToClaim):
            self.action_open_new()
        else:
            self.notify(_("No claim selected."), severity="warning")

    def action_open_new(self) -> None:
        item = self.highlighted()
        if not isinstance(item, OrderToClaim):
            return
        if not allowed(self.actor.role, "warranty_claim.edit"):
            self.notify(_("Your role cannot do this here."), severity="warning")
            return

        def opened(_ref: object) -> None:
            self.fd.open_destination("warranty_claim", order_id=item.order_id)

        self.call_service(warranty_claims.create_claim, self.services, self.actor, item.order_id, then=opened,
                          failed=self.refused)

    def action_old_parts(self) -> None:
        self.fd.open_destination("old_parts")

    def action_export(self) -> None:
        board = self.board
        if board is None or not board.claims:
            self.notify(_("No claims to export."), severity="warning")
            return
        marked = sorted(r.id for r in board.claims if r.id in self.marked)
        selection: list[int] | str | None = marked or self.state or None
        what = "marked" if marked else (self.state or "all")
        name = f"warranty_claims_{what}_{self.services.clock().date().isoformat()}.xlsx"
        path = self.services.settings.resolved_pdf_dir() / name
        self.call_service(claim_export.export_claims, self.services, self.actor, selection, path,
                          then=self._exported, failed=self.refused)

    def _exported(self, done: Any) -> None:
        self.notify(_("Claims saved ({n} lines): {path}").format(n=done.rows, path=done.path), title=_("Exported"),
                    timeout=10)

    def action_mark(self) -> None:
        row = self.selected_in("claims")
        if row is None or self.focused is not self.table("claims"):
            self.notify(_("No claim selected."), severity="warning")
            return
        if row.state != ClaimState.APPROVED:
            self.notify(_("Only an approved claim waits for the maker's payment."), severity="warning")
            return
        self.marked ^= {row.id}
        self._fill()
        self.table("claims").action_cursor_down()  # Space, Space: the claims one transfer pays, in a run

    def action_pay(self) -> None:
        board = self.board
        ids = [r.id for r in board.claims if r.id in self.marked] if board else []
        if not ids:
            row = self.selected_in("claims")
            if row is None or row.state != ClaimState.APPROVED:
                self.notify(_("Mark the approved claims the payment covers with Space (or highlight one)."),
                            severity="warning")
                return
            ids = [row.id]
        self.call_service(claim_desk.maker_dues, self.services, self.actor, ids, then=self._pay, saves=False)

    def _pay(self, dues: list[MakerDue]) -> None:
        if not dues:
            self.notify(_("The maker owes nothing more on these claims."), severity="warning")
            return
        makers = sorted({d.maker for d in dues})
        if len(makers) > 1:  # said before anything is typed (the service refuses it too)
            self.notify(_("One payment comes from one maker; these claims are owed by {makers}.").format(
                makers=", ".join(makers)), severity="warning", timeout=8)
            return
        self.app.push_screen(payment_dialog(self.services, self.actor, dues), self._paid)

    def _paid(self, outcome: object) -> None:
        ref = self.answered(outcome)
        if ref is None:
            return
        self.notify(_("Payment recorded: {applied} applied, {left} kept as the maker's credit.").format(
            applied=format_money(ref.applied), left=format_money(ref.unapplied)), timeout=8)  # type: ignore[attr-defined]
        self.marked.clear()
        self.action_refresh()
