"""The settlement (结算): the bill by payer, the discount, receivables, next service and follow-up.

The lines are grouped by pay type (customer pay, warranty, insurance, internal, first free
service), each group with its labor, parts and net; the totals say what the customer pays
(their share, after the discount) and what is claimed from the maker or the insurer. Under
them the declined recommendations (⚠ for a safety-related one) and the form:

- discount on the customer share: within the user's authority (shown) it is saved at once;
  above it the service refuses and a service manager types their password on the spot
  (screens/manager_approval.py), after which it is saved with their approval;
- warranty claim / insurer reference (only for the payers the order has);
- next service date and mileage (pre-filled six months and 5 000 km on, see
  services/cashier_views.py) and the follow-up call time (``follow_up_days`` after
  delivery, 10:00);
- who acknowledged the declined safety items — asked only when there is one, and required:
  the gate pass never prints without it.

F6 saves (the totals follow the discount as it is typed). Once saved, a cashier or manager
goes on to the payment screen at once; an advisor sends the customer to the cashier. F8
prints the settlement statement, P opens the payment screen. Esc in a field goes to the
lines (where the letter keys work); Esc there goes back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Label, Static

from frontdesk.bill_sums import payable_steps
from frontdesk.i18n import gettext as _
from frontdesk.keys import PRINT, SAVE, back, binding
from frontdesk.labels import PAY_TYPE, label, status
from frontdesk.model.enums import OrderStatus, PayType
from frontdesk.services import cashier_views, settlement
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.cashier_views import SettlementView
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError, PermissionDenied, ValidationError
from frontdesk.services.money import ZERO, Totals, format_money, parse_money
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns, qty_text

from .decision import WHEN_FORMAT, parse_when
from .order_bill import OrderBillScreen, bill_head

DATE_FORMAT = "%Y-%m-%d"
DESC_CELLS = 28
SAFETY_STYLE = "bold yellow"
GROUP_STYLE = "bold"
FORM_FIELDS = ("discount", "follow_up_at", "next_service_date", "next_service_km", "warranty_claim_ref",
               "insurance_ref", "safety_ack_by")


def field_names() -> dict[str, str]:
    return {
        "discount": _("Discount"), "follow_up_at": _("Follow-up call"), "next_service_date": _("Next service"),
        "next_service_km": _("at km"), "warranty_claim_ref": _("Warranty claim"), "insurance_ref": _("Insurer ref."),
        "safety_ack_by": _("Acknowledged by"), "checklist": _("Delivery checklist"),
    }


# The screen ----------------------------------------------------------------------------------------


def prepare(services: Services, actor: Actor, order_id: int, data: settlement.SettlementInput, version: int,
            approval: ManagerApproval | None = None) -> SettlementView:
    settlement.prepare_settlement(services, actor, order_id, data, approval=approval, expected_version=version)
    return cashier_views.settlement_view(services, actor, order_id)


def step_words(what: str, amount: str) -> str | None:
    """How a step of ``bill_sums.payable_steps`` reads in the one-line sum after "Customer pays" (None: not shown)."""
    if what == "All pay types, before discounts":
        return _("total {amount}").format(amount=amount)
    if what == "Less: paid by others (warranty, insurance, internal)":
        return _("others {amount}").format(amount=amount)
    if what == "Less: discounts given":
        return _("discount {amount}").format(amount=amount)
    if what == "Less: small change rounded off (抹零)":
        return _("rounded off {amount}").format(amount=amount)
    return None


def payable_sum(totals: Totals) -> str:
    """"total 2,159.00 − others 75.00 − discount 208.40": the statement's steps on one line (80 columns)."""
    customer = totals.by_pay_type.get(PayType.CUSTOMER)
    steps = payable_steps(gross=totals.gross, customer_gross=customer.gross if customer else ZERO,
                          discount=totals.discount, rounding=totals.rounding,
                          customer_payable=totals.customer_payable, tax=customer.tax if customer else ZERO)
    parts: list[str] = []
    for step in steps:
        text = None if step.result or step.note else step_words(step.what, format_money(abs(step.amount), symbol=False))
        if text is not None:
            parts.append(text if not parts else ("− " if step.amount < 0 else "+ ") + text)
    return " ".join(parts)


