"""Money: the one place that parses, rounds, totals and formats amounts.

Rounding in one place is what keeps the estimate, the invoice and the cash drawer in
agreement to the fen: every line is rounded once, here, and every total is a plain sum
of rounded lines, so a printed document always adds up. ``Decimal`` only; a ``float``
reaching this module is a bug elsewhere, so it raises ``TypeError`` instead of being
silently converted.

Prices are tax-inclusive (as Chinese retail prices are); the VAT is only ever extracted
from a net amount for the invoice, never added on top.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Final, Literal

from frontdesk.bill_sums import SUMMED, Sums
from frontdesk.i18n import gettext as _
from frontdesk.model.enums import PayType, Role
from frontdesk.services.errors import PermissionDenied, ValidationError

__all__ = [
    "CENT",
    "DISCOUNT_AUTHORITY",
    "MAX_AMOUNT",
    "MAX_HOURS",
    "MoneyLine",
    "PayTypeTotal",
    "ROUND_OFF_UNITS",
    "Totals",
    "check_discount",
    "check_round_off",
    "compute_totals",
    "format_money",
    "labor_amount",
    "line_amount",
    "max_discount",
    "parse_hours",
    "parse_money",
    "parse_quantity",
    "round_money",
    "round_off_choices",
    "round_off_label",
    "sum_totals",
    "tax_share",
]

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")

# Nothing a service desk enters comes near this; the cap keeps typos (an extra row of
# zeros) out and keeps every product exactly representable in the decimal context.
MAX_AMOUNT: Final = Decimal("99999999.99")
MAX_HOURS: Final = Decimal("200")

# Share of the base an employee may give away without a manager; settings may override.
DISCOUNT_AUTHORITY: dict[Role, Decimal] = {
    role: Decimal("0") for role in Role
} | {
    Role.ADVISOR: Decimal("0.05"),
    Role.MANAGER: Decimal("0.20"),
}

# Enough digits that products and quotients of capped amounts are exact (or, for the
# VAT quotient, far finer than a fen) before the single rounding to the fen.
_PRECISION: Final = 60


def _require_decimal(value: object, name: str) -> Decimal:
    """Reject floats (and anything else) loudly: they are a programming error here."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}: {value!r}")
    return Decimal(value)


def round_money(x: Decimal) -> Decimal:
    """Round to the fen, half up (the rule the tax bureau and customers expect).

    Negative zero is returned as zero so that it never prints as "-¥0.00".
    """
    value = _require_decimal(x, "amount")
    if not value.is_finite():
        raise ValueError(f"amount must be finite, got {value!r}")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded


# --------------------------------------------------------------------------- parsing

_NUMBER_RE: Final = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
_GROUPED_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+", re.ASCII)
_MINUS_SIGNS: Final = ("-", "−", "－")


def _parse_decimal(
    raw: str | int | Decimal,
    field: str,
    *,
    currency: bool,
) -> Decimal:
    """Turn desk input into an exact Decimal with at most two decimals, or explain why not.

    Input with more than two decimals is rejected, not rounded: a clerk who typed 12.345
    made a mistake, and guessing which amount they meant would hide it.
    """
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise TypeError(f"{field} must be text, int or Decimal, got {type(raw).__name__}: {raw!r}")

    if isinstance(raw, str):
        value = _parse_text(raw, field, currency=currency)
    else:
        value = Decimal(raw)
        if not value.is_finite():
            raise ValidationError(field, _("This is not a number."))

    if value < 0:
        raise ValidationError(field, _("The number cannot be negative."))
    if value > MAX_AMOUNT:
        raise ValidationError(field, _("The number is too large."))
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        exact = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if exact != value:
        raise ValidationError(field, _("Use at most 2 decimal places."))
    return abs(exact) if exact.is_zero() else exact


