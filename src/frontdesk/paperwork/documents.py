"""What each printed document says, as plain frozen dataclasses.

Why plain dataclasses: the paperwork never touches the database or the model (printing
must work from a snapshot, in a worker thread, and be testable without SQLAlchemy). The
service layer fills these from a repair order; the renderers only lay them out. Nothing
here imports anything but the standard library (and the shapes it shares with the services'
views, ``frontdesk.bill_sums`` and ``frontdesk.walkaround_items``, themselves standard library
only), so building a document is cheap.

Conventions (the renderers rely on them, ``__post_init__`` checks the cheap ones):

- Every class is keyword-only and frozen. Sequences are tuples (a list passed in is
  turned into a tuple, so a document cannot change after it was built).
- Money is ``Decimal`` already rounded to the fen by the money service (half-up, in one
  place); a ``float`` is refused with ``TypeError``. The documents print what they are
  given and never recompute totals, so the paper always agrees with the database.
- Times are naive local ``datetime`` (the store's wall clock), dates are ``date``.
- Closed sets of values are the same strings the model stores (``"customer"``,
  ``"wechat"`` …); they are translated when printed, never stored translated.
- Free text (names, concerns in the customer's words, catalog descriptions) is printed
  as given, in whatever language it was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from frontdesk.bill_sums import SUMMED, Sums
from frontdesk.walkaround_items import WalkaroundItems

PayType = Literal["customer", "warranty", "insurance", "internal", "first_service"]
PaymentMethod = Literal["cash", "card", "wechat", "alipay", "transfer"]
LineKind = Literal["labor", "part", "other"]
Origin = Literal["requested", "recommended", "additional"]
OldParts = Literal["take", "leave"]
Damage = Literal["scratch", "dent", "chip", "crack"]
PaymentKind = Literal["payment", "refund"]
Panel = Literal[
    "front_bumper",
    "bonnet",
    "windscreen",
    "roof",
    "front_left_wing",
    "front_right_wing",
    "front_left_door",
    "front_right_door",
    "rear_left_door",
    "rear_right_door",
    "rear_left_wing",
    "rear_right_wing",
    "boot_lid",
    "rear_window",
    "rear_bumper",
    "front_left_wheel",
    "front_right_wheel",
    "rear_left_wheel",
    "rear_right_wheel",
]

PAY_TYPES: tuple[str, ...] = get_args(PayType)
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethod)
LINE_KINDS: tuple[str, ...] = get_args(LineKind)
ORIGINS: tuple[str, ...] = get_args(Origin)
OLD_PARTS: tuple[str, ...] = get_args(OldParts)
DAMAGES: tuple[str, ...] = get_args(Damage)
PAYMENT_KINDS: tuple[str, ...] = get_args(PaymentKind)
PANELS: tuple[str, ...] = get_args(Panel)

#: One letter per damage kind, printed on the car diagram and in its legend. The same
#: letters in both languages, so a sheet filled in Chinese reads the same in English;
#: the check-in screen should show these letters too.
DAMAGE_CODES: dict[str, str] = {"scratch": "A", "dent": "B", "chip": "C", "crack": "D"}

#: Pay types whose amount the customer pays at the cash desk; the rest is claimed from the
#: maker (warranty, first free service), an insurer, or booked internally.
CUSTOMER_PAY_TYPES: frozenset[str] = frozenset({"customer"})

ZERO = Decimal("0.00")


def _check_choice(cls: str, name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{cls}.{name}: {value!r} is not one of {', '.join(allowed)}")


class _Checked:
    """Shared checks: money is Decimal, lists become tuples, closed sets are respected."""

    _money: tuple[str, ...] = ()  # Decimal fields: money, quantities, rates
    _optional_money: tuple[str, ...] = ()
    _choices: dict[str, tuple[str, ...]] = {}

    def __post_init__(self) -> None:
        cls = type(self).__name__
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        for name in self._money + self._optional_money:
            value = getattr(self, name)
            if value is None and name in self._optional_money:
                continue
            if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
                raise TypeError(f"{cls}.{name}: must be Decimal (never float), got {type(value).__name__}")
            if isinstance(value, int):
                object.__setattr__(self, name, Decimal(value))
        for name, allowed in self._choices.items():
            value = getattr(self, name)
            if value is None:
                continue
            _check_choice(cls, name, value, allowed)


@dataclass(frozen=True, kw_only=True)
class StoreInfo(_Checked):
    """The letterhead: the legal name and tax id are what a company customer's accounts need."""

    name: str
    address: str
    phone: str
    tax_id: str
    logo_path: str | None = None
    #: 24-hour service / roadside-assistance line printed in the footer.
    hotline: str = ""
    #: Bank and account for payment by transfer (对公转账), printed on the settlement.
    bank_account: str = ""


@dataclass(frozen=True, kw_only=True)
class PartyInfo(_Checked):
    """A person on the document: the owner (车主) or the one who brought the car (送修人)."""

    name: str
    phone: str
    #: Company name for fleet / company cars (the invoice title), else empty.
    company: str = ""


