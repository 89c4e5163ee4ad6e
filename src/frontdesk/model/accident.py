"""Accident repairs (事故车): the insurer's claim that goes with an order (issue 21).

An accident order's insurance share is a receivable of payer kind ``insurer``
(model/payment.py); this record says which insurer owes it and why: the report number
(报案号), the insured, the loss assessor (定损员) and what they assessed (定损金额), later
supplements (追加定损), the customer's own share, the papers the insurer wants and who took
them there (送单). One record per order.

``paid_amount`` and ``gap`` are a stamp taken when the insurer's receivables of the order
close (paid in full, or paid short and the rest written off): what the insurer paid against
what was assessed (定损与实际赔付差额). The ledger stays the truth; the gap report reads it
(services/accidents.py), the stamp keeps the figures the claim closed with.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

# The papers an insurer asks for before it pays, in the order they are usually collected.
DOCUMENTS = ("assessment", "vehicle_licence", "driving_licence", "accident_report", "invoice", "id_card",
             "bank_details", "claim_form")


class AccidentClaim(Base):
    __tablename__ = "accident_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), unique=True)
    insurer: Mapped[str] = mapped_column(String(120))
    report_no: Mapped[str] = mapped_column(String(60), index=True)  # 报案号
    insured_name: Mapped[str] = mapped_column(String(80), default="")  # 被保险人
    assessor: Mapped[str] = mapped_column(String(80), default="")  # 定损员
    assessed_amount: Mapped[Decimal | None]  # 定损金额; None until the assessor has been
    customer_share: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # 自付: excess, uncovered items
    accident_on: Mapped[dt.date | None]
    documents: Mapped[list[Any]] = mapped_column(default=list)  # DOCUMENTS keys received
    papers_delivered_by: Mapped[str] = mapped_column(String(80), default="")  # 送单
    papers_delivered_on: Mapped[dt.date | None]
    paid_amount: Mapped[Decimal | None]  # stamped when the insurer's receivables close
    gap: Mapped[Decimal | None]  # assessed (with supplements) − paid, at that moment
    closed_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    supplements: Mapped[list[AccidentSupplement]] = relationship(
        back_populates="claim", order_by="AccidentSupplement.id", cascade="all, delete-orphan")


class AccidentSupplement(Base):
    """追加定损: the assessor adds to the assessment once the car is opened up."""

    __tablename__ = "accident_supplement"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("accident_claim.id"), index=True)
    amount: Mapped[Decimal]
    assessed_on: Mapped[dt.date]
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime]

    claim: Mapped[AccidentClaim] = relationship(back_populates="supplements")