def _parse_text(raw: str, field: str, *, currency: bool) -> Decimal:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if not ch.isspace())
    negative = text.startswith(_MINUS_SIGNS)
    if negative:
        text = text[1:]
    if currency:  # "¥12", "12元"; both "-¥12" and "¥-12" are caught as negative
        text = text.removeprefix("¥").removesuffix("元")
        if not negative and text.startswith(_MINUS_SIGNS):
            negative = True
            text = text[1:]
    if not text:
        raise ValidationError(field, _("Enter a number."))

    integer, dot, fraction = text.partition(".")
    if "," in integer:
        if not _GROUPED_RE.fullmatch(integer):
            raise ValidationError(
                field, _("Use a dot for decimals and commas only between thousands: 1,234.50.")
            )
        integer = integer.replace(",", "")
        text = integer + dot + fraction
    match = _NUMBER_RE.fullmatch(text)
    if match is None or not (match["int"] or match["frac"]):
        raise ValidationError(field, _("This is not a number."))
    if negative and Decimal(text) != 0:
        raise ValidationError(field, _("The number cannot be negative."))
    if len(match["int"]) > 20:  # long before Decimal would lose digits
        raise ValidationError(field, _("The number is too large."))
    if match["frac"] and len(match["frac"].rstrip("0")) > 2:
        raise ValidationError(field, _("Use at most 2 decimal places."))
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        raise ValidationError(field, _("This is not a number.")) from None


def parse_money(text: str | int | Decimal, field: str = "price") -> Decimal:
    """A price or amount typed at the desk: "12", "12.5", "¥1,234.50", "３元"."""
    return _parse_decimal(text, field, currency=True)


def parse_quantity(text: str | int | Decimal, field: str = "quantity") -> Decimal:
    """A part quantity; fractions are allowed because oil and coolant are sold by the litre."""
    value = _parse_decimal(text, field, currency=False)
    if value == 0:
        raise ValidationError(field, _("The quantity must be more than zero."))
    return value


def parse_hours(text: str | int | Decimal, field: str = "hours") -> Decimal:
    """Labour hours; zero is allowed for goodwill or menu-priced jobs."""
    value = _parse_decimal(text, field, currency=False)
    if value > MAX_HOURS:
        raise ValidationError(
            field, _("At most {max} hours can be booked on one job.").format(max=MAX_HOURS)
        )
    return value


# --------------------------------------------------------------------------- arithmetic


def _rounded_product(a: Decimal, a_name: str, b: Decimal, b_name: str) -> Decimal:
    """``a × b`` computed exactly, then rounded once to the fen."""
    x = _require_decimal(a, a_name)
    y = _require_decimal(b, b_name)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_money(x * y)


def line_amount(qty: Decimal, unit_price: Decimal) -> Decimal:
    """Amount of a parts line, rounded once so the line prints what the total adds."""
    return _rounded_product(qty, "qty", unit_price, "unit_price")


def labor_amount(hours: Decimal, rate: Decimal) -> Decimal:
    """Amount of a labour line, rounded once like a parts line."""
    return _rounded_product(hours, "hours", rate, "rate")


def tax_share(gross: Decimal, vat_rate: Decimal) -> Decimal:
    """VAT contained in a tax-inclusive amount, for the invoice's tax line."""
    g = _require_decimal(gross, "gross")
    rate = _require_decimal(vat_rate, "vat_rate")
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"vat_rate must be a non-negative rate, got {rate!r}")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_money(g * rate / (1 + rate))


def format_money(x: Decimal, symbol: bool = True) -> str:
    """"¥1,234.50" for screens and paperwork; the sign goes before the symbol."""
    value = round_money(x)
    sign = "-" if value < 0 else ""
    return f"{sign}{'¥' if symbol else ''}{abs(value):,.2f}"


# --------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class MoneyLine:
    """One priced line of an order, already rounded by ``line_amount``/``labor_amount``."""

    kind: Literal["labor", "part"]
    pay_type: PayType
    amount: Decimal

    def __post_init__(self) -> None:
        if self.kind not in ("labor", "part"):
            raise ValueError(f"kind must be 'labor' or 'part', got {self.kind!r}")
        object.__setattr__(self, "pay_type", PayType(self.pay_type))
        amount = _require_decimal(self.amount, "amount")
        if not amount.is_finite() or amount < 0 or round_money(amount) != amount:
            raise ValueError(f"amount must be a non-negative amount in fen, got {amount!r}")
        object.__setattr__(self, "amount", round_money(amount))


@dataclass(frozen=True)
class PayTypeTotal(Sums):
    """What one payer (customer, manufacturer, insurer, ...) is billed."""

    pay_type: PayType


