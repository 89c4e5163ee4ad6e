"""Money received for an order, and the shares others owe: the receivables ledger (issue 21).

A receivable is what one payer owes for one order: the maker (warranty share), an insurer
(insurance share), a key account (the customer share charged to it) or the customer (a
rejected claim's cost moved back to them). Money comes in as a remittance (one bank
transfer, one insurer's or maker's payment) applied to one or several receivables by
allocations; what a remittance does not apply stays on it, unapplied (the account's
credit). A receivable is open while ``amount - paid - written_off`` is above zero.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column
from .enums import PayerKind, PaymentKind, PaymentMethod, PayType
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
    """What one payer owes for one order; ``paid`` and ``written_off`` are kept with it, in the same transaction as their rows."""

    __tablename__ = "receivable"
    __table_args__ = (Index("ix_receivable_payer_open", "payer_kind", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    pay_type: Mapped[PayType] = mapped_column(enum_column(PayType))
    payer_kind: Mapped[PayerKind] = mapped_column(enum_column(PayerKind), default=PayerKind.MAKER,
                                                  server_default=PayerKind.MAKER.value)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    payer_name: Mapped[str] = mapped_column(String(120), default="", server_default="")  # the insurer, the maker, the account
    amount: Mapped[Decimal]
    paid: Mapped[Decimal] = mapped_column(default=Decimal("0.00"), server_default="0")
    written_off: Mapped[Decimal] = mapped_column(default=Decimal("0.00"), server_default="0")
    written_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    written_off_at: Mapped[dt.datetime | None]
    write_off_reason: Mapped[str] = mapped_column(default="", server_default="")
    reference: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime]
    due_on: Mapped[dt.date | None]  # the payer's terms; aging counts from created_at
    next_action_on: Mapped[dt.date | None]  # collection follow-up (催收): when to chase next
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    closed_at: Mapped[dt.datetime | None]  # set when nothing is left open
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    allocations: Mapped[list[Allocation]] = relationship(back_populates="receivable")

    @property
    def open_amount(self) -> Decimal:
        return self.amount - self.paid - self.written_off


class Remittance(Base):
    """One payment from a payer who owes on receivables: a bank transfer, an insurer's or the maker's settlement.

    The payer's reference (the bank's transaction number, the insurer's batch) is unique per
    store and payer, so the same transfer cannot be recorded twice by two cashiers at once.
    """

    __tablename__ = "remittance"
    __table_args__ = (UniqueConstraint("store_id", "payer_kind", "payer_name", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    payer_kind: Mapped[PayerKind] = mapped_column(enum_column(PayerKind))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    payer_name: Mapped[str] = mapped_column(String(120))
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod), default=PaymentMethod.TRANSFER)
    amount: Mapped[Decimal]
    applied: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # the rest is unapplied (the payer's credit)
    reference: Mapped[str] = mapped_column(String(80))
    received_on: Mapped[dt.date]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    allocations: Mapped[list[Allocation]] = relationship(back_populates="remittance")

    @property
    def unapplied(self) -> Decimal:
        return self.amount - self.applied


class Allocation(Base):
    """Part of a remittance applied to one receivable; a remittance applies to a receivable once."""

    __tablename__ = "allocation"
    __table_args__ = (UniqueConstraint("remittance_id", "receivable_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittance.id"), index=True)
    receivable_id: Mapped[int] = mapped_column(ForeignKey("receivable.id"), index=True)
    amount: Mapped[Decimal]
    at: Mapped[dt.datetime]
    by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))

    remittance: Mapped[Remittance] = relationship(back_populates="allocations")
    receivable: Mapped[Receivable] = relationship(back_populates="allocations")
