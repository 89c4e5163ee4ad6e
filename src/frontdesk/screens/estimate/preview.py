"""The estimate as it will be once saved: a line's figures with an edit not saved yet, and the totals.

While a quantity or a price is being typed, or P cycles a pay type, the screen shows the
result before the service has it. The figures follow the service's own rules
(``services.billing``: which lines bill, and the labour rate a new pay type brings), worked
out from what the screen shows, so the preview and the saved order agree to the fen.
Plain functions of plain data: the lines table, the line's detail, the editor and the
totals bar all read them, and tests check them against the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from frontdesk.labels import PAY_TYPE
from frontdesk.model.enums import PayType
from frontdesk.services import billing, desk, money

PAY_CYCLE = tuple(PAY_TYPE)  # customer, warranty, insurance, internal, first service


@dataclass(frozen=True)
class Override:
    """What the screen shows for a line before the database has it (typed or cycled)."""

    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    pay_type: str | None = None


def row_key(line: desk.LineView) -> str:
    """The line's key in the table (and in the overrides): a job and a part line may share an id."""
    return f"j{line.id}" if line.kind == "labor" else f"p{line.id}"


def shown(line: desk.LineView, override: Override | None, settings: Any) -> tuple[Decimal, Decimal, Decimal, str]:
    """(quantity, unit price, amount, pay type) of a line as it will be once the override is saved.

    A job whose pay type changes takes that pay type's labor rate (``billing.labor_rate``, as
    ``estimate.update_job`` does).
    """
    if override is None:
        return line.quantity, line.unit_price, line.amount, line.pay_type
    pay = override.pay_type or line.pay_type
    price = override.unit_price
    if price is None:
        price = billing.labor_rate(settings, pay, (line.pay_type, line.unit_price)) if line.kind == "labor" \
            else line.unit_price
    qty = line.quantity if override.quantity is None else override.quantity
    amount = money.labor_amount(qty, price) if line.kind == "labor" else money.line_amount(qty, price)
    return qty, price, amount, pay


def cycle_pay(line: desk.LineView, override: Override | None, settings: Any) -> Override:
    """The line's next pay type (P), on top of the presses not saved yet.

    Each press is saved in turn (``estimate.update_job``), and each new pay type brings its
    labor rate, so the preview takes the same steps: five presses come back to the pay type
    the line had, at that pay type's rate, not at a rate typed before.
    """
    _q, rate, _a, current = shown(line, override, settings)
    pay = PAY_CYCLE[(PAY_CYCLE.index(current) + 1) % len(PAY_CYCLE)] if current in PAY_CYCLE else PAY_CYCLE[0]
    new_rate = billing.labor_rate(settings, pay, (current, rate)) if line.kind == "labor" else None
    return Override(unit_price=new_rate, pay_type=pay)


def preview_totals(view: desk.OrderView, overrides: dict[str, Override], settings: Any) -> money.Totals:
    """The order's totals with the overrides applied, by the service's rule (``billing.totals``).

    The lines are the ones shown, as they will be once saved; a discount the preview no
    longer fits is left out of it.
    """
    lines = []
    for line in view.lines:
        _q, _p, amount, pay = shown(line, overrides.get(row_key(line)), settings)
        kind: Literal["labor", "part"] = "labor" if line.kind == "labor" else "part"
        lines.append(billing.Line(kind, PayType(pay), amount, line.status))
    return billing.totals(view.status, lines, settings.vat_rate, view.totals.discount, keep_unfit_discount=False)
