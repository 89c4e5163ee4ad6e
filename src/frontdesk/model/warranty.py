"""Warranty claims to the maker (索赔) and goodwill splits (善意保修), issue 21.

A warranty order's work is paid by the maker, but only once the store has claimed it on the
maker's portal: the claim (one per order) is a snapshot of the order's warranty lines taken
when the claims clerk opens it, then edited (fault, mileage, the technician's cause and
remedy, labour codes and parts) and submitted. The maker answers: returned with a reason
(the clerk edits and submits again), approved (an amount, at most what was claimed) or
rejected (a manager then moves the cost to the dealer or the customer: ``reassigned``).

The lines are kept as JSON on the claim (money as text, exact to the fen): they are what
the store *claims*, not the order's lines, and are never queried one by one. Each
submission is kept whole in a :class:`WarrantyClaimRevision` (``version_no``), so what the
maker saw each time stays on record after the claim is edited; a returned claim that is
edited starts the next revision. ``version`` is the row's optimistic lock (two clerks
submitting the same claim at once: one is refused), apart from ``version_no``.

Paid is not a stored step: the maker pays through a remittance (services/ledger.py) applied
to the order's maker receivable, and the claim reads as paid once the maker has paid what it
approved (services/warranty_claims.py) — the receivable is the one record of the money.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column


class ClaimState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back by the maker with a reason: edit and submit again
    APPROVED = "approved"
    PAID = "paid"  # read from the maker receivable, never stored (see the module docstring)
    REJECTED = "rejected"
    REASSIGNED = "reassigned"  # a rejected claim's cost moved to the dealer or the customer


class WarrantyClaim(Base):
    __tablename__ = "warranty_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), unique=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # the order's number + "-C"
    state: Mapped[ClaimState] = mapped_column(enum_column(ClaimState), default=ClaimState.DRAFT, index=True)
    goodwill: Mapped[bool] = mapped_column(default=False)  # 善意保修: the maker's share of a goodwill split
    version_no: Mapped[int] = mapped_column(default=1)  # the claim's revision (a submission keeps its own)
    fault: Mapped[str] = mapped_column(Text, default="")  # 故障描述
    mileage_km: Mapped[int] = mapped_column(default=0)
    cause: Mapped[str] = mapped_column(Text, default="")  # the technician's 故障原因
    remedy: Mapped[str] = mapped_column(Text, default="")  # 维修措施
    maker_ref: Mapped[str] = mapped_column(String(60), default="")  # the maker portal's own claim number
    labour: Mapped[list[Any]] = mapped_column(default=list)  # [{code, description, hours, amount}]
    parts: Mapped[list[Any]] = mapped_column(default=list)  # [{number, name, qty, unit_price, amount, part_line_id}]
    claimed_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    approved_amount: Mapped[Decimal | None]
    repair_on: Mapped[dt.date]
    deadline: Mapped[dt.date]  # repair_on + the warranty_claim_days setting, fixed when the claim opens
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    returned_on: Mapped[dt.date | None]
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None]  # the maker's approval or rejection, as its notice dates it
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # who recorded it
    rejected_reason: Mapped[str] = mapped_column(Text, default="")
    reassigned_to: Mapped[str | None] = mapped_column(String(12))  # "dealer" | "customer"
    reassigned_at: Mapped[dt.datetime | None]
    reassigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reassign_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    revisions: Mapped[list[WarrantyClaimRevision]] = relationship(
        back_populates="claim", order_by="WarrantyClaimRevision.version_no", cascade="all, delete-orphan"
    )


class WarrantyClaimRevision(Base):
    """What one submission sent the maker, whole (a revision is submitted once: the unique pair)."""

    __tablename__ = "warranty_claim_revision"
    __table_args__ = (UniqueConstraint("claim_id", "version_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("warranty_claim.id"), index=True)
    version_no: Mapped[int]
    content: Mapped[dict[str, Any]]
    submitted_at: Mapped[dt.datetime]
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))

    claim: Mapped[WarrantyClaim] = relationship(back_populates="revisions")


class Goodwill(Base):
    """善意保修: the manager's split of an order's warranty work between customer, maker and dealer.

    The parts sum to the order's warranty share. The maker's part is claimed (the claim's
    amount), the customer's becomes a customer receivable, the dealer's is written off the
    maker receivable as the store's own cost (services/warranty_claims.py).
    """

    __tablename__ = "goodwill"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), unique=True)
    total: Mapped[Decimal]
    customer_amount: Mapped[Decimal]
    maker_amount: Mapped[Decimal]
    dealer_amount: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[dt.datetime]