class SettlementScreen(OrderBillScreen):
    """``SettlementScreen(order_id)``: the bill by payer and the settlement form; F6 saves."""

    CSS_PATH = "../assets/styles/settlement.tcss"
    AUTO_FOCUS = "#discount"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    BINDINGS = [
        binding(SAVE, "save", "Save", tooltip="Save the settlement (a discount above your authority asks a manager)"),
        binding(PRINT, "print", "Print", tooltip="Print the settlement statement"),
        binding("p", "payment", "Payment", tooltip="Take the payment (cashier)"),
        binding("u", "order_history", "History", tooltip="Who did what to this order, when, before and after"),
        binding("f5", "refresh", "Refresh", show=False, tooltip="Read the order again"),
        back(),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__(order_id)
        self._filled = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "payment" and not allowed(self.actor.role, "payment.take"):
            return False  # the advisor sends the customer to the cashier
        return super().check_action(action, parameters)

    def compose(self) -> ComposeResult:
        names = field_names()
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading the settlement…"), id="st-head")
        yield ListTable(id="st-lines")
        yield Static("", id="st-totals")
        yield Static("", id="st-declined")
        with Vertical(id="st-form"):
            with Horizontal(classes="st-row"):
                yield Label(names["discount"], classes="st-label")
                yield Input(id="discount", max_length=14, compact=True, placeholder="0.00")
                yield Label(names["follow_up_at"], classes="st-label")
                yield Input(id="follow_up_at", max_length=16, compact=True, placeholder="YYYY-MM-DD HH:MM")
            with Horizontal(classes="st-row"):
                yield Label(names["next_service_date"], classes="st-label")
                yield Input(id="next_service_date", max_length=10, compact=True, placeholder="YYYY-MM-DD")
                yield Label(names["next_service_km"], classes="st-label")
                yield Input(id="next_service_km", max_length=8, compact=True, restrict=r"[0-9]*")
            with Horizontal(classes="st-row", id="st-refs"):
                yield Label(names["warranty_claim_ref"], classes="st-label", id="warranty-label")
                yield Input(id="warranty_claim_ref", max_length=80, compact=True, placeholder=_("Claim number"))
                yield Label(names["insurance_ref"], classes="st-label", id="insurance-label")
                yield Input(id="insurance_ref", max_length=80, compact=True, placeholder=_("Insurer's case number"))
            with Horizontal(classes="st-row", id="st-ack"):
                yield Label(names["safety_ack_by"], classes="st-label")
                yield Input(id="safety_ack_by", max_length=80, compact=True,
                            placeholder=_("The customer's name: declined safety items"))
        yield Static("", id="st-errors", classes="field-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.query_one("#st-lines", ListTable), (_("Code"), 10), (_("Description"), DESC_CELLS + 2),
                      (_("Qty/h"), 5), (_("Price"), 9), (_("Amount"), 10))
        self.action_refresh()

    # Reading -------------------------------------------------------------------------------------------

    def show(self, view: SettlementView) -> None:
        self.view = view
        self._show_head(view)
        self._show_lines(view)
        self._show_totals()
        self._show_declined(view)
        if not self._filled:
            self._fill_form(view)
        editable = view.status == OrderStatus.DELIVERED
        for name in FORM_FIELDS:
            self.query_one(f"#{name}", Input).disabled = not editable
        if not editable and isinstance(self.focused, Input):
            self.query_one("#st-lines", ListTable).focus()

    def _show_head(self, v: SettlementView) -> None:
        saved = Text(" " + _("saved"), style="green") if v.prepared else None
        self.query_one("#st-head", Static).update(bill_head(_("Settlement"), v, saved))

    def _show_lines(self, v: SettlementView) -> None:
        """Per payer: its name (and claim reference), its lines, the discount, then labor, parts and its net."""
        rows: list[tuple[str, tuple[Any, ...]]] = []
        for g in v.groups:
            key = g.pay_type.value
            name = Text(label(PAY_TYPE, g.pay_type), style=GROUP_STYLE)
            ref = v.receivable_ref(g.pay_type)
            if ref:
                name.append(f"  {ref}", style="dim")
            rows.append((f"g-{key}", ("", name, "", "", "")))
            for n, ln in enumerate(g.lines):
                desc = Text(clip(ln.description, DESC_CELLS))
                if ln.safety:
                    desc.append(" ⚠", style=SAFETY_STYLE)
                rows.append((f"l-{key}-{n}", (
                    ln.code, desc, qty_text(ln.qty), Text(format_money(ln.unit_price, symbol=False), justify="right"),
                    Text(format_money(ln.amount), justify="right"))))
            if g.discount:
                rows.append((f"d-{key}", ("", _("Discount"), "", "", Text(format_money(-g.discount), justify="right"))))
            subtotal = _("labor {labor} · parts {parts}").format(labor=format_money(g.labor), parts=format_money(g.parts))
            rows.append((f"t-{key}", ("", Text(clip(subtotal, DESC_CELLS + 2), style="dim"), "", "",
                                      Text(format_money(g.net), style=GROUP_STYLE, justify="right"))))
        table = self.query_one("#st-lines", ListTable)
        table.refill(rows)
        table.border_title = _("Lines by payer")

    def _discount_value(self) -> Decimal | None:
        raw = self.query_one("#discount", Input).value.strip()
        if not raw:
            return ZERO
        try:
            return parse_money(raw, "discount")
        except ValidationError:
            return None

    def _show_totals(self) -> None:
        v = self.view
        if v is None:
            return
        discount = self._discount_value()
        text = Text()
        given = discount if discount is not None else v.discount
        try:  # the cashier's 抹零 stays while the discount does (saving another one starts without it)
            totals = cashier_views.preview_totals(v, given, v.totals.rounding if given == v.discount else ZERO)
        except ValidationError as exc:
            text.append(exc.message, style="bold red")
            self.query_one("#st-totals", Static).update(text)
            return
        text.append(f" {_('Customer pays {amount}').format(amount=format_money(totals.customer_payable))} ",
                    style="bold reverse")
        text.append(" = " + payable_sum(totals))
        text.append("\n")
        text.append(_("VAT incl. {amount}").format(amount=format_money(totals.tax)) + "  ", style="dim")
        for pay_type in (PayType.WARRANTY, PayType.INSURANCE):
            share = totals.by_pay_type.get(pay_type)
            if share is not None:
                text.append(_("{payer} {amount} receivable").format(
                    payer=label(PAY_TYPE, pay_type), amount=format_money(share.net)) + "  ")
        if v.prepared:
            text.append(_("Paid {paid} · due {due}").format(paid=format_money(v.paid), due=format_money(v.due)) + "  ")
        limit = format_money(v.authority_limit)
        over = discount is not None and discount > v.authority_limit
        text.append(_("Your authority: up to {limit}").format(limit=limit),
                    style="bold yellow" if over else "dim")
        if over:
            text.append(" " + _("(a manager approves)"), style="bold yellow")
        self.query_one("#st-totals", Static).update(text)

    def _show_declined(self, v: SettlementView) -> None:
        box = self.query_one("#st-declined", Static)
        if not v.declined:
            box.update(Text(_("No declined recommendations."), style="dim"))
            return
        text = Text(_("Not done this time") + ": ", style="bold")  # declined, or never taken up (issue 18)
        for n, d in enumerate(v.declined):
            if n:
                text.append(" · ")
            if d.safety:
                text.append("⚠ ", style=SAFETY_STYLE)
            text.append(d.description if d.amount is None else f"{d.description} {format_money(d.amount)}")
            if d.safety:
                if d.acknowledged_by:
                    text.append(" " + _("(acknowledged by {name})").format(name=d.acknowledged_by), style="green")
                else:
                    text.append(" " + _("(safety: the customer must acknowledge it)"), style=SAFETY_STYLE)
        box.update(text)

    def _fill_form(self, v: SettlementView) -> None:
        self._filled = True
        values = {
            "discount": format_money(v.discount, symbol=False) if v.discount else "",
            "follow_up_at": v.default_follow_up_at.strftime(WHEN_FORMAT),
            "next_service_date": v.default_next_service_date.strftime(DATE_FORMAT),
            "next_service_km": str(v.default_next_service_km),
            "warranty_claim_ref": v.receivable_ref(PayType.WARRANTY),
            "insurance_ref": v.receivable_ref(PayType.INSURANCE),
            "safety_ack_by": v.safety_ack_by,
        }
        for name, value in values.items():
            self.query_one(f"#{name}", Input).value = value
        payers = {g.pay_type for g in v.groups}
        for pay_type, ids in ((PayType.WARRANTY, ("#warranty-label", "#warranty_claim_ref")),
                              (PayType.INSURANCE, ("#insurance-label", "#insurance_ref"))):
            for widget_id in ids:
                self.query_one(widget_id).display = pay_type in payers
        self.query_one("#st-refs").display = bool(payers & {PayType.WARRANTY, PayType.INSURANCE})
        self.query_one("#st-ack").display = v.safety_ack_needed

    @on(Input.Changed, "#discount")
    def _discount_changed(self) -> None:
        self._show_totals()

    # Saving ---------------------------------------------------------------------------------------------

    def _entered(self) -> settlement.SettlementInput | None:
        v = self.view
        assert v is not None
        now = self.services.clock()
        value = {name: self.query_one(f"#{name}", Input).value.strip() for name in FORM_FIELDS}
        discount = self._discount_value()
        if discount is None:
            try:
                parse_money(value["discount"], "discount")
            except ValidationError as exc:
                return self._bad("discount", exc.message)
        follow_up = parse_when(value["follow_up_at"], now) if value["follow_up_at"] else None
        if value["follow_up_at"] and follow_up is None:
            return self._bad("follow_up_at", _("Type the time as {example}.").format(example="2026-11-27 10:00"))
        try:
            next_date = dt.datetime.strptime(value["next_service_date"], DATE_FORMAT).date() \
                if value["next_service_date"] else None
        except ValueError:
            return self._bad("next_service_date", _("Type the date as {example}.").format(example="2027-05-24"))
        km = int(value["next_service_km"]) if value["next_service_km"] else None
        if v.safety_ack_needed and not value["safety_ack_by"]:
            return self._bad("safety_ack_by", _("The customer must acknowledge the declined safety items first."))
        return settlement.SettlementInput(
            discount=discount or ZERO, next_service_date=next_date, next_service_km=km, follow_up_at=follow_up,
            safety_ack_by=value["safety_ack_by"], warranty_claim_ref=value["warranty_claim_ref"],
            insurance_ref=value["insurance_ref"])

    def _bad(self, field: str, message: str) -> None:
        self._say_error(field, message)
        self.query_one(f"#{field}", Input).focus()

    def _say_error(self, field: str, message: str) -> None:
        name = field_names().get(field)
        self.query_one("#st-errors", Static).update(f"{name}: {message}" if name else message)

    def show_error(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError):
            self._say_error(error.field, error.message)
            if error.field in FORM_FIELDS:
                self.query_one(f"#{error.field}", Input).focus()
        else:
            self.query_one("#st-errors", Static).update(str(error))
        super().show_error(error)

    def action_save(self) -> None:
        v = self.view
        if v is None or self._busy:
            return
        if v.status != OrderStatus.DELIVERED:
            self.notify(_("Order {number} is {status}: the settlement cannot change.").format(
                number=v.number, status=status(v.status)), severity="warning")
            return
        self.query_one("#st-errors", Static).update("")
        data = self._entered()
        if data is None:
            return
        self._busy = True
        self.call_service(prepare, self.services, self.actor, self.order_id, data, v.version,
                          then=self._saved, failed=lambda error: self._refused(error, data))

    def _refused(self, error: FrontdeskError, data: settlement.SettlementInput) -> None:
        self._busy = False
        v = self.view
        discount = data.discount if isinstance(data.discount, Decimal) else ZERO
        if isinstance(error, PermissionDenied) and v is not None and discount > v.authority_limit:
            self.query_one("#st-errors", Static).update(str(error))
            self.notify(str(error), title=_("Not saved"), severity="warning", timeout=6)
            self._ask_manager(data)
            return
        self.show_error(error)

    def _ask_manager(self, data: settlement.SettlementInput) -> None:
        from .manager_approval import ManagerApprovalScreen

        v = self.view
        assert v is not None
        services, actor, order_id, version = self.services, self.actor, self.order_id, v.version

        def save(approval: ManagerApproval, _reason: str) -> SettlementView:
            return prepare(services, actor, order_id, data, version, approval)

        amount = format_money(data.discount if isinstance(data.discount, Decimal) else ZERO)
        title = _("Manager approval · discount {amount} · {plate}").format(amount=amount, plate=v.plate)
        summary = _("A discount of {amount} is above your authority (at most {limit}): a service manager "
                    "approves it with their password.").format(amount=amount, limit=format_money(v.authority_limit))
        self.app.push_screen(ManagerApprovalScreen(title=title, summary=summary, save=save), self._approved)

    def _approved(self, outcome: SettlementView | FrontdeskError | None) -> None:
        if outcome is None:
            self.notify(_("Not saved: the discount needs a manager's approval."), severity="warning")
            return
        if isinstance(outcome, FrontdeskError):
            self.show_error(outcome)
            self.action_refresh()
            return
        self._saved(outcome)

    def _saved(self, view: SettlementView) -> None:
        self._busy = False
        self.query_one("#st-errors", Static).update("")
        self.show(view)
        self.query_one("#st-lines", ListTable).focus()
        if view.status == OrderStatus.SETTLED:
            message = _("Settlement saved: nothing for the customer to pay; the gate pass may print.")
        else:
            message = _("Settlement saved: the customer pays {amount}.").format(amount=format_money(view.due))
        self.notify(message, title=view.plate, timeout=8)
        if allowed(self.actor.role, "payment.take"):
            self.action_payment()

    # Moving on -------------------------------------------------------------------------------------------

    def action_payment(self) -> None:
        if self.saved_view() is None:
            return
        self.fd.open_destination("payment", order_id=self.order_id)
