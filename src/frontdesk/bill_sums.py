"""The six sums a bill comes to, declared once.

The money service's ``Totals`` (what the screens, the cashier and the report carry) and
the paperwork's frozen snapshot of it print the same figures. The paperwork may not
import the services, so the shape they share lives below both, in the standard library
only: what ``net`` and ``gross`` mean is said here and nowhere else.
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
