"""Labor-operation and part catalogs (group-wide) and stock (per store)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, Quantity, enum_column
from .enums import StockMovementKind, VehicleSystem


class LaborOperation(Base):
    __tablename__ = "labor_operation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    name_en: Mapped[str] = mapped_column(default="")
    # Pinyin initials of the name ("更换机油" -> "ghjy") so the desk can type letters.
    initials: Mapped[str] = mapped_column(String(60), index=True, default="")
    category: Mapped[str] = mapped_column(String(40), default="")
    std_hours: Mapped[Decimal] = mapped_column(Hours)
    safety: Mapped[bool] = mapped_column(default=False)
    # The car's system the work is on (三包 counts repeat repairs per system); None: routine work, no system.
    system: Mapped[VehicleSystem | None] = mapped_column(enum_column(VehicleSystem))
    # Comma-separated model names this time applies to; empty = all models.
    models: Mapped[str] = mapped_column(default="")
    active: Mapped[bool] = mapped_column(default=True)


class Part(Base):
    __tablename__ = "part"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    name_en: Mapped[str] = mapped_column(default="")
    initials: Mapped[str] = mapped_column(String(60), index=True, default="")
    category: Mapped[str] = mapped_column(String(40), default="")
    unit: Mapped[str] = mapped_column(String(8), default="pc")
    price: Mapped[Decimal]
    active: Mapped[bool] = mapped_column(default=True)


class StockLevel(Base):
    __tablename__ = "stock_level"
    __table_args__ = (UniqueConstraint("store_id", "part_id", name="uq_stock_level_store_part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), index=True)
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    bin: Mapped[str] = mapped_column(String(20), default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    part: Mapped[Part] = relationship(lazy="joined")

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMovement(Base):
    """Every change of on-hand stock, so stock always equals the sum of its movements."""

    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_store_part", "store_id", "part_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    kind: Mapped[StockMovementKind] = mapped_column(enum_column(StockMovementKind))
    qty: Mapped[Decimal] = mapped_column(Quantity)  # signed: issues are negative
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)
    part_line_id: Mapped[int | None] = mapped_column(ForeignKey("part_line.id"))
    reason: Mapped[str] = mapped_column(default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime]
