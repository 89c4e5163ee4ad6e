"""The six sums a bill comes to, declared once.

The money service's ``Totals`` (what the screens, the cashier and the report carry) and
the paperwork's frozen snapshot of it print the same figures. The paperwork may not
import the services, so the shape they share lives below both, in the standard library
only: what ``net`` and ``gross`` mean is said here and nowhere else, and how the customer's
payable comes about from them (``payable_steps``: the statement's lines and the settlement
screen's summary print the same steps).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class Sums:
    """Amounts already rounded to the fen; every one is a plain sum of rounded lines."""

    labor: Decimal
    parts: Decimal
    gross: Decimal  # labor + parts (+ other charges, on paper)
    discount: Decimal
    net: Decimal  # gross - discount
    tax: Decimal  # the VAT share of net


SUMMED: tuple[str, ...] = tuple(f.name for f in fields(Sums))


def N_(message: str) -> str:  # the gettext marker: the extractor finds the msgid
    return message


@dataclass(frozen=True)
class Step:
    """One line of "how the customer's payable comes about", as printed and shown.

    ``what`` is a msgid (``{rate}`` is the VAT rate in percent); ``amount`` is signed as
    printed, so what is taken off reads negative; a ``result`` line is the sum of the lines
    above it since the previous result, and ``note`` lines (the VAT inside the payable) are
    a breakdown of the line above, added to nothing.
    """

    what: str
    amount: Decimal
    result: bool = False
    note: bool = False


def payable_steps(*, gross: Decimal, customer_gross: Decimal, discount: Decimal, rounding: Decimal,
                  customer_payable: Decimal, tax: Decimal, tax_included: bool = True) -> tuple[Step, ...]:
    """The bill from all pay types down to what the customer pays, each line following from those above.

    ``discount`` is the customer's whole reduction as the sums carry it (抹零 included);
    ``rounding`` is the 抹零 part of it, printed on its own line. The statement printed
    "total 1,950.60 / not payable 75.00 / discount -208.40 / customer pays 1,875.60", the
    total already after the discount, which read as if it were taken twice: here the total
    is before any discount, and a result line is printed wherever a sum is reached. Raises
    ``ValueError`` when the figures given do not add up (a bill printed wrong is worse than
    none).
    """
    others = gross - customer_gross
    given = discount - rounding
    steps = [Step(N_("All pay types, before discounts"), gross)]
    if others:
        steps += [Step(N_("Less: paid by others (warranty, insurance, internal)"), -others),
                  Step(N_("Customer's share, before discounts"), customer_gross, result=True)]
    if given:
        steps.append(Step(N_("Less: discounts given"), -given))
    if rounding:
        steps.append(Step(N_("Less: small change rounded off (抹零)"), -rounding))
    if not tax_included:
        steps.append(Step(N_("Plus: VAT ({rate}%)"), tax))
    steps.append(Step(N_("Customer pays"), customer_payable, result=True))
    if tax_included:
        steps.append(Step(N_("of which VAT ({rate}%)"), tax, note=True))
    _check(steps)
    return tuple(steps)


def _check(steps: list[Step]) -> None:
    running = Decimal(0)
    for step in steps:
        if step.note:
            continue
        if step.result and step is not steps[0]:
            if running != step.amount:
                raise ValueError(f"{step.what}: {step.amount} printed, the lines above come to {running}")
            continue
        running += step.amount
