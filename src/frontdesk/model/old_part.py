"""The old-parts ledger (旧件台账): replaced warranty parts the maker may ask back.

A part replaced under warranty is the maker's: it is tagged (a printed tag number, unique in
the store), kept on a shelf (``location``) until the maker says what to do with it — return
it in a shipment (``OldPartShipment``: the consignment number and the date it left) or scrap
it (the maker's instruction, as the reason). Each part line of an order is tagged once
(``part_line_id`` unique), so a part cannot be claimed or shipped twice. ``claim_id`` names
the warranty claim the part supports when the order has one (services/old_parts.py fills it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Quantity, enum_column


class OldPartState(StrEnum):
    STORED = "stored"  # tagged and on the shelf
    SHIPPED = "shipped"  # returned to the maker
    SCRAPPED = "scrapped"  # scrapped as the maker said


class OldPartShipment(Base):
    """One return of old parts to the maker: its consignment number (unique in the store) and date."""

    __tablename__ = "old_part_shipment"
    __table_args__ = (UniqueConstraint("store_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    number: Mapped[str] = mapped_column(String(60))
    shipped_on: Mapped[dt.date]
    by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime]


class OldPart(Base):
    __tablename__ = "old_part"
    __table_args__ = (UniqueConstraint("store_id", "tag"), UniqueConstraint("part_line_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_claim.id"), index=True)  # when the order has one
    part_line_id: Mapped[int | None] = mapped_column(ForeignKey("part_line.id"))
    part_no: Mapped[str] = mapped_column(String(40))
    name: Mapped[str]
    qty: Mapped[Decimal] = mapped_column(Quantity)
    tag: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(40), default="")
    stored_at: Mapped[dt.datetime]
    stored_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    state: Mapped[OldPartState] = mapped_column(enum_column(OldPartState), default=OldPartState.STORED, index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("old_part_shipment.id"), index=True)
    scrapped_at: Mapped[dt.datetime | None]
    scrap_reason: Mapped[str] = mapped_column(default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
