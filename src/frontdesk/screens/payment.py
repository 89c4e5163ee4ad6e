"""The cashier's payment screen (收银): payments until the customer share is covered, then the gate pass.

On top what the customer pays, what is paid and what is still due; the payments taken (a
voided one stays listed, struck through, with who voided it and why). A letter picks the
method — C cash, B bank card, W WeChat Pay, A Alipay, T bank transfer — and puts the cursor
in the amount, which starts at what is due; for cash the amount handed over is asked too and
the change is shown as it is typed. Enter (or F6) takes the payment. Esc in a field goes back
to the list.

M rounds the small change off (抹零, on the cashier's own authority): the customer then pays
the amount typed (what is still due after this payment's amount), or, with nothing changed
in the field, the due rounded down as far as the store's ``round_off`` setting allows (to
the jiao or the yuan); beyond the setting it is refused with what is allowed.

V voids the highlighted payment (a reason and a manager's password), K records credit for
a known account (a manager's password unless a manager is signed in), F8 prints the
settlement statement, G issues and prints the gate pass (出门证) — refused, with the reason,
until the order is paid or credit-approved and any declined safety item acknowledged.
S goes to the settlement (to change it, void the payments first).

A car on a key account (services/accounts.py) shows the account under the head — its name,
what it owes against its limit, or that it is suspended — and F7 charges what is due to the
account instead (挂账): the order settles and G gives the gate pass. Above the limit a
manager's password is asked (the approval dialog); a suspended account is refused on the
error line, and the customer pays at the counter.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import PRINT, REFRESH, SAVE, back, binding, group
from frontdesk.labels import PAY_TYPE, PAYMENT_METHOD, label
from frontdesk.model.enums import OrderStatus, PaymentKind, PaymentMethod, Role
from frontdesk.services import accounts, cashier_views, desk, settlement
from frontdesk.services.accounts import AccountBadge
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.cashier_views import PaymentRow, SettlementView
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError, PermissionDenied, ValidationError
from frontdesk.services.money import format_money, parse_money, round_off_choices, round_off_label
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns, when

from .order_bill import OrderBillScreen, bill_head
from .printing import print_one, say_printed

#: The method keys, in the order the line under the list shows them.
METHOD_KEYS = {"c": PaymentMethod.CASH, "b": PaymentMethod.CARD, "w": PaymentMethod.WECHAT,
               "a": PaymentMethod.ALIPAY, "t": PaymentMethod.TRANSFER}
FIELDS = ("amount", "tendered", "reference")
VOID_STYLE = "dim strike"


def take(services: Services, actor: Actor, order_id: int, method: PaymentMethod, amount: Decimal,
         tendered: Decimal | None, reference: str) -> SettlementView:
    settlement.take_payment(services, actor, order_id, method, amount, tendered=tendered, reference=reference)
    return cashier_views.settlement_view(services, actor, order_id)


def round_off(services: Services, actor: Actor, order_id: int, payable: Decimal, version: int) -> SettlementView:
    """抹零 to ``payable`` (refused beyond the store's setting), then the order read again."""
    settlement.round_off(services, actor, order_id, payable, expected_version=version)
    return cashier_views.settlement_view(services, actor, order_id)


def gate_pass(services: Services, actor: Actor, order_id: int, number: str, issue: bool) -> tuple[SettlementView, Any]:
    """Issue the gate pass (closing the order) unless it was issued already, then print it."""
    if issue:
        settlement.issue_gate_pass(services, actor, order_id)
    printed = print_one(services, "gate-pass", number)
    return cashier_views.settlement_view(services, actor, order_id), printed


def account_badge(services: Services, actor: Actor, order_id: int) -> AccountBadge | None:
    """The key account the order's car is billed to, if any (read once when the screen opens, again after a charge)."""
    if not allowed(actor.role, "account.view"):
        return None
    return accounts.account_for_vehicle(services, actor, desk.order_view(services, order_id).vehicle_id)


def charge(services: Services, actor: Actor, order_id: int, approval: ManagerApproval | None,
           version: int | None) -> SettlementView:
    """What is due charged to the car's account (a manager's approval above the limit), then the order read again."""
    accounts.charge_to_account(services, actor, order_id, approval=approval, expected_version=version)
    return cashier_views.settlement_view(services, actor, order_id)


PAY_BY = group("Method")  # the five method keys take one place in the footer


class PaymentScreen(OrderBillScreen):
    """``PaymentScreen(order_id)``: take payments by keys, void, credit, print the statement and gate pass."""

    CSS_PATH = "../assets/styles/payment.tcss"
    AUTO_FOCUS = "#payments"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    BINDINGS = [
        # In order of importance (the footer at 80 columns shows the first that fit; F1 all).
        binding("c", "method('cash')", "Cash", group=PAY_BY),
        binding("b", "method('card')", "Card", tooltip="Bank card", group=PAY_BY),
        binding("w", "method('wechat')", "WeChat", tooltip="WeChat Pay", group=PAY_BY),
        binding("a", "method('alipay')", "Alipay", group=PAY_BY),
        binding("t", "method('transfer')", "Transfer", tooltip="Bank transfer", group=PAY_BY),
        binding("f7", "charge", "Charge to account",
                tooltip="挂账: charge what is due to the car's key account; the gate pass follows"),
        binding(SAVE, "take", "Take payment", tooltip="Take the payment typed in"),
        binding(PRINT, "print", "Statement", tooltip="Print the settlement statement"),
        binding("g", "gate_pass", "Gate pass", tooltip="Issue and print the gate pass: the car may leave"),
        binding("m", "round_off", "Round off",
                tooltip="抹零: the customer pays the amount typed, the due rounded down within the store's setting"),
        binding("v", "void", "Void", tooltip="Void the highlighted payment (reason and a manager's password)"),
        binding("k", "credit", "Credit", tooltip="Let a known account pay later (a manager approves)"),
        binding("r", "refund", "Refund",
                tooltip="Pay back the highlighted payment, or the amount typed, after the order is paid (a manager approves)"),
        binding("s", "settlement", "Settlement", show=False, tooltip="Back to the settlement"),
        binding("u", "order_history", "Order history", show=False, tooltip="Who did what to this order, when, before and after"),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the order again"),
        back(),
    ]

    #: The permission each key needs: a key the signed-in role may not use is not offered at all.
    ACTION_PERMISSION = {"method": "payment.take", "take": "payment.take", "round_off": "payment.round_off",
                         "void": "payment.void",
                         "credit": "credit.approve", "gate_pass": "gate_pass.issue", "refund": "payment.refund"}

    TILL_ACTIONS = frozenset({"method", "take", "round_off", "void", "credit"})

    def __init__(self, order_id: int) -> None:
        super().__init__(order_id)
        self.method: PaymentMethod | None = None
        self.account: AccountBadge | None = None
        self._charging = Decimal(0)  # what was due when F7 was pressed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        permission = self.ACTION_PERMISSION.get(action)
        if permission is not None and not allowed(self.actor.role, permission):
            return False
        status = self.view.status if self.view is not None else None
        if action == "charge":  # a car on an account, delivered and not paid, and who may charge one
            return (self.account is not None and allowed(self.actor.role, "account.charge")
                    and status in (None, OrderStatus.DELIVERED))
        if action in self.TILL_ACTIONS and status is not None and status != OrderStatus.DELIVERED:
            return None  # paid or closed: shown dimmed, the till is done with this order
        if action == "refund" and status not in (OrderStatus.SETTLED, OrderStatus.CLOSED):
            return None
        return super().check_action(action, parameters)

    def charged(self, v: SettlementView) -> Decimal:
        """What the order's account was charged (挂账): the share neither paid nor due, on a car with an account."""
        if self.account is None or v.credit_approved_by or not v.prepared:
            return Decimal(0)
        return max(Decimal(0), v.customer_payable - v.paid - v.due)

    def why_not(self, action: str) -> str | None:
        """One line for a dimmed till key: the order was charged to its account, or is paid."""
        v = self.view
        if action == "refund":
            return _("A refund comes once the order is paid.")
        if action in self.TILL_ACTIONS and v is not None:
            if self.charged(v):
                return _("Charged to account {code}: nothing is taken at the till. G prints the gate pass.").format(
                    code=self.account.code if self.account else "")
            if v.status != OrderStatus.DELIVERED:
                return _("Order {number} is paid: the till is done with it.").format(number=v.number)
        return None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading…"), id="pay-head")
        yield Static("", id="pay-account")
        yield Static("", id="pay-summary")
        yield ListTable(id="payments")
        yield Static("", id="pay-methods")
        with Horizontal(id="pay-form"):
            yield Label(_("Amount"), classes="pay-label")
            yield Input(id="amount", max_length=14, compact=True, placeholder="0.00")
            yield Label(_("Handed over"), classes="pay-label", id="tendered-label")
            yield Input(id="tendered", max_length=14, compact=True, placeholder="0.00")
            yield Static("", id="pay-change")
        with Horizontal(id="pay-ref-row"):
            yield Label(_("Reference"), classes="pay-label")
            yield Input(id="reference", max_length=80, compact=True,
                        placeholder=_("Transaction or voucher number (optional)"))
        yield Static("", id="pay-errors", classes="field-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.query_one("#payments", ListTable), ("#", 2), (_("Time"), 5), (_("Method"), 12),
                      (_("Amount"), 11), (_("Handed over"), 11), (_("Change"), 9), (_("Note"), 28),
                      (_("Reference"), 12), (_("By"), 10))
        self._show_form()
        account_line = self.query_one("#pay-account", Static)
        account_line.display = False
        account_line.styles.padding = (0, 2)
        self.action_refresh()
        self.call_service(account_badge, self.services, self.actor, self.order_id, then=self._show_account,
                          group="payment-account", saves=False)

    def _show_account(self, badge: AccountBadge | None) -> None:
        self.account = badge
        line = self.query_one("#pay-account", Static)
        line.display = badge is not None
        self.refresh_bindings()
        if self.view is not None:
            self._show_summary(self.view)  # the charge to the account is named once the account is known
        if badge is None:
            return
        text = Text()
        text.append(" " + _("Charge account") + " ", style="bold reverse")
        text.append(f" {badge.code} {badge.name}  ", style="bold")
        if badge.suspended:
            text.append(_("suspended: the customer pays at the counter"), style="bold white on red")
        else:
            over = badge.open_balance > badge.credit_limit
            text.append(_("owes {open} / limit {limit}").format(open=format_money(badge.open_balance),
                                                              limit=format_money(badge.credit_limit)),
                        style="bold red" if over else "")
        line.update(text)

    # Reading ------------------------------------------------------------------------------------------

    def show(self, view: SettlementView) -> None:
        self.view = view
        self.refresh_bindings()  # what the till offers follows the order's status
        self._show_head(view)
        self._show_summary(view)
        self._show_payments(view)
        self._show_form()

    def _show_head(self, v: SettlementView) -> None:
        gate_pass = Text("  " + _("Gate pass {number}").format(number=v.gate_pass_no), style="bold green") \
            if v.gate_pass_no else None
        self.query_one("#pay-head", Static).update(bill_head(_("Payment"), v, gate_pass))

    def _show_summary(self, v: SettlementView) -> None:
        text = Text()
        if not v.prepared:
            text.append(_("The settlement is not saved yet: S opens it."), style="bold yellow")
            self.query_one("#pay-summary", Static).update(text)
            return
        text.append(f" {_('Customer pays {amount}').format(amount=format_money(v.customer_payable))} ", style="bold")
        text.append("  " + _("Paid {amount}").format(amount=format_money(v.paid)) + "  ")
        due_style = "bold white on red" if v.due > 0 else "bold black on green"
        text.append(" " + _("Due {amount}").format(amount=format_money(v.due)) + " ", style=due_style)
        if v.change_given:
            text.append("  " + _("change given {amount}").format(amount=format_money(v.change_given)), style="dim")
        if v.totals.rounding:
            text.append("  " + _("rounded off {amount}").format(amount=format_money(v.totals.rounding)), style="cyan")
        text.append("\n")
        for r in v.receivables:
            text.append(_("{payer} {amount} receivable").format(payer=label(PAY_TYPE, r.pay_type),
                                                              amount=format_money(r.amount)))
            text.append(" (" + (r.reference or _("no reference")) + ")  ", style="dim")
        charged = self.charged(v)
        if charged:
            text.append(_("Charged to account {code}: {amount}").format(
                code=self.account.code if self.account else "", amount=format_money(charged)) + "  ", style="bold cyan")
        if v.credit_approved_by:
            text.append(_("Credit approved by {name}").format(name=v.credit_approved_by) + "  ", style="bold cyan")
        if v.safety_ack_needed:
            if v.safety_acknowledged:
                text.append(_("Declined safety items acknowledged by {name}").format(name=v.safety_ack_by), style="green")
            else:
                text.append(_("Declined safety items not acknowledged"), style="bold yellow")
        if v.status == OrderStatus.SETTLED:
            text.append("  " + _("G prints the gate pass."), style="bold")
        self.query_one("#pay-summary", Static).update(text)

    def _show_payments(self, v: SettlementView) -> None:
        today = self.services.clock().date()
        rows = []
        for n, p in enumerate(v.payments, 1):
            style = VOID_STYLE if p.voided else ""
            cash = p.method == PaymentMethod.CASH
            note = ""
            if p.voided:
                note = _("void: {reason} ({who})").format(who=p.voided_by, reason=p.void_reason)
            elif p.kind == PaymentKind.REFUND:
                note = _("refund")
            rows.append((f"p{p.id}", (
                str(n), when(p.at, today), Text(label(PAYMENT_METHOD, p.method), style=style),
                Text(format_money(p.amount), style=style, justify="right"),
                Text(format_money(p.tendered), style=style, justify="right") if cash else "",
                Text(format_money(p.change), style=style, justify="right") if cash else "",
                Text(clip(note, 28), style="yellow" if p.voided else ""), clip(p.reference, 12), clip(p.by, 10),
            )))
        table = self.query_one("#payments", ListTable)
        table.refill(rows)
        table.border_title = _("Payments ({n})").format(n=sum(1 for p in v.payments if not p.voided))

    def _show_form(self) -> None:
        keys = Text()
        for key, method in METHOD_KEYS.items():
            chosen = method == self.method
            keys.append(f" {key.upper()} ", style="bold reverse" if chosen else "bold")
            keys.append(label(PAYMENT_METHOD, method) + "  ", style="bold" if chosen else "")
        self.query_one("#pay-methods", Static).update(keys)
        cash = self.method == PaymentMethod.CASH
        for widget_id in ("#tendered-label", "#tendered", "#pay-change"):
            self.query_one(widget_id).display = cash
        self._show_change()

    def _money(self, field: str) -> Decimal | None:
        raw = self.query_one(f"#{field}", Input).value.strip()
        if not raw:
            return None
        try:
            return parse_money(raw, field)
        except ValidationError:
            return None

    def _show_change(self) -> None:
        change = self.query_one("#pay-change", Static)
        amount, handed = self._money("amount"), self._money("tendered")
        if self.method != PaymentMethod.CASH or amount is None or handed is None:
            change.update("")
        elif handed < amount:
            change.update(Text(_("short {amount}").format(amount=format_money(amount - handed)), style="bold red"))
        else:
            change.update(Text(_("Change {amount}").format(amount=format_money(handed - amount)), style="bold green"))

    @on(Input.Changed, "#amount")
    @on(Input.Changed, "#tendered")
    def _typed(self) -> None:
        self._show_change()

    # Taking payments -----------------------------------------------------------------------------------

    def action_method(self, code: str) -> None:
        v = self.saved_view()
        if v is None:
            return
        if v.status != OrderStatus.DELIVERED or v.due <= 0:
            self.notify(_("Nothing is due on order {number}.").format(number=v.number), severity="warning")
            return
        self.method = PaymentMethod(code)
        amount = self.query_one("#amount", Input)
        amount.value = format_money(v.due, symbol=False).replace(",", "")
        self.query_one("#tendered", Input).value = ""
        self.query_one("#reference", Input).value = ""
        self.query_one("#pay-errors", Static).update("")
        self._show_form()
        amount.focus()
        amount.select_all()

    @on(Input.Submitted, "#amount")
    def _amount_done(self) -> None:
        if self.method == PaymentMethod.CASH:
            self.query_one("#tendered", Input).focus()
        else:
            self.action_take()

    @on(Input.Submitted, "#tendered")
    @on(Input.Submitted, "#reference")
    def _submitted(self) -> None:
        self.action_take()

    def action_take(self) -> None:
        v = self.view
        if v is None or self._busy:
            return
        if self.method is None:
            self.notify(_("Pick the method first: C cash, B card, W WeChat Pay, A Alipay, T transfer."),
                        severity="warning")
            return
        errors = self.query_one("#pay-errors", Static)
        errors.update("")
        raw = {f: self.query_one(f"#{f}", Input).value.strip() for f in FIELDS}
        try:
            amount = parse_money(raw["amount"], "amount")
            tendered = parse_money(raw["tendered"], "tendered") if self.method == PaymentMethod.CASH and raw["tendered"] \
                else None
        except ValidationError as exc:
            errors.update(exc.message)
            self.query_one(f"#{exc.field}", Input).focus()
            return
        self._busy = True
        self.call_service(take, self.services, self.actor, self.order_id, self.method, amount, tendered,
                          raw["reference"], then=self._taken, failed=self._refused)

    def _refused(self, error: FrontdeskError) -> None:
        self._busy = False
        message = error.message if isinstance(error, ValidationError) else str(error)
        self.query_one("#pay-errors", Static).update(message)
        if isinstance(error, ValidationError) and error.field in FIELDS:
            self.query_one(f"#{error.field}", Input).focus()
        self.show_error(error)
        self.action_refresh()

    def _taken(self, view: SettlementView) -> None:
        self._busy = False
        last = next((p for p in reversed(view.payments) if not p.voided), None)
        if last is not None:
            message = _("{method} {amount} taken.").format(method=label(PAYMENT_METHOD, last.method),
                                                           amount=format_money(last.amount))
            if last.change:
                message += " " + _("Give {amount} change.").format(amount=format_money(last.change))
            if view.due > 0:
                message += " " + _("Still due {amount}.").format(amount=format_money(view.due))
            else:
                message += " " + _("Paid in full: G prints the gate pass.")
            self.notify(message, title=view.plate, timeout=10)
        self.method = None
        for field in FIELDS:
            self.query_one(f"#{field}", Input).value = ""
        self.show(view)
        self.query_one("#payments", ListTable).focus()

    # 挂账 ------------------------------------------------------------------------------------------------

    def action_charge(self) -> None:
        v = self.saved_view()
        if v is None or self._busy or self.account is None:
            return
        if v.status != OrderStatus.DELIVERED or v.due <= 0:
            self.notify(_("Nothing is due on order {number}.").format(number=v.number), severity="warning")
            return
        self._busy = True
        self._charging = v.due
        self.query_one("#pay-errors", Static).update("")
        self.call_service(charge, self.services, self.actor, self.order_id, None, v.version, then=self._charged,
                          failed=self._charge_refused)

    def _charge_refused(self, error: FrontdeskError) -> None:
        """Above the limit a manager approves on the spot; anything else is said on the error line."""
        if not isinstance(error, PermissionDenied) or self.account is None:
            self._refused(error)
            return
        self._busy = False
        self.query_one("#pay-errors", Static).update(str(error))
        from .manager_approval import ManagerApprovalScreen

        services, actor, order_id, badge = self.services, self.actor, self.order_id, self.account

        def save(approval: ManagerApproval, _reason: str) -> SettlementView:
            return charge(services, actor, order_id, approval, None)

        def approved(outcome: SettlementView | FrontdeskError | None) -> None:
            if isinstance(outcome, SettlementView):
                self._charged(outcome)
            elif outcome is not None:
                self._refused(outcome)

        self.app.push_screen(ManagerApprovalScreen(
            title=_("Over the credit limit · {code} {name}").format(code=badge.code, name=badge.name),
            summary=str(error), save=save), approved)

    def _charged(self, view: SettlementView) -> None:
        self._busy = False
        self.query_one("#pay-errors", Static).update("")
        badge = self.account
        self.notify(_("{amount} charged to account {code}: G prints the gate pass.").format(
            amount=format_money(self._charging), code=badge.code if badge else ""), title=view.plate, timeout=10)
        self.show(view)
        self.call_service(account_badge, self.services, self.actor, self.order_id, then=self._show_account,
                          group="payment-account", saves=False)

    # 抹零 ------------------------------------------------------------------------------------------------

    def action_round_off(self) -> None:
        v = self.saved_view()
        if v is None or self._busy:
            return
        if v.status != OrderStatus.DELIVERED:
            self.notify(_("Nothing is due on order {number}.").format(number=v.number), severity="warning")
            return
        typed = self._money("amount")
        whole = v.customer_payable + v.totals.rounding  # what the share comes to without any rounding
        if typed is None or typed == v.due:
            choices = round_off_choices(whole, self.services.settings.round_off)
            payable = list(choices.values())[-1] if choices else whole
            if payable == whole and not v.totals.rounding:
                self.notify(_("Nothing to round off ({setting}).").format(
                    setting=round_off_label(self.services.settings.round_off)), severity="warning")
                return
        else:
            payable = v.paid + typed
        self._busy = True
        self.call_service(round_off, self.services, self.actor, self.order_id, payable, v.version,
                          then=self._rounded, failed=self._refused)

    def _rounded(self, view: SettlementView) -> None:
        self._busy = False
        self.query_one("#pay-errors", Static).update("")
        self.notify(_("Rounded off {amount}: the customer pays {payable}.").format(
            amount=format_money(view.totals.rounding), payable=format_money(view.customer_payable)),
            title=view.plate, timeout=8)
        self.show(view)
        if self.method is not None:  # the payment being keyed goes on, for what is due now
            amount = self.query_one("#amount", Input)
            amount.value = format_money(view.due, symbol=False).replace(",", "")
            amount.focus()
            amount.select_all()

    # Void, credit ------------------------------------------------------------------------------------------

    def _selected_payment(self) -> PaymentRow | None:
        v = self.view
        key = self.query_one("#payments", ListTable).cursor_key
        if v is None or key is None:
            return None
        return next((p for p in v.payments if f"p{p.id}" == key), None)

    def action_void(self) -> None:
        from .manager_approval import ManagerApprovalScreen

        payment = self._selected_payment()
        if payment is None or payment.voided:
            self.notify(_("Highlight a payment that is not void."), severity="warning")
            return
        v = self.view
        assert v is not None
        services, actor, order_id = self.services, self.actor, self.order_id

        def save(approval: ManagerApproval, reason: str) -> SettlementView:
            settlement.void_payment(services, actor, payment.id, reason, approval=approval)
            return cashier_views.settlement_view(services, actor, order_id)

        title = _("Void {method} {amount} · {plate}").format(
            method=label(PAYMENT_METHOD, payment.method), amount=format_money(payment.amount), plate=v.plate)
        self.app.push_screen(ManagerApprovalScreen(
            title=title, summary=_("The payment stays on record as void; a manager approves."), save=save,
            ask_reason=True), self._after_approval)

    def action_refund(self) -> None:
        """Money back on a paid order (a voided payment is for mistakes before the order is paid)."""
        from .manager_approval import ManagerApprovalScreen

        v = self.view
        if v is None:
            return
        if v.status not in (OrderStatus.SETTLED, OrderStatus.CLOSED):
            self.notify(_("A refund is for a paid order; before that, void the payment (V)."), severity="warning")
            return
        payment = self._selected_payment()
        if payment is None or payment.voided or payment.kind != PaymentKind.PAYMENT:
            self.notify(_("Highlight the payment to pay back."), severity="warning")
            return
        typed = self.query_one("#amount", Input).value.strip()
        amount = typed if typed and typed.strip("0.") else str(payment.amount)
        services, actor, order_id = self.services, self.actor, self.order_id

        def save(approval: ManagerApproval, reason: str) -> SettlementView:
            settlement.refund(services, actor, order_id, payment.method, amount, reason, approval=approval)
            return cashier_views.settlement_view(services, actor, order_id)

        title = _("Refund {amount} by {method} · {plate}").format(
            amount=amount, method=label(PAYMENT_METHOD, payment.method), plate=v.plate)
        self.app.push_screen(ManagerApprovalScreen(
            title=title, summary=_("The refund is recorded against the order with its reason; a manager approves."),
            save=save, ask_reason=True), self._after_approval)

    def action_credit(self) -> None:
        v = self.view
        if v is None:
            return
        if not allowed(self.actor.role, "credit.approve"):
            self.notify(_("Credit is recorded by a service manager: ask one to sign in."), severity="warning")
            return
        if not v.prepared or v.status != OrderStatus.DELIVERED:
            self.notify(_("Credit is for a saved settlement that is not paid yet."), severity="warning")
            return
        services, actor, order_id = self.services, self.actor, self.order_id
        if actor.role == Role.MANAGER:
            def approve_here() -> SettlementView:
                settlement.approve_credit(services, actor, order_id, expected_version=v.version)
                return cashier_views.settlement_view(services, actor, order_id)

            self.call_service(approve_here, then=self._after_approval)
            return
        from .manager_approval import ManagerApprovalScreen

        def save(approval: ManagerApproval, _reason: str) -> SettlementView:
            settlement.approve_credit(services, actor, order_id, approval=approval)
            return cashier_views.settlement_view(services, actor, order_id)

        self.app.push_screen(ManagerApprovalScreen(
            title=_("Credit · {plate} · {amount} due").format(plate=v.plate, amount=format_money(v.due)),
            summary=_("The car may leave before it is paid; the amount stays due on the account."), save=save),
            self._after_approval)

    def _after_approval(self, outcome: SettlementView | FrontdeskError | None) -> None:
        if outcome is None:
            return
        if isinstance(outcome, FrontdeskError):
            self.show_error(outcome)
            self.action_refresh()
            return
        self.notify(_("Recorded. Due {amount}.").format(amount=format_money(outcome.due)), title=outcome.plate)
        self.show(outcome)

    # Paper ---------------------------------------------------------------------------------------------------

    def action_gate_pass(self) -> None:
        v = self.view
        if v is None or self._busy:
            return
        if v.status not in (OrderStatus.SETTLED, OrderStatus.CLOSED):
            reason = _("No gate pass for order {number}: it is not paid or credit-approved yet.").format(number=v.number)
            if v.prepared and v.due > 0:
                reason += " " + _("Still due {amount}.").format(amount=format_money(v.due))
            self.query_one("#pay-errors", Static).update(reason)
            self.notify(reason, title=_("No gate pass"), severity="error", timeout=8)
            return
        self._busy = True
        self.call_service(gate_pass, self.services, self.actor, self.order_id, v.number,
                          v.status == OrderStatus.SETTLED, then=self._gate_pass_done, failed=self._refused)

    def _gate_pass_done(self, outcome: tuple[SettlementView, Any]) -> None:
        self._busy = False
        view, printed = outcome
        self.printed["gate-pass"] = say_printed(self, "gate-pass", printed)
        self.show(view)
        self.query_one("#pay-errors", Static).update("")

    # Moving around ----------------------------------------------------------------------------------------

    def action_settlement(self) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if getattr(below, "destination", None) == "settlement" and getattr(below, "order_id", None) == self.order_id:
            self.app.pop_screen()
        else:
            self.fd.open_destination("settlement", order_id=self.order_id)


