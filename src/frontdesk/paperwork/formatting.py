"""How values look on paper: money, dates, mileage, fuel, and the amount in Chinese capitals.

Kept free of ReportLab so the screens (and tests) can format the same way cheaply.
Amounts arrive already rounded by the money service; quantising here only fixes how many
decimals are shown (half-up, like the service), it never changes a stored value.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
DATE_FORMAT = "%Y-%m-%d"


def money(value: Decimal, *, symbol: str = "¥") -> str:
    """``Decimal("1234.5")`` → ``"¥1,234.50"``; negatives as ``"-¥50.00"``."""
    amount = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def quantity(value: Decimal) -> str:
    """Hours or quantities without trailing zeros: 1.50 → "1.5", 4.00 → "4"."""
    text = f"{value.normalize():f}"
    return text


def percent(rate: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.13 → "13", 0.065 → "6.5"."""
    return quantity(rate * 100)


def when(value: datetime | None, empty: str = "") -> str:
    """ISO-like date and time (2026-11-26 14:30): unambiguous in both languages."""
    return value.strftime(DATETIME_FORMAT) if value else empty


def day(value: date | None, empty: str = "") -> str:
    return value.strftime(DATE_FORMAT) if value else empty


def km(value: int | None, empty: str = "") -> str:
    return f"{value:,} km" if value is not None else empty


def fuel(eighths: int) -> str:
    return f"{eighths}/8"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four_digits(group: int) -> str:
    """0..9999 in capitals, with the zeros a bank expects (1005 → 壹仟零伍)."""
    out = ""
    zero_pending = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        out += _DIGITS[digit] + _SMALL_UNITS[position]
    return out


def rmb_upper(value: Decimal) -> str:
    """Amount in Chinese financial capitals, as settlement slips and invoices print it.

    ``Decimal("1234.50")`` → ``"壹仟贰佰叁拾肆元伍角整"``; ``Decimal("0.05")`` → ``"伍分"``;
    negative amounts get a leading "负".
    """
    amount = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == 0:
        return "零元整"
    prefix = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    text = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        need_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or group < 1000):
                text += "零"
            need_zero = False
            text += _four_digits(group) + _BIG_UNITS[index]
        text += "元"
    if jiao == 0 and fen == 0:
        return prefix + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return prefix + text
