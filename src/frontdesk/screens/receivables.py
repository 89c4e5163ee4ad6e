"""Receivables (应收账款) for the manager and the cashier: who owes what, how old it is, what to chase today.

On top the grid (services/receivables.py ``summary``): each payer kind's open money in the
aging buckets 0–30 / 31–60 / 61–90 / 90+ days and its total, the totals under them; then a
line with the follow-ups due, the payers' unapplied credit and whether the receivables tie
to the settlements. Below, the open receivables themselves, oldest first, and under them
the highlighted one's payer, notes and next action.

Keys narrow the list (the grid marks what is chosen): 1–4 a payer kind (accounts,
insurers, maker, customers), A all of them again, B the next aging bucket (then all), O only
the follow-ups due. F records a follow-up on the highlighted receivable
(screens/collection_note.py: the next action date and what was done), X writes the grid and
every open receivable to Excel in the paperwork folder (audited), Enter opens the order's
payment screen (the cashier's and the manager's; others its history when they may read it).
The list shows the oldest ``LIMIT`` receivables of the choice; the workbook has them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import binding, group
from frontdesk.model.enums import PayerKind
from frontdesk.services import receivables
from frontdesk.services.context import Actor, Services
from frontdesk.services.ledger import BUCKETS
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.services.receivables import ReceivableItem, ReceivablesSummary, payer_kind_title
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns

from .collection_note import CollectionNoteDialog
from .list_detail import OVERDUE_STYLE, ListDetailScreen, ListLayout, list_keys

PAYER = group("Payer")
LIMIT = 200  # rows in the list: enough to work through; the workbook holds every one
KIND_KEYS = {"1": PayerKind.ACCOUNT, "2": PayerKind.INSURER, "3": PayerKind.MAKER, "4": PayerKind.CUSTOMER}
#: Where Enter leads, the first the role may open (navigation checks the role again).
ORDER_SCREENS = (("payment", "payment.take"), ("order_history", "audit.view"))
CHOSEN = "bold reverse"


@dataclass(frozen=True)
class Ledger:
    summary: ReceivablesSummary
    items: list[ReceivableItem]


class ReceivablesScreen(ListDetailScreen):
    """``ReceivablesScreen()``: the aging grid on top, the open receivables below."""

    CSS_PATH = "../assets/styles/receivables.tcss"
    LAYOUT = ListLayout(("rv-items",), head="rv-head", detail="rv-detail")

    BINDINGS = [
        binding("enter", "open_order", "Open order", key_display="Enter",
                tooltip="Open the highlighted receivable's order: its payments and bill"),
        binding("f", "follow_up", "Follow-up", tooltip="Record a follow-up: what was done, the next action date"),
        binding("1", "kind('account')", "Accounts", group=PAYER,
                tooltip="Only one payer kind: 1 accounts, 2 insurers, 3 maker, 4 customers; A all"),
        binding("2", "kind('insurer')", "Insurers", group=PAYER, show=False),
        binding("3", "kind('maker')", "Maker", group=PAYER, show=False),
        binding("4", "kind('customer')", "Customers", group=PAYER, show=False),
        binding("a", "kind('')", "All", group=PAYER, tooltip="Every payer kind"),
        binding("b", "bucket", "Age", tooltip="Only one aging bucket, the next each time (then all)"),
        binding("o", "overdue", "Due follow-ups", tooltip="Only the follow-ups due (again: all)"),
        binding("x", "export", "Excel", tooltip="Write the grid and every open receivable to Excel in the paperwork folder"),
        *list_keys("Read the receivables again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.payer_kind: PayerKind | None = None
        self.bucket: str | None = None
        self.overdue_only = False
        self.data: Ledger | None = None

    def loading_text(self) -> str:
        return _("Loading the receivables…")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static("", id="rv-grid")
        yield Static("", id="rv-status")
        yield Static(self.loading_text(), id="rv-head")
        yield ListTable(id="rv-items")
        yield Static("", id="rv-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        declare_columns(self.table("rv-items"), Col(_("Order no."), whole=True, keep=9), Col(_("Plate"), 9, keep=8),
                        Col(_("Payer"), 10, keep=6), Col(_("Owed"), whole=True, keep=10), Col(_("Age"), 4, keep=7),
                        Col(_("Next action"), 10, keep=5), Col(_("Due on"), 10, keep=2),
                        Col(_("Amount"), whole=True, keep=3))

    def on_screen_resume(self) -> None:
        """Read when the screen shows, the first time and after the order or a dialog over it closes."""
        self.action_refresh()

    # Reading -------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> Ledger:
        data = receivables.summary(services, actor)
        rows = receivables.items(services, actor, payer_kind=self.payer_kind, bucket=self.bucket,
                                 overdue_only=self.overdue_only, on=data.on, limit=LIMIT + 1)
        return Ledger(data, rows)

    def show(self, data: Ledger) -> None:
        self.data = data
        self.query_one("#rv-grid", Static).update(self._grid(data.summary))
        self.query_one("#rv-status", Static).update(self._status(data.summary))
        rows = data.items[:LIMIT]
        table = self.fill("rv-items", [(f"r{i.receivable_id}", i, self._cells(i)) for i in rows])
        table.border_title = _("Open receivables · {what} ({n})").format(what=self._choice(), n=len(rows))
        head = Text()
        if not rows:
            head.append(_("Nothing open here.") if self._filtered() else _("No money is owed to the store."),
                        style="dim")
        else:
            if len(data.items) > LIMIT:
                head.append(_("The oldest {n} shown: narrow with the keys, or X for all").format(n=LIMIT), style="dim")
            else:
                head.append(_("Oldest first") + "   " + _("Enter: the order · F: follow-up"), style="dim")
        self.show_head(head)
        self.show_detail()

    def _filtered(self) -> bool:
        return self.payer_kind is not None or self.bucket is not None or self.overdue_only

    def _choice(self) -> str:
        parts = [payer_kind_title(self.payer_kind) if self.payer_kind else _("all payers")]
        if self.bucket:
            parts.append(_("{bucket} days").format(bucket=self.bucket))
        if self.overdue_only:
            parts.append(_("follow-ups due"))
        return " · ".join(parts)

    def _grid(self, data: ReceivablesSummary) -> Table:
        """Payer kinds down, buckets across; the chosen kind and bucket marked."""
        grid = Table(box=None, padding=(0, 0, 0, 1), expand=False, show_edge=False, pad_edge=False)
        grid.add_column(_("Payer"), no_wrap=True)
        for name in (*BUCKETS, _("Total")):
            chosen = name == self.bucket
            grid.add_column(Text(name, style=CHOSEN if chosen else "bold"), justify="right", no_wrap=True)
        for row in data.rows:
            style = CHOSEN if row.payer_kind == self.payer_kind else ""
            grid.add_row(Text(payer_kind_title(row.payer_kind), style=style or "bold"),
                         *(_amount(v) for v in row.amounts), _amount(row.total, "bold"))
        grid.add_row(Text(_("Total"), style="bold"), *(_amount(v, "bold") for v in data.bucket_totals),
                     _amount(data.total, "bold"))
        return grid

    @staticmethod
    def _status(data: ReceivablesSummary) -> Text:
        line = Text()
        if data.overdue:
            line.append(f" {_('Collection follow-ups due: {n}').format(n=data.overdue)} ", style=OVERDUE_STYLE)
        else:
            line.append(_("No collection follow-up due"), style="dim")
        line.append("  " + _("Credit {amount}").format(amount=format_money(data.unapplied)))
        tie = data.tie
        line.append("  ")
        if tie.ties:
            line.append(_("✓ ties to the settlements"), style="green")
        else:
            line.append(_("✗ off by {amount} on {n} orders").format(amount=format_money(tie.difference),
                                                                      n=tie.orders_off), style="bold red")
        return line

    @staticmethod
    def _cells(i: ReceivableItem) -> tuple[Any, ...]:
        age = Text(str(i.age_days), justify="right", style="bold" if i.bucket == BUCKETS[-1] else "")
        if i.next_action_on is not None:
            next_on = Text(i.next_action_on.isoformat(), style=OVERDUE_STYLE if i.overdue else "")
        elif i.due_on is not None:  # no date set to chase: the payer's due date says when
            next_on = Text(_("due {day}").format(day=i.due_on.strftime("%m-%d")), style=OVERDUE_STYLE if i.overdue else "dim")
        else:
            next_on = Text("—", style="dim")
        due = Text(i.due_on.isoformat() if i.due_on else "—", style="bold red" if i.overdue and i.due_on else "")
        return (Text(i.order_number, style="bold"), i.plate, clip(i.payer_name or payer_kind_title(i.payer_kind), 10),
                Text(format_money(i.open_amount), justify="right", style="bold"), age, next_on, due,
                Text(format_money(i.amount), justify="right"))

    # The pane ------------------------------------------------------------------------------------

    def detail(self, item: ReceivableItem) -> Text:
        text = Text()
        text.append(f"{payer_kind_title(item.payer_kind)} · {item.payer_name or '—'}", style="bold")
        text.append("  " + _("since {day}, {days} days").format(day=item.created_on.isoformat(), days=item.age_days))
        text.append("\n")
        text.append(_("{amount}: paid {paid}, written off {off}").format(
            amount=format_money(item.amount), paid=format_money(item.paid), off=format_money(item.written_off)))
        last = [line for line in item.note.splitlines() if line.strip()]
        text.append("\n")
        text.append(last[-1] if last else _("No notes yet: F records a follow-up."), style="dim")
        return text

    def empty_detail(self) -> Text | None:
        return None

    # Keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_up":
            return allowed(self.actor.role, "receivable.follow_up")
        if action == "open_order":
            return any(allowed(self.actor.role, need) for _key, need in ORDER_SCREENS)
        return True

    def why_not(self, action: str) -> str | None:
        if action == "open_order":
            return _("Your role cannot open an order's payments or history.")
        return None

    def _selected(self) -> ReceivableItem | None:
        item = self.selected_in("rv-items")
        if item is None:
            self.notify(_("No receivable selected."), severity="warning")
        return item

    def action_kind(self, kind: str) -> None:
        self.payer_kind = PayerKind(kind) if kind else None
        self._reread()

    def action_bucket(self) -> None:
        order = (None, *BUCKETS)
        self.bucket = order[(order.index(self.bucket) + 1) % len(order)]
        self._reread()

    def action_overdue(self) -> None:
        self.overdue_only = not self.overdue_only
        self._reread()

    def _reread(self) -> None:
        self.notify(_("Showing: {what}").format(what=self._choice()), timeout=2)
        self.action_refresh()

    def action_open_order(self) -> None:
        item = self._selected()
        if item is None:
            return
        for key, need in ORDER_SCREENS:
            if allowed(self.actor.role, need):
                self.fd.open_destination(key, order_id=item.order_id)
                return

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_order()

    def action_follow_up(self) -> None:
        item = self._selected()
        if item is None:
            return
        summary = _("{order} · {plate} · {payer} · open {amount}").format(
            order=item.order_number, plate=item.plate, payer=item.payer_name or payer_kind_title(item.payer_kind),
            amount=format_money(item.open_amount))
        self.app.push_screen(CollectionNoteDialog(item.receivable_id, item.version, item.next_action_on, item.note,
                                                  summary=summary), self._followed_up)

    def _followed_up(self, outcome: object) -> None:
        """The lists are read again as the screen shows again (``on_screen_resume``)."""
        if self.answered(outcome) is not None:
            self.notify(_("Follow-up recorded."), timeout=4)

    def action_export(self) -> None:
        data = self.data
        day = data.summary.on if data is not None else None
        name = f"receivables_{day.isoformat()}.xlsx" if day else "receivables.xlsx"
        path = self.services.settings.resolved_pdf_dir() / name
        self.call_service(receivables.export_receivables, self.services, self.actor, path, then=self._exported)

    def _exported(self, done: Any) -> None:
        self.notify(_("Receivables saved ({n} open): {path}").format(n=done.rows, path=done.path), title=_("Exported"),
                    timeout=10)


def _amount(value: Any, style: str = "") -> Text:
    """Money in the grid: a dash for nothing, so what is owed stands out."""
    if not value:
        return Text("—", style="dim")
    return Text(format_money(value), style=style)