@dataclass(frozen=True)
class Totals(Sums):
    """Order totals split by payer; the overall figures are sums of the per-payer ones.

    The one shape of "what an order comes to": the screens, the cashier's views and the
    report carry it (the report adds orders' totals up with ``sum_totals``), and the
    paperwork prints a frozen copy of it made in ``services.documents.snapshot_totals``.
    """

    by_pay_type: dict[PayType, PayTypeTotal]
    customer_payable: Decimal
    #: 抹零: the part of ``discount`` (the customer's) that is small change the cashier let go.
    rounding: Decimal = ZERO


def sum_totals(many: Iterable[Totals]) -> Totals:
    """Several orders' totals added up, payer by payer (the tax as each order was invoiced).

    Nothing is rounded again: every figure is already in fen, so the sums are exact. No
    totals at all add up to zero.
    """
    per: dict[PayType, dict[str, Decimal]] = {}
    payable = rounding = ZERO
    for totals in many:
        payable += totals.customer_payable
        rounding += totals.rounding
        for pay_type, t in totals.by_pay_type.items():
            acc = per.get(pay_type)
            if acc is None:
                acc = per[pay_type] = dict.fromkeys(SUMMED, ZERO)
            for name in SUMMED:
                acc[name] += getattr(t, name)
    by_pay_type = {p: PayTypeTotal(pay_type=p, **per[p]) for p in PayType if p in per}
    return Totals(by_pay_type=by_pay_type, customer_payable=payable, rounding=rounding, **_overall(by_pay_type))


def _overall(by_pay_type: dict[PayType, PayTypeTotal]) -> dict[str, Decimal]:
    """The order's (or the orders') sums: each the plain sum of the payers' figures."""
    return {name: sum((getattr(t, name) for t in by_pay_type.values()), ZERO) for name in SUMMED}


def _check_discount_value(discount: Decimal) -> Decimal:
    value = _require_decimal(discount, "discount")
    if not value.is_finite():
        raise ValidationError("discount", _("This is not a number."))
    if value < 0:
        raise ValidationError("discount", _("The discount cannot be negative."))
    if value > MAX_AMOUNT:
        raise ValidationError("discount", _("The number is too large."))
    if round_money(value) != value:
        raise ValidationError("discount", _("Use at most 2 decimal places."))
    return round_money(value)


def compute_totals(
    lines: Iterable[MoneyLine],
    vat_rate: Decimal,
    discount: Decimal = Decimal(0),
    rounding: Decimal = Decimal(0),
) -> Totals:
    """Totals per payer and overall, exact to the fen.

    The discount is the customer's: warranty, insurance and internal work is billed at
    the agreed rates, so only the customer-paid gross can be reduced, and never below zero.
    ``rounding`` (抹零) is given off the customer's share after the discount, so the bill's
    discount is both and the VAT is the share of what is really paid; ``Totals.rounding``
    keeps it apart for the statement.
    """
    rounded_off = _check_discount_value(rounding)
    disc = _check_discount_value(discount) + rounded_off
    tax_share(ZERO, vat_rate)  # a bad rate fails even on an order without lines
    labor: dict[PayType, Decimal] = {}
    parts: dict[PayType, Decimal] = {}
    for line in lines:
        if not isinstance(line, MoneyLine):
            raise TypeError(f"expected MoneyLine, got {type(line).__name__}")
        target = labor if line.kind == "labor" else parts
        labor.setdefault(line.pay_type, ZERO)
        parts.setdefault(line.pay_type, ZERO)
        target[line.pay_type] += line.amount

    customer_gross = labor.get(PayType.CUSTOMER, ZERO) + parts.get(PayType.CUSTOMER, ZERO)
    if disc > customer_gross:
        raise ValidationError(
            "discount",
            _("The discount {discount} is more than the customer-paid amount {gross}.").format(
                discount=format_money(disc), gross=format_money(customer_gross)
            ),
        )

    by_pay_type: dict[PayType, PayTypeTotal] = {}
    for pay_type in PayType:  # declaration order, so every screen lists payers alike
        if pay_type not in labor:
            continue
        gross = labor[pay_type] + parts[pay_type]
        type_discount = disc if pay_type is PayType.CUSTOMER else ZERO
        net = gross - type_discount
        by_pay_type[pay_type] = PayTypeTotal(
            pay_type=pay_type,
            labor=labor[pay_type],
            parts=parts[pay_type],
            gross=gross,
            discount=type_discount,
            net=net,
            tax=tax_share(net, vat_rate),
        )

    customer = by_pay_type.get(PayType.CUSTOMER)
    return Totals(
        by_pay_type=by_pay_type,
        customer_payable=customer.net if customer is not None else ZERO,
        rounding=rounded_off,
        **_overall(by_pay_type),
    )


