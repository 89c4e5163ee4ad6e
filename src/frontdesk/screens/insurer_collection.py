"""The insurance clerk's home (保险应收): what insurers owe, oldest first, and chasing it.

One row per open insurer receivable: the follow-ups that have come due first (red), then by
age (the aging bucket beside it), with the insurer, the report number, what is open, whether
the papers were delivered, and the next date to chase. Enter opens the claim's accident
record; F records a follow-up (what was said, the next date); Space marks claims and R
records one transfer from their insurer applied to them (or to the claim under the cursor);
W (the manager) writes a short-paid rest off; G shows the gap between assessed and paid.

Below (Tab): the accident repairs still in the house — orders not yet settled with an
accident record or work billed to an insurer (services/accidents.py ``accident_repairs``),
so the clerk follows a claim from the report number while the car is in the workshop
(定损, 追加定损, the papers) before any receivable exists: plate, insurer, report number,
assessed total, the papers missing. Enter opens its accident record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from frontdesk.i18n import gettext as _
from frontdesk.keys import binding
from frontdesk.labels import status as status_label
from frontdesk.model.enums import PayerKind
from frontdesk.services import accidents, ledger
from frontdesk.services.accidents import DOCUMENTS, AccidentRepairRow, CollectionRow
from frontdesk.services.money import ZERO, format_money
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import Col, clip, fixed_columns

from .accident_dialogs import (
    GapReportScreen,
    InsurerPaymentDialog,
    PaymentEntry,
    WriteOffDialog,
)
from .base import LiveScreen
from .collection_note import CollectionNoteDialog
from .list_detail import (
    OVERDUE_STYLE,
    ListDetailScreen,
    ListLayout,
    count_head,
    list_keys,
)


@dataclass(frozen=True)
class CollectionBoard:
    queue: list[CollectionRow]
    in_house: list[AccidentRepairRow]


class InsurerCollectionScreen(LiveScreen, ListDetailScreen):
    """``InsurerCollectionScreen()``: the insurers' open receivables, the accident repairs in the house; Enter opens."""

    CSS_PATH = "../assets/styles/insurer_collection.tcss"
    LAYOUT = ListLayout(("ic-queue", "ic-house"), head="ic-head", detail="ic-detail",
                        detail_of=("ic-queue", "ic-house"))

    BINDINGS = [
        binding("enter", "open", "Open claim", key_display="Enter",
                tooltip="The accident record of the highlighted claim or repair (Tab: the repairs in the house)"),
        binding("f", "follow_up", "Follow-up", tooltip="Record a call to the insurer and the next date to chase"),
        binding("space", "mark", "Mark", key_display="Space",
                tooltip="Mark the claim for one insurer payment (again: unmark)"),
        binding("r", "payment", "Insurer payment",
                tooltip="Record one transfer from the insurer, applied to the marked claims (or the highlighted one)"),
        binding("g", "gap", "Gap report", tooltip="Assessed against paid for the claims closed in a month"),
        binding("w", "write_off", "Write off rest", tooltip="The insurer paid short: write the rest off (manager)"),
        *list_keys("Read the queue again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[CollectionRow] = []
        self._in_house: list[AccidentRepairRow] = []
        self._marked: set[int] = set()  # receivable ids

    def loading_text(self) -> str:
        return _("Loading the list…")

    def on_mount(self) -> None:
        fixed_columns(self.table("ic-queue"), Col("", 1), Col(_("Plate"), 9, whole=True),
                      Col(_("Insurer"), 10, keep=5), Col(_("Report no."), 13, keep=8),
                      Col(_("Open"), 10, whole=True, keep=9), Col(_("Age"), 4, keep=7), Col(_("Papers"), 4, keep=4),
                      Col(_("Next"), 5, keep=6), Col(_("Note"), 12, keep=1, shrink=True),
                      Col(_("Order no."), 18, whole=True, keep=2))
        fixed_columns(self.table("ic-house"), Col(_("Plate"), 9, whole=True), Col(_("Insurer"), 10, keep=7),
                      Col(_("Report no."), 13, keep=8), Col(_("Assessed"), 10, whole=True, keep=6),
                      Col(_("Papers"), 5, keep=5), Col(_("Status"), 8, keep=3),
                      Col(_("Order no."), 18, whole=True, keep=4))
        self.follow_store()

    # Reading ------------------------------------------------------------------------------------

    def load(self, services: Any, actor: Any) -> CollectionBoard:
        return CollectionBoard(accidents.collection_queue(services, actor), accidents.accident_repairs(services, actor))

    def show(self, board: CollectionBoard) -> None:
        rows = self._rows = board.queue
        self._in_house = board.in_house
        house = self.fill("ic-house", ((f"o{r.order_id}", r, self._house_cells(r)) for r in board.in_house))
        house.border_title = _("Accident repairs in the house ({n})").format(n=len(board.in_house))
        self._marked &= {r.receivable_id for r in rows}
        table = self.fill("ic-queue", ((f"r{r.receivable_id}", r, self._cells(r)) for r in rows))
        table.border_title = _("Insurer receivables ({n})").format(n=len(rows))
        head = count_head(rows, _("{n} open claims"), _("No insurer owes anything now."))
        if rows:
            head.append("   " + _("open in all {amount}").format(
                amount=format_money(sum((r.open_amount for r in rows), ZERO))), style="dim")
            head.append("   " + _("Enter: the claim"), style="dim")
        if board.in_house:
            head.append("  " + _("{n} in the house").format(n=len(board.in_house)), style="bold")  # Tab: the list
        self.show_head(head)
        self.show_detail()

    def _cells(self, r: CollectionRow) -> tuple[Any, ...]:
        mark = Text("●", style="bold cyan") if r.receivable_id in self._marked else ""
        late = r.bucket in ledger.BUCKETS[2:]
        nxt = Text(r.next_action_on.strftime("%m-%d"), style=OVERDUE_STYLE) if r.overdue and r.next_action_on else (
            r.next_action_on.strftime("%m-%d") if r.next_action_on else "—")
        papers = Text("✔", style="green") if r.papers_delivered_on else Text(_("no"), style="yellow")
        return (mark, r.plate, clip(r.insurer or "—", 10), clip(r.report_no or "—", 13),
                Text(format_money(r.open_amount), justify="right", style="bold" if r.paid else ""),
                Text(_("{n}d").format(n=r.age_days), justify="right", style="bold red" if late else ""), papers, nxt,
                clip(r.note, 30), r.order_number)

    def _house_cells(self, r: AccidentRepairRow) -> tuple[Any, ...]:
        missing = len(r.missing)
        papers = Text("✔", style="green") if not missing else Text(f"-{missing}", style="yellow")
        return (r.plate, clip(r.insurer or "—", 10), clip(r.report_no or "—", 13),
                Text(format_money(r.total_assessed), justify="right") if r.total_assessed is not None
                else Text("—", style="dim"), papers, clip(status_label(r.status), 8), r.order_number)

    def _house_detail(self, r: AccidentRepairRow) -> Text:
        text = Text()
        text.append(f"{r.plate}  {r.insurer or '—'}  ", style="bold")
        text.append(_("Report no. {no}").format(no=r.report_no or "—"))
        text.append(f"  {r.order_number} · {status_label(r.status)}\n", style="dim")
        if r.accident_id is None:
            text.append(_("Work billed to an insurer, no accident record yet: Enter opens it."), style="yellow")
            return text
        text.append(_("Assessed {amount}").format(amount=format_money(r.total_assessed)) if r.total_assessed is not None
                    else _("Not assessed yet"), style="" if r.total_assessed is not None else "yellow")
        text.append(" · ")
        text.append(_("{n} of {all} papers missing").format(n=len(r.missing), all=len(DOCUMENTS)) if r.missing
                    else _("Every paper received"), style="yellow" if r.missing else "green")
        if r.papers_delivered_on:
            text.append(" · " + _("Papers delivered {day}").format(day=r.papers_delivered_on.isoformat()),
                        style="green")
        return text

    def detail(self, item: Any) -> Text:
        if isinstance(item, AccidentRepairRow):
            return self._house_detail(item)
        r: CollectionRow = item
        text = Text()
        text.append(f"{r.plate}  {r.insurer or '—'}  ", style="bold")
        text.append(_("Report no. {no}").format(no=r.report_no or "—"))
        text.append(f"  {r.order_number}\n", style="dim")
        text.append(_("Owes {amount} · paid {paid} · open {open} · {days} days ({bucket})").format(
            amount=format_money(r.amount), paid=format_money(r.paid), open=format_money(r.open_amount),
            days=r.age_days, bucket=r.bucket))
        text.append("\n")
        text.append(_("Papers delivered {day}").format(day=r.papers_delivered_on.isoformat()) if r.papers_delivered_on
                    else _("Papers not delivered"), style="green" if r.papers_delivered_on else "yellow")
        if r.next_action_on:
            text.append(" · " + _("chase on {day}").format(day=r.next_action_on.isoformat()),
                        style="bold red" if r.overdue else "")
        if r.note:
            text.append(" · " + r.note, style="dim")
        return text

    def empty_detail(self) -> Text | None:
        return None

    def on_descendant_focus(self) -> None:
        """Tab to the other list: the pane describes its highlighted row (the focus lands after Tab's own call)."""
        self.show_detail()

    # Keys ---------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # the insurance clerk's home: Esc would pop it and leave a blank terminal
            return self.app.screen_stack.index(self) > 1 if self in self.app.screen_stack else False
        if action == "follow_up":
            return True if allowed(self.actor.role, "receivable.follow_up") else None
        if action in ("payment", "mark"):
            return True if allowed(self.actor.role, "remittance.apply") else None
        if action == "write_off":
            return True if allowed(self.actor.role, "receivable.write_off") else None
        return True

    def why_not(self, action: str) -> str | None:
        if action == "write_off":
            return _("Only the service manager writes off what an insurer does not pay.")
        return _("Your role may look at this list but not record payments or follow-ups.")

    def _current(self) -> CollectionRow | None:
        if self.focused is self.table("ic-house"):  # the keys below Enter act on what insurers owe
            self.notify(_("This key acts on the insurer receivables: Tab back to them."), severity="warning",
                        timeout=4)
            return None
        row = self.selected_in("ic-queue")
        if row is None:
            self.notify(_("No claim selected."), severity="warning", timeout=3)
        return row

    def action_open(self) -> None:
        row = self.highlighted()
        if isinstance(row, CollectionRow | AccidentRepairRow):
            self.fd.open_destination("accident", order_id=row.order_id)
        else:
            self.notify(_("No claim selected."), severity="warning", timeout=3)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_mark(self) -> None:
        row = self._current()
        if row is None:
            return
        self._marked ^= {row.receivable_id}
        self.table("ic-queue").update_cell(f"r{row.receivable_id}", "col0", self._cells(row)[0])
        self.table("ic-queue").action_cursor_down()

    def action_follow_up(self) -> None:
        row = self._current()
        if row is None:
            return
        self.app.push_screen(CollectionNoteDialog(
            row.receivable_id, row.receivable_version, row.next_action_on, row.notes,
            title=_("Follow-up · {insurer} · {no}").format(insurer=row.insurer, no=row.report_no),
            summary=f"{row.plate}  {row.order_number}  {format_money(row.open_amount)}"), self.saved)

    def action_payment(self) -> None:
        chosen = [r for r in self._rows if r.receivable_id in self._marked]
        if not chosen:
            row = self._current()
            if row is None:
                return
            chosen = [row]
        insurers = {r.insurer for r in chosen}
        if len(insurers) > 1:
            self.notify(_("The marked claims are owed by different insurers: one payment comes from one insurer."),
                        severity="warning", timeout=6)
            return
        insurer = chosen[0].insurer
        if not insurer:
            self.notify(_("This claim names no insurer yet: open its accident record (Enter)."), severity="warning",
                        timeout=6)
            return

        def save(entry: PaymentEntry) -> Any:
            data = ledger.RemittanceInput(PayerKind.INSURER, insurer, entry.amount, entry.reference, entry.received_on)
            allocations = [ledger.AllocationInput(rid, amount, version) for rid, amount, version in entry.applied]
            return accidents.receive_payment(self.services, self.actor, data, allocations)

        self.app.push_screen(InsurerPaymentDialog(insurer=insurer, claims=chosen, today=self.services.clock().date(),
                                                  save=save), self._paid)

    def _paid(self, outcome: Any) -> None:
        done = self.answered(outcome)
        if done is None:
            return
        self._marked.clear()
        text = _("Payment recorded: {applied} applied").format(applied=format_money(done.applied))
        if done.unapplied:
            text += " · " + _("{credit} kept as the insurer's credit").format(credit=format_money(done.unapplied))
        self.notify(text, timeout=6)
        self.action_refresh()

    def action_write_off(self) -> None:
        row = self._current()
        if row is None:
            return

        def save(reason: str) -> Any:
            return accidents.write_off_rest(self.services, self.actor, row.receivable_id, reason,
                                            expected_version=row.receivable_version)

        self.app.push_screen(WriteOffDialog(
            title=_("Write off {amount} · {insurer}").format(amount=format_money(row.open_amount), insurer=row.insurer),
            summary=_("{plate} · report no. {no}: paid {paid} of {amount}").format(
                plate=row.plate, no=row.report_no, paid=format_money(row.paid), amount=format_money(row.amount)),
            save=save), self.saved)

    def action_gap(self) -> None:
        self.app.push_screen(GapReportScreen(services=self.services, actor=self.actor,
                                             today=self.services.clock().date()))
