"""Key accounts (大客户 / 机构 / 政府 / 车队): customers the store bills monthly instead of at the counter.

An account owns vehicles and names the drivers (送修人) allowed to bring them in. An order of
an account vehicle is charged to the account at settlement (``RepairOrder.account_id``,
``account_charged``) and the charge becomes a receivable of payer kind ``account``
(model/payment.py), paid later by transfers applied to one or several orders. The account is
the store's: a group's other store keeps its own terms with the same fleet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Rate, enum_column


class AccountKind(StrEnum):
    KEY = "key"  # 重点客户
    INSTITUTION = "institution"  # 机构客户
    GOVERNMENT = "government"  # 政府客户
    FLEET = "fleet"  # 车队


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind), default=AccountKind.KEY)
    contact_name: Mapped[str] = mapped_column(String(80), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    credit_limit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    terms_days: Mapped[int] = mapped_column(default=30)  # days after the statement (月结) or the charge
    monthly: Mapped[bool] = mapped_column(default=True)  # 月结: billed on a monthly statement
    labour_discount: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))  # agreed, 0.1000 = 10 %
    parts_discount: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0"))
    invoice_title: Mapped[str] = mapped_column(String(120), default="")  # 发票抬头
    tax_id: Mapped[str] = mapped_column(String(30), default="")  # 税号
    invoice_address: Mapped[str] = mapped_column(String(200), default="")
    invoice_bank: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    suspended_at: Mapped[dt.datetime | None]
    suspended_reason: Mapped[str] = mapped_column(default="")
    created_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    vehicles: Mapped[list[AccountVehicle]] = relationship(back_populates="account", cascade="all, delete-orphan")
    drivers: Mapped[list[AccountDriver]] = relationship(back_populates="account", cascade="all, delete-orphan")


class AccountVehicle(Base):
    """A vehicle billed to the account; a vehicle is on at most one account of a store at a time."""

    __tablename__ = "account_vehicle"
    __table_args__ = (UniqueConstraint("vehicle_id", "store_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    added_at: Mapped[dt.datetime]

    account: Mapped[Account] = relationship(back_populates="vehicles")


class AccountDriver(Base):
    """Someone the account allows to bring its vehicles in and sign for them (授权送修人)."""

    __tablename__ = "account_driver"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)

    account: Mapped[Account] = relationship(back_populates="drivers")