# --------------------------------------------------------------------------- authority


def max_discount(base: Decimal, authority_rate: Decimal) -> Decimal:
    """Largest discount an employee may give on ``base`` without approval."""
    return _rounded_product(base, "base", authority_rate, "authority_rate")


def check_discount(discount: Decimal, base: Decimal, authority_rate: Decimal) -> None:
    """Stop a discount beyond the employee's authority before it reaches the invoice."""
    disc = _check_discount_value(discount)
    limit = max_discount(base, authority_rate)
    if disc > limit:
        raise PermissionDenied(
            _(
                "Discount {discount} exceeds your authority (at most {limit}); "
                "a manager must approve it."
            ).format(discount=format_money(disc), limit=format_money(limit))
        )


# --------------------------------------------------------------------------- 抹零

#: The units a store may let the cashier round the customer's payable down to, smallest first
#: (the ``round_off`` setting names one of them, or "none").
ROUND_OFF_UNITS: Final = {"jiao": Decimal("0.10"), "yuan": Decimal("1.00")}
ROUND_OFF_SETTINGS: Final = ("none", *ROUND_OFF_UNITS)


def _round_down(amount: Decimal, unit: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_money((amount / unit).to_integral_value(rounding=ROUND_FLOOR) * unit)


def round_off_choices(payable: Decimal, setting: str) -> dict[str, Decimal]:
    """What the customer may pay after 抹零 under ``setting``: unit -> the payable rounded down to it.

    Only the units up to the setting's ("yuan" allows the jiao too); a unit that would take
    nothing off is left out, so an empty answer means there is nothing to round.
    """
    value = round_money(_require_decimal(payable, "payable"))
    if setting not in ROUND_OFF_SETTINGS:
        raise ValueError(f"round_off must be one of {', '.join(ROUND_OFF_SETTINGS)}, got {setting!r}")
    out: dict[str, Decimal] = {}
    for unit, size in ROUND_OFF_UNITS.items():
        if setting == "none":
            break
        down = _round_down(value, size)
        if down < value and down not in out.values():
            out[unit] = down
        if unit == setting:
            break
    return out


def check_round_off(payable: Decimal, wanted: Decimal, setting: str) -> Decimal:
    """The amount 抹零 takes off when the customer pays ``wanted`` instead of ``payable``; refused beyond the setting.

    Paying the whole ``payable`` takes nothing off (the cashier's way back). Anything else
    must be ``payable`` rounded down to a unit the setting allows: the cashier lets the
    small change go, never an amount of their own choosing (that is a discount).
    """
    value = round_money(_require_decimal(payable, "payable"))
    target = _check_discount_value(wanted)
    if target == value:
        return ZERO
    choices = round_off_choices(value, setting)
    if target in choices.values():
        return value - target
    if not choices:
        if setting == "none":
            raise PermissionDenied(_("This store does not round off small change (抹零); the setting is off."))
        raise ValidationError("amount", _("{payable} has no small change to round off.").format(
            payable=format_money(value)))
    values = [format_money(v) for v in choices.values()]
    allowed = values[0] if len(values) == 1 else _("{first} or {second}").format(first=values[0], second=values[1])
    raise PermissionDenied(_("Rounding off {payable} goes at most to {allowed} (the store's setting: {unit}); "
                             "a larger reduction is a discount at the settlement.").format(
        payable=format_money(value), allowed=allowed, unit=round_off_label(setting)))


def round_off_label(setting: str) -> str:
    """The ``round_off`` setting as people say it."""
    if setting == "jiao":
        return _("to the jiao")
    if setting == "yuan":
        return _("to the yuan")
    return _("no rounding off")