@dataclass(frozen=True, kw_only=True)
class VehicleInfo(_Checked):
    """The car as it stood at the desk; odometer and fuel are the readings of this visit."""

    plate: str
    vin: str
    make: str
    model: str
    colour: str
    odometer_km: int
    #: Fuel (or charge, for a new-energy car) in eighths of the gauge, 0 (empty) … 8 (full).
    fuel_eighths: int
    engine_no: str = ""
    #: First registration / sale date: the start of the warranty and the first service.
    sale_date: date | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.fuel_eighths <= 8:
            raise ValueError(f"VehicleInfo.fuel_eighths: {self.fuel_eighths} is not within 0..8")
        if self.odometer_km < 0:
            raise ValueError("VehicleInfo.odometer_km: must not be negative")


@dataclass(frozen=True, kw_only=True)
class DocLine(_Checked):
    """One job (labor), part or other charge (sublet work, consumables, fees).

    ``amount`` is ``qty_or_hours × unit_price`` rounded to the fen, *before* the line's
    own ``discount``; the line's net is ``amount - discount``.
    """

    kind: LineKind
    code: str
    description: str
    #: Standard hours for labor, quantity for parts and other charges.
    qty_or_hours: Decimal
    unit_price: Decimal
    amount: Decimal
    pay_type: PayType
    safety: bool = False
    origin: Origin = "requested"
    discount: Decimal = ZERO
    #: Unit of a part's quantity as the catalog has it ("L", "个", "套"); empty for labor.
    unit: str = ""
    #: Who did the job (printed on the settlement), empty when not yet dispatched.
    technician: str = ""

    _money = ("qty_or_hours", "unit_price", "amount", "discount")
    _choices = {"kind": LINE_KINDS, "pay_type": PAY_TYPES, "origin": ORIGINS}

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount


@dataclass(frozen=True, kw_only=True)
class PayTypeTotal(_Checked, Sums):
    """The sums of one pay type; ``net = gross - discount``; ``tax`` is the VAT share."""

    pay_type: PayType
    #: Other charges (sublet, consumables, fees); ``gross = labor + parts + other``.
    other: Decimal = ZERO

    _money = (*SUMMED, "other")
    _choices = {"pay_type": PAY_TYPES}


@dataclass(frozen=True, kw_only=True)
class Totals(_Checked, Sums):
    """The order's sums, whole and per pay type, as the money service computed them.

    A frozen copy of the service's one ``Totals`` shape, made in one place only (the
    service layer's ``documents.snapshot_totals``); the paperwork never adds anything up.

    With tax-inclusive prices (the default in China) ``tax`` is the share of VAT already
    inside ``net``; otherwise it is added on top. ``customer_payable`` is what the cash
    desk collects: the customer pay type's net (plus tax when prices exclude it).
    """

    by_pay_type: tuple[PayTypeTotal, ...]
    customer_payable: Decimal
    other: Decimal = ZERO
    vat_rate: Decimal = Decimal("0.13")
    prices_include_tax: bool = True
    #: 抹零: the part of the customer's ``discount`` that is small change the cashier let go.
    rounding: Decimal = ZERO

    _money = (*SUMMED, "customer_payable", "other", "vat_rate", "rounding")

    @property
    def grand_total(self) -> Decimal:
        """All pay types together, tax included."""
        return self.net if self.prices_include_tax else self.net + self.tax

    def for_pay_type(self, pay_type: str) -> PayTypeTotal | None:
        return next((t for t in self.by_pay_type if t.pay_type == pay_type), None)


@dataclass(frozen=True, kw_only=True)
class WorkOrderDoc(_Checked):
    """任务委托书: what the customer authorises, signed at the desk before work starts."""

    store: StoreInfo
    order_no: str
    checked_in_at: datetime
    promised_at: datetime | None
    advisor: str
    customer: PartyInfo
    #: The person who brought the car (送修人); ``None`` when it is the customer.
    brought_by: PartyInfo | None
    vehicle: VehicleInfo
    #: The customer's concerns, verbatim, one per entry.
    concerns: tuple[str, ...]
    lines: tuple[DocLine, ...]
    totals: Totals
    payment_method: PaymentMethod | None
    old_parts: OldParts
    wash: bool
    signed_by: str | None = None
    signed_at: datetime | None = None
    #: The advisor's direct line, so the customer can call about the car.
    advisor_phone: str = ""
    remarks: str = ""
    #: Recommended work the customer declined at the estimate (kept for the next visit).
    declined: tuple[Recommendation, ...] = ()

    _choices = {"payment_method": PAYMENT_METHODS, "old_parts": OLD_PARTS}


@dataclass(frozen=True, kw_only=True)
class PanelMark(_Checked):
    """Damage found on one body panel or wheel at the walkaround (several per panel allowed)."""

    panel: Panel
    damage: Damage
    #: Size or position in the advisor's words ("约 5 cm，靠近门把手").
    note: str = ""

    _choices = {"panel": PANELS, "damage": DAMAGES}


