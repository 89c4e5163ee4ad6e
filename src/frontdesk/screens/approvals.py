"""The approvals queue (advisor): additional work found in the workshop, waiting for the customer.

Each row is one proposed job (增项) with the customer's name and phone number, the job,
its hours and amount; below the list the selected job's detail: the parts (a part that
cannot be held from stock is marked SHORT: it has to be ordered), what the technician
found and when, who proposed it, the promised time, and what the order comes to if the
customer says yes. The advisor calls, then records the answer:

- A: approved, D: declined. Who answered (the customer by default), how (phone, in
  person, WeChat, text message), a note; the time is now. An approved job joins the order
  and its total (the new total is shown) and goes to the technician who has the car; a
  declined one stays a declined recommendation for the next visit (a safety-related one is
  signed for at settlement). An approval with hours to it then offers a new promised time
  (the promise moved on by those hours): F6 records it as a slip the customer was told of
  (the board shows the new time), Esc keeps the promise as it is.
- S: a schedule slip for the selected car: the new promised time and what the customer
  was told.

Under the queue, what was decided today (and the slips reported), newest first. Tab
moves between the two lists. The screen reads the queue again by itself when anything
changes in the store (the store's change counter, asked every two seconds), so a job a
technician proposes appears without F5.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from frontdesk.i18n import gettext as _
from frontdesk.keys import binding
from frontdesk.labels import CHANNEL, PAY_TYPE, label
from frontdesk.services import approval_views, approvals, workshop
from frontdesk.services.approval_views import ApprovalItem, ApprovalsQueue, DecidedItem
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError
from frontdesk.services.money import Totals, format_money
from frontdesk.widgets.list_table import clip, qty_text, when

from .base import LiveScreen
from .decision import Answer, DecisionDialog, Slip, SlipDialog
from .list_detail import ListDetailScreen, ListLayout, count_head, list_keys

NAME_CELLS = 12
JOB_CELLS = 22
SHORT_STYLE = "bold white on red"
SAFETY_STYLE = "bold yellow"


@dataclass(frozen=True)
class Decided:
    """What a recorded answer left: the job's new state and the order's totals now."""

    item: ApprovalItem
    approved: bool
    totals: Totals
    answer: Answer | None = None


def decide(services: Services, actor: Actor, item: ApprovalItem, answer: Answer) -> Decided:
    workshop.record_decision(services, actor, item.job_id, approved=answer.approved, decided_by=answer.who,
                             channel=answer.channel, note=answer.note, expected_version=item.job_version)
    return Decided(item, answer.approved, approval_views.order_totals(services, item.order_id), answer)



class ApprovalsScreen(LiveScreen, ListDetailScreen):
    """``ApprovalsScreen()``: additional work waiting for the customer; their answers; schedule slips."""

    CSS_PATH = "../assets/styles/approvals.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    LAYOUT = ListLayout(("waiting", "decided"), head="ap-head", detail="ap-detail", list_class="ap-list")

    BINDINGS = [
        binding("a", "approve", "Approved", tooltip="The customer approved the selected work: record who, how, when"),
        binding("d", "decline", "Declined",
                tooltip="The customer declined the selected work: it stays a recommendation for the next visit"),
        binding("s", "slip", "Schedule slip", tooltip="The car will be late: the new promised time and what the customer was told"),
        *list_keys("Read the queue again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._queue: ApprovalsQueue | None = None
        self._last: Text | None = None  # what the last recorded answer left (the new total)

    def loading_text(self) -> str:
        return _("Loading the queue…")

    def on_mount(self) -> None:
        self.table("waiting").add_columns(
            _("Plate"), _("Customer"), _("Phone"), _("Work found"), _("Amount"), _("Promised"), _("Found at"),
            _("Hours"), _("Order no."), _("Found by"), _("Model"), _("Advisor"))
        self.table("decided").add_columns(
            _("Time"), _("Plate"), _("Answer"), _("Work / new time"), _("Amount"), _("Answered by"), _("How"),
            _("Note"), _("Recorded by"), _("Order no."))
        self._titles()
        self.follow_store()

    # Reading ------------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> ApprovalsQueue:
        return approval_views.approvals_queue(services, actor)

    def show(self, queue: ApprovalsQueue) -> None:
        self._queue = queue
        today = queue.taken_at.date()
        self.fill("waiting", [(f"j{i.job_id}", i, self._waiting_cells(i, today)) for i in queue.waiting])
        self.fill("decided", [(f"e{n}", d, self._decided_cells(d, today)) for n, d in enumerate(queue.decided_today)])
        self._titles()
        self._show_head()
        self.show_detail()

    def _waiting_cells(self, i: ApprovalItem, today: dt.date) -> tuple[Any, ...]:
        work = Text(clip(i.description, JOB_CELLS))
        if i.safety:
            work.append(" ⚠", style=SAFETY_STYLE)
        promised = Text(when(i.promised_at, today), style="bold red" if i.overdue else "")
        return (Text(i.plate, style="bold"), clip(i.customer_name, NAME_CELLS), i.phone, work,
                Text(format_money(i.amount), justify="right"), promised, when(i.proposed_at, today),
                qty_text(i.hours), i.order_number, i.proposed_by, i.model, i.advisor)

    def _decided_cells(self, d: DecidedItem, today: dt.date) -> tuple[Any, ...]:
        answer = {
            "approved": Text(_("Approved"), style="bold green"),
            "declined": Text(_("Declined"), style="bold yellow"),
            "slip": Text(_("Schedule slip"), style="bold cyan"),
        }[d.kind]
        what = clip(d.description, JOB_CELLS) if d.kind != "slip" else (
            f"{when(d.promised_before, today)} → {when(d.promised_after, today)}")
        amount = Text(format_money(d.amount), justify="right") if d.amount is not None else ""
        return (when(d.at, today), Text(d.plate, style="bold"), answer, what, amount, clip(d.answered_by, NAME_CELLS),
                label(CHANNEL, d.channel), clip(d.note, 24), d.recorded_by, d.order_number)

    def _titles(self) -> None:
        q = self._queue
        self.table("waiting").border_title = _("Waiting for the customer ({n})").format(n=len(q.waiting) if q else 0)
        self.table("decided").border_title = _("Decided today ({n})").format(n=len(q.decided_today) if q else 0)

    def _show_head(self) -> None:
        q = self._queue
        assert q is not None
        head = count_head(q.waiting, _("{n} waiting for a decision"), _("Nothing waiting for a customer's decision."))
        if self._last is not None:
            head.append("   ")
            head.append_text(self._last)
        self.show_head(head)

    @property
    def selected(self) -> ApprovalItem | None:
        return self.selected_in("waiting")

    def _selected_decided(self) -> DecidedItem | None:
        return self.selected_in("decided")

    def detail(self, i: ApprovalItem) -> Text:
        today = self._queue.taken_at.date() if self._queue else dt.date.today()
        text = Text()
        text.append(f"{i.description}", style="bold")
        if i.safety:
            text.append(" ⚠ " + _("safety-related"), style=SAFETY_STYLE)
        text.append(f"  {qty_text(i.hours)} h  {format_money(i.labor_amount)}  {label(PAY_TYPE, i.pay_type)}")
        text.append("\n")
        if i.parts:
            text.append(_("Parts") + ": ", style="dim")
            for n, p in enumerate(i.parts):
                if n:
                    text.append(" · ")
                text.append(f"{p.name} ×{qty_text(p.qty)} {format_money(p.amount)}")
                if p.short:
                    text.append(" " + _("SHORT") + " ", style=SHORT_STYLE)
        else:
            text.append(_("No parts"), style="dim")
        text.append("\n")
        found = _("Found by {who} at {time}").format(who=i.proposed_by or "—", time=when(i.proposed_at, today))
        text.append(found, style="dim")
        if i.note:
            text.append(": ")
            text.append(i.note)
        if i.waiting_jobs:
            text.append("  ")
            text.append(_("{n} job(s) paused for the answer").format(n=i.waiting_jobs), style="bold yellow")
        text.append("\n")
        text.append(_("Call {name} {phone}").format(name=i.customer_name, phone=i.phone), style="bold")
        if i.brought_by and i.brought_by != i.customer_name:
            text.append("  " + _("(brought by {name})").format(name=i.brought_by), style="dim")
        text.append("  " + _("Promised {time}").format(time=when(i.promised_at, today)),
                    style="bold red" if i.overdue else "")
        text.append("\n")
        text.append(_("Order now {now} → if approved {total}").format(
            now=format_money(i.order_total), total=format_money(i.total_if_approved)))
        text.append("  " + _("customer pays {amount}").format(amount=format_money(i.customer_pays_if_approved)),
                    style="dim")
        return text

    # Recording --------------------------------------------------------------------------------------

    def _need_selected(self) -> ApprovalItem | None:
        item = self.selected
        if item is None:
            self.notify(_("Nothing waiting for a customer's decision."), severity="warning")
        return item

    def action_approve(self) -> None:
        self._ask(True)

    def action_decline(self) -> None:
        self._ask(False)

    def _ask(self, approved: bool) -> None:
        item = self._need_selected()
        if item is None:
            return
        now = self.services.clock()
        if approved:
            title = _("Customer approves · {plate} · {job}").format(plate=item.plate, job=item.description)
            summary = _("{amount} for this work: the order comes to {total} (the customer pays {payable}).").format(
                amount=format_money(item.amount), total=format_money(item.total_if_approved),
                payable=format_money(item.customer_pays_if_approved))
            if any(p.short for p in item.parts):
                summary += "\n" + _("A part is not in stock: it has to be ordered, which may move the promised time.")
        else:
            title = _("Customer declines · {plate} · {job}").format(plate=item.plate, job=item.description)
            summary = _("It is not done and stays a declined recommendation for the next visit; the order stays at {total}.").format(
                total=format_money(item.order_total))
            if item.safety:
                summary += "\n" + _("It is safety-related: the customer signs for it at settlement.")

        def save(answer: Answer) -> Decided:
            return decide(self.services, self.actor, item, answer)

        self.app.push_screen(DecisionDialog(approved=approved, title=title, summary=summary,
                                            customer=item.customer_name, now=now, save=save), self._decided)

    def _decided(self, answer: Decided | FrontdeskError | None) -> None:
        outcome = self.answered(answer)
        if outcome is None:
            return
        item = outcome.item
        last = Text()
        if outcome.approved:
            last.append(f" {_('Approved')} ", style="bold black on green")
            last.append(" " + _("{plate}: the order comes to {total}").format(
                plate=item.plate, total=format_money(outcome.totals.gross)))
            message = _("Approved: {job}. The order comes to {total} now; the customer pays {payable}.").format(
                job=item.description, total=format_money(outcome.totals.gross),
                payable=format_money(outcome.totals.customer_payable))
            self.notify(message, title=item.plate, timeout=8)
            if item.hours > 0:
                self._offer_new_promise(item, outcome.answer)
        else:
            last.append(f" {_('Declined')} ", style="bold black on yellow")
            last.append(" " + _("{plate}: kept as a recommendation").format(plate=item.plate))
            message = _("Declined: {job}. It stays a recommendation for the next visit.").format(job=item.description)
            if item.safety:
                message += " " + _("It is safety-related: the customer signs for it at settlement.")
            self.notify(message, title=item.plate, severity="warning" if item.safety else "information", timeout=8)
        self._last = last
        self.action_refresh()

    def _offer_new_promise(self, item: ApprovalItem, answer: Answer | None) -> None:
        """The added hours move the promise: offer the new time, to record as a slip the customer was told of."""
        now = self.services.clock()
        offered = approvals.promise_after_added_work(item.promised_at, now, item.hours)
        who = answer.who if answer is not None else item.customer_name
        told = _("Additional work approved: {job} (+{hours} h)").format(job=item.description, hours=qty_text(item.hours))

        def save(slip: Slip) -> Slip:
            approvals.report_slip(self.services, self.actor, item.order_id, promised_at=slip.promised_at,
                                  told=slip.told, channel=slip.channel,
                                  note=slip.note or told)
            return slip

        self.app.push_screen(SlipDialog(
            title=_("New promised time for the added work? · {plate} (+{hours} h)").format(
                plate=item.plate, hours=qty_text(item.hours)),
            current=when(item.promised_at, now.date()), proposed=offered, customer=who, now=now, save=save,
        ), self._slipped)

    def action_slip(self) -> None:
        target = self._slip_target()
        if target is None:
            self.notify(_("Pick a car in one of the lists first."), severity="warning")
            return
        order_id, number, plate, customer, promised = target
        now = self.services.clock()
        today = now.date()
        base = promised if promised is not None and promised > now else now
        proposed = (base + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
        proposed -= dt.timedelta(minutes=proposed.minute % 30)

        def save(slip: Slip) -> Slip:
            approvals.report_slip(self.services, self.actor, order_id, promised_at=slip.promised_at,
                                  told=slip.told, channel=slip.channel, note=slip.note)
            return slip  # what was recorded

        self.app.push_screen(SlipDialog(
            title=_("Schedule slip · {number} · {plate}").format(number=number, plate=plate),
            current=when(promised, today), proposed=proposed, customer=customer, now=now, save=save,
        ), self._slipped)

    def _slip_target(self) -> tuple[int, str, str, str, dt.datetime | None] | None:
        if self.focused is self.table("decided"):
            d = self._selected_decided()
            if d is None:
                return None
            return d.order_id, d.order_number, d.plate, d.customer_name, d.promised_at
        i = self.selected
        if i is None:
            return None
        return i.order_id, i.order_number, i.plate, i.customer_name, i.promised_at

    def _slipped(self, answer: Any) -> None:
        slip = self.answered(answer)
        if not isinstance(slip, Slip):
            return
        self.notify(_("New promised time {time} recorded.").format(time=slip.promised_at.strftime("%m-%d %H:%M")),
                    timeout=6)
        self.action_refresh()
