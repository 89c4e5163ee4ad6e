"""Recall and service campaigns (召回 / 服务活动): the maker's list of VINs and the work each needs.

A maker sends a list of VINs and the labour operation (and parts) each must have done. The
list names cars the store has never seen: a car may come in years later, so a campaign car
is kept by its VIN, and ``vehicle_id`` is only a convenience filled when the car is known.
Lookups match by VIN (the store's record of the car is completed at check-in, often after
the import), never by ``vehicle_id`` alone.

Each car's campaign is closed once: done here (by the order that did it, recorded when that
order is delivered), done elsewhere (another dealer did it), or not applicable (with the
reason). The campaign itself is the group's, like the catalog: the maker's list does not
depend on which of the group's stores the car visits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Quantity, enum_column


class CampaignKind(StrEnum):
    RECALL = "recall"  # 召回: a safety or regulatory defect
    SERVICE = "service"  # 服务活动: the maker's goodwill or improvement work


class CampaignCarStatus(StrEnum):
    OPEN = "open"
    DONE_HERE = "done_here"  # the order named on the record did it (closed at its delivery)
    DONE_ELSEWHERE = "done_elsewhere"
    NOT_APPLICABLE = "not_applicable"


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(enum_column(CampaignKind))
    starts: Mapped[dt.date | None]
    ends: Mapped[dt.date | None]
    imported_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    jobs: Mapped[list[CampaignJob]] = relationship(back_populates="campaign", order_by="CampaignJob.seq",
                                                   cascade="all, delete-orphan")


class CampaignJob(Base):
    """One labour operation of the campaign, or one part on it (several parts: several rows, same op)."""

    __tablename__ = "campaign_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    seq: Mapped[int]
    labor_op_id: Mapped[int] = mapped_column(ForeignKey("labor_operation.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id"))
    qty: Mapped[Decimal | None] = mapped_column(Quantity)

    campaign: Mapped[Campaign] = relationship(back_populates="jobs")


class CampaignVehicle(Base):
    """One car of the list: by VIN, whether or not the store knows the car yet."""

    __tablename__ = "campaign_vehicle"
    __table_args__ = (
        UniqueConstraint("campaign_id", "vin", name="uq_campaign_vehicle_campaign_vin"),
        # The desk search asks "which of these VINs have an open campaign" per keystroke.
        Index("ix_campaign_vehicle_vin_status", "vin", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    vin: Mapped[str] = mapped_column(String(17))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"), index=True)
    status: Mapped[CampaignCarStatus] = mapped_column(enum_column(CampaignCarStatus), default=CampaignCarStatus.OPEN)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
