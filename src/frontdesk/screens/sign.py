"""The customer signs the work order (任务委托书): who signs, and the total they agree to.

Shown over the estimate when the advisor presses F9. The grand total, the customer's share,
the promised time and the payment method are read back to the customer here, because this
is what the signature binds. The signer defaults to the customer's name (签字人: a company
car's driver may sign instead). Enter or F9 signs, Esc goes back to the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import SIGN, back, binding, translate_bindings


@dataclass(frozen=True)
class SignSummary:
    """What the customer agrees to, already formatted for reading out."""

    order_number: str
    plate: str
    customer_name: str
    grand_total: str
    customer_payable: str
    promised: str
    payment: str


class SignScreen(ModalScreen[str | None]):
    """Dismissed with the signer's name, or ``None`` when the advisor goes back."""

    CSS_PATH = "../assets/styles/estimate.tcss"
    AUTO_FOCUS = "#signer"

    BINDINGS = [
        binding(SIGN, "sign", "Sign", tooltip="The customer signs: authorise the work and print"),
        back("Cancel"),
    ]

    def __init__(self, summary: SignSummary) -> None:
        super().__init__()
        translate_bindings(self)
        self._summary = summary

    def compose(self) -> ComposeResult:
        s = self._summary
        with Vertical(id="sign-box"):
            yield Static(_("Customer signature · {number} · {plate}").format(number=s.order_number, plate=s.plate),
                         id="sign-title")
            yield Static(_("Grand total {total}").format(total=s.grand_total), id="sign-total")
            yield Static(
                _("Customer pays {amount}").format(amount=s.customer_payable) + "\n"
                + _("Promised completion: {time}").format(time=s.promised) + "\n"
                + _("Payment method: {method}").format(method=s.payment),
                id="sign-terms",
            )
            yield Label(_("Signer's name"))
            yield Input(value=s.customer_name, id="signer", max_length=80)
            yield Static("", id="signer-error", classes="field-error")
            yield Static(_("Enter or F9: signed, print the work order · Esc: back to the estimate"), id="sign-hint")

    @on(Input.Submitted, "#signer")
    def action_sign(self) -> None:
        name = self.query_one("#signer", Input).value.strip()
        if not name:
            self.query_one("#signer-error", Static).update(_("Type the name of the person who signs."))
            return
        self.dismiss(name)

    def action_back(self) -> None:
        self.dismiss(None)
