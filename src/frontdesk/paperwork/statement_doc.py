"""What a key account's monthly statement (对账单) says, as plain frozen dataclasses.

Apart from ``documents.py`` so that the services can build a statement (and the screens show
one) without importing ReportLab; the conventions are that module's: keyword-only, frozen,
money as ``Decimal`` already in fen, and nothing recomputed when printed except the column
sums the table prints under itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .documents import ZERO, StoreInfo, _Checked
from .labels import N_

#: The account kinds (model/account.py ``AccountKind``) as printed.
ACCOUNT_KINDS: dict[str, str] = {
    "key": N_("Key account"),
    "institution": N_("Institution"),
    "government": N_("Government"),
    "fleet": N_("Fleet"),
}


@dataclass(frozen=True, kw_only=True)
class StatementAccount(_Checked):
    """Who the statement is addressed to, with what their accounts department files it under."""

    _money = ("credit_limit",)

    code: str
    name: str
    kind: str
    contact_name: str = ""
    contact_phone: str = ""
    invoice_title: str = ""
    tax_id: str = ""
    invoice_address: str = ""
    invoice_bank: str = ""
    terms_days: int = 30
    monthly: bool = True
    credit_limit: Decimal = ZERO


@dataclass(frozen=True, kw_only=True)
class StatementLine(_Checked):
    """One order charged to the account: the customer share's labour and parts, the discount, what was charged."""

    _money = ("labour", "parts", "discount", "amount")

    day: date
    order_no: str
    plate: str
    driver: str  # who brought the car in (送修人)
    labour: Decimal
    parts: Decimal
    discount: Decimal
    amount: Decimal  # the charge (the account's receivable)


@dataclass(frozen=True, kw_only=True)
class StatementPayment(_Checked):
    _money = ("amount",)

    day: date
    reference: str
    method: str  # a PaymentMethod value
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class AgingAmount(_Checked):
    _money = ("amount",)

    bucket: str  # "0-30", "31-60", "61-90", "90+"
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class StatementData(_Checked):
    """A month of one account: what it owed, what it was charged, what it paid, what it owes and how old.

    ``closing_balance`` = ``opening_balance`` + ``charged`` − ``received`` − ``written_off``;
    it also equals the aging total less ``unapplied_credit`` (money paid in and not yet
    applied to an order).
    """

    _money = ("opening_balance", "charged", "received", "written_off", "closing_balance", "unapplied_credit")

    store: StoreInfo
    account: StatementAccount
    month: str  # "2026-11"
    start: date
    end: date
    issued_on: date
    lines: tuple[StatementLine, ...]
    payments: tuple[StatementPayment, ...]
    opening_balance: Decimal
    charged: Decimal
    received: Decimal
    written_off: Decimal
    closing_balance: Decimal
    aging: tuple[AgingAmount, ...]
    unapplied_credit: Decimal

    @property
    def number(self) -> str:
        """What the letterhead and the file are named by: the account and the month (SZ-BUS-2026-11)."""
        return f"{self.account.code}-{self.month}"

    @property
    def labour(self) -> Decimal:
        return sum((line.labour for line in self.lines), ZERO)

    @property
    def parts(self) -> Decimal:
        return sum((line.parts for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def aging_total(self) -> Decimal:
        return sum((a.amount for a in self.aging), ZERO)
