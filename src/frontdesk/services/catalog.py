"""Catalogs and stock: labor operations, parts, stock receipts and adjustments."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import select

from frontdesk.i18n import gettext as _
from frontdesk.model import LaborOperation, Part, StockMovement
from frontdesk.model.enums import StockMovementKind, VehicleSystem

from . import sanbao
from .common import get, text
from .context import Tx, service
from .errors import ValidationError
from .estimate import stock_level
from .money import parse_hours, parse_money, parse_quantity
from .refs import Saved


@cache
def _pinyin():  # type: ignore[no-untyped-def]
    from pypinyin import Style, lazy_pinyin

    return lambda s: lazy_pinyin(s, style=Style.FIRST_LETTER, errors="ignore")


def initials(name: str) -> str:
    """Pinyin initials, so typing "ghjy" finds 更换机油; letters and digits in the name pass through."""
    out = []
    for chunk in _pinyin()(name):
        out.append(chunk.lower())
    return "".join(c for c in "".join(out) if c.isalnum())


@dataclass(frozen=True)
class LaborOpInput:
    code: str
    name: str
    std_hours: Decimal | str
    name_en: str = ""
    category: str = ""
    safety: bool = False
    models: str = ""
    #: The car's system (三包, services/sanbao.py); "" none. None keeps the one set before, or follows the
    #: category (brakes → brakes; maintenance: none).
    system: VehicleSystem | str | None = None


@dataclass(frozen=True)
class PartInput:
    number: str
    name: str
    price: Decimal | str
    name_en: str = ""
    category: str = ""
    unit: str = "pc"
    bin: str | None = None  # where it lies in this store's parts room; None leaves it as it is


def _name(entry: LaborOperation | Part, data: LaborOpInput | PartInput) -> None:
    """What every catalog entry is called and filed under; the pinyin initials follow the name."""
    entry.name = text(data.name, "name", max_len=120, required=True)
    entry.name_en = text(data.name_en, "name_en")
    entry.initials = initials(entry.name)
    entry.category = text(data.category, "category", max_len=40)


@service("catalog.save")
def save_labor_operation(tx: Tx, data: LaborOpInput) -> Saved:
    code = text(data.code, "code", max_len=20, required=True).upper()
    op = tx.session.scalar(select(LaborOperation).where(LaborOperation.code == code))
    before = None if op is None else {"name": op.name, "std_hours": op.std_hours, "system": op.system}
    if op is None:
        op = LaborOperation(code=code)
        tx.session.add(op)
    _name(op, data)
    op.std_hours = parse_hours(data.std_hours, "std_hours")
    op.safety = data.safety
    op.models = text(data.models, "models")
    if data.system is not None:
        op.system = sanbao.parse_system(data.system)
    elif op.system is None:  # not said: a system set before stays, otherwise the category's
        op.system = sanbao.system_of(op.category)
    tx.session.flush()
    tx.audit("labor_operation", op.id, before=before, after={"code": code, "name": op.name, "std_hours": op.std_hours,
                                                             "system": op.system})
    return Saved(op.id)


@service("catalog.save")
def save_part(tx: Tx, data: PartInput) -> Saved:
    number = text(data.number, "number", max_len=40, required=True).upper()
    part = tx.session.scalar(select(Part).where(Part.number == number))
    before = None if part is None else {"name": part.name, "price": part.price, "unit": part.unit}
    if part is None:
        part = Part(number=number)
        tx.session.add(part)
    _name(part, data)
    part.unit = text(data.unit, "unit", max_len=8) or "pc"
    part.price = parse_money(data.price, "price")
    tx.session.flush()
    after = {"number": number, "name": part.name, "price": part.price, "unit": part.unit}
    if data.bin is not None:
        level = stock_level(tx.session, tx.actor.store_id, part.id)
        after["bin"] = level.bin = text(data.bin, "bin", max_len=20)
    tx.audit("part", part.id, before=before, after=after)
    return Saved(part.id)


def parse_delta(value: Decimal | int | str, field: str = "delta") -> Decimal:
    """A signed stock change typed at the desk: "+5", "-2", "1.5" (litres of oil)."""
    if isinstance(value, str):
        raw = value.strip()
        negative = raw.startswith(("-", "−", "－"))
        digits = raw.lstrip("+-−－＋").strip()
        if digits.strip("0.") == "" and "0" in digits:  # "0", "0.00": nothing comes or goes (a bin move)
            return Decimal(0)
        amount = parse_quantity(digits, field)
        return -amount if negative else amount
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"{field} must be text, int or Decimal, got {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValidationError(field, _("This is not a number."))
    if amount.is_zero():
        return Decimal(0)
    magnitude = parse_quantity(abs(amount), field)  # the same limits as typed text
    return -magnitude if amount < 0 else magnitude


@service("stock.adjust")
def adjust_stock(tx: Tx, part_id: int, delta: Decimal | int | str, reason: str, bin: str | None = None,
                 kind: StockMovementKind = StockMovementKind.ADJUST) -> Decimal:
    """Receive or correct stock with a reason (a stock count, damage, a return); on-hand never goes below zero.

    Every change is a stock movement, so on-hand always equals the sum of the part's movements.
    """
    why = text(reason, "reason", max_len=200, required=True)
    amount = parse_delta(delta)
    if amount == 0 and bin is None:
        raise ValidationError("delta", _("Enter how much comes in (+) or goes out (-)."))
    get(tx.session, Part, part_id, "part")
    level = stock_level(tx.session, tx.actor.store_id, part_id)
    if level.on_hand + amount < 0:
        raise ValidationError("delta", _("Stock cannot go below zero (on hand {n}).").format(n=level.on_hand))
    level.on_hand += amount
    if bin is not None:
        level.bin = text(bin, "bin", max_len=20)
    if amount:
        tx.session.add(StockMovement(store_id=tx.actor.store_id, part_id=part_id, kind=kind, qty=amount,
                                     reason=why, user_id=tx.actor.user_id, at=tx.now))
    tx.audit("stock_level", level.id, after={"part_id": part_id, "delta": amount, "on_hand": level.on_hand,
                                             "bin": level.bin, "reason": why})
    return level.on_hand