@dataclass(frozen=True, kw_only=True)
class CheckItem(_Checked):
    """A store-specific checklist item beyond the fixed ones (label printed as given)."""

    label: str
    ok: bool
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CheckinSheetDoc(_Checked, WalkaroundItems):
    """接车登记表: the walkaround the customer confirms, so nobody argues about a scratch later."""

    store: StoreInfo
    order_no: str
    checked_in_at: datetime
    advisor: str
    customer: PartyInfo
    brought_by: PartyInfo | None
    vehicle: VehicleInfo
    marks: tuple[PanelMark, ...]
    concerns: tuple[str, ...]
    signed_by: str | None = None
    signed_at: datetime | None = None
    extra_checks: tuple[CheckItem, ...] = ()
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class PaymentInfo(_Checked):
    """One payment (or refund) at the cash desk; ``tendered``/``change`` only for cash."""

    method: PaymentMethod
    amount: Decimal
    tendered: Decimal | None
    change: Decimal | None
    at: datetime
    #: Terminal slip, WeChat/Alipay transaction id or transfer reference.
    reference: str = ""
    kind: PaymentKind = "payment"

    _money = ("amount",)
    _optional_money = ("tendered", "change")
    _choices = {"method": PAYMENT_METHODS, "kind": PAYMENT_KINDS}

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == "refund" else self.amount


@dataclass(frozen=True, kw_only=True)
class Receivable(_Checked):
    """A share someone else pays: a warranty claim on the maker, an insurer's part …"""

    pay_type: PayType
    amount: Decimal
    #: Claim, policy or report number.
    reference: str = ""
    #: Who pays: the maker, the insurer ("中国人保财险"), the internal department.
    payer: str = ""

    _money = ("amount",)
    _choices = {"pay_type": PAY_TYPES}


@dataclass(frozen=True, kw_only=True)
class Recommendation(_Checked):
    """Recommended work the customer declined this time (建议维修项目)."""

    description: str
    safety: bool
    #: The customer's name as acknowledged; ``None`` leaves a box to sign on paper.
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    #: The price quoted for it, if one was.
    estimate: Decimal | None = None
    #: Why it is recommended, in the words of whoever found it.
    reason: str = ""
    #: Who found it (the technician, the team leader, QC, the advisor).
    found_by: str = ""

    _optional_money = ("estimate",)


@dataclass(frozen=True, kw_only=True)
class SettlementDoc(_Checked):
    """结算单: what was done, who pays what, what was paid, and what comes next."""

    store: StoreInfo
    order_no: str
    settled_at: datetime
    advisor: str
    cashier: str
    customer: PartyInfo
    vehicle: VehicleInfo
    lines: tuple[DocLine, ...]
    totals: Totals
    payments: tuple[PaymentInfo, ...]
    receivables: tuple[Receivable, ...]
    declined: tuple[Recommendation, ...]
    next_service_date: date | None
    next_service_km: int | None
    follow_up_at: datetime | None
    #: This visit was the first free service (首保): its explanation is printed.
    first_service: bool
    #: Who approved settling on credit (挂账) when the customer share is not yet paid.
    credit_approved_by: str | None = None
    checked_in_at: datetime | None = None
    #: Care notes explained at the walkthrough ("新刹车片前 200 公里避免急刹").
    care_notes: tuple[str, ...] = ()
    signed_by: str | None = None
    signed_at: datetime | None = None
    remarks: str = ""
    #: The key account the customer share was charged to (挂账单位), and how much of it.
    charged_to_account: str | None = None
    account_charged: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return sum((p.signed_amount for p in self.payments), ZERO)

    @property
    def balance_due(self) -> Decimal:
        return self.totals.customer_payable - self.paid - self.account_charged


@dataclass(frozen=True, kw_only=True)
class GatePassDoc(_Checked):
    """出门证: lets the car past the gate; only for a paid or credit-approved order."""

    store: StoreInfo
    order_no: str
    plate: str
    model: str
    issued_at: datetime
    cashier: str
    paid: bool
    credit_approved_by: str | None = None
    colour: str = ""
    #: The guard refuses the pass after this time (usually the end of the day).
    valid_until: datetime | None = None
    #: The number the gate-pass record carries (the guard matches the paper to it); empty on a preview.
    pass_no: str = ""
    #: The key account the bill was charged to: the car leaves on the account's terms.
    charged_to_account: str | None = None

    @property
    def release_allowed(self) -> bool:
        return self.paid or bool(self.credit_approved_by) or bool(self.charged_to_account)


Document = WorkOrderDoc | CheckinSheetDoc | SettlementDoc | GatePassDoc


def iter_text(value: Any) -> list[str]:
    """Every string inside a document, for checking the font covers what will be printed."""
    out: list[str] = []
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, (tuple, list)):
        for item in value:
            out.extend(iter_text(item))
    elif hasattr(value, "__dataclass_fields__"):
        for f in fields(value):
            out.extend(iter_text(getattr(value, f.name)))
    return out
