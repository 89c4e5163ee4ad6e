"""Money received for an order, and the shares others owe (warranty claims, insurers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column
from .enums import PaymentKind, PaymentMethod, PayType
from .order import RepairOrder


class Payment(Base):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(enum_column(PaymentKind), default=PaymentKind.PAYMENT)
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    amount: Mapped[Decimal]  # applied to the order (refunds positive, kind says the sign)
    tendered: Mapped[Decimal]  # handed over (cash may exceed amount)
    change: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    reference: Mapped[str] = mapped_column(String(80), default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = mapped_column(index=True)
    voided_at: Mapped[dt.datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    void_reason: Mapped[str] = mapped_column(default="")

    order: Mapped[RepairOrder] = relationship(back_populates="payments")


class Receivable(Base):
    """The warranty or insurance share of an order, claimed from the maker or insurer."""

    __tablename__ = "receivable"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    pay_type: Mapped[PayType] = mapped_column(enum_column(PayType))
    amount: Mapped[Decimal]
    reference: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime]
