"""Jobs (labor lines), part lines and what the workshop records against them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, Quantity, enum_column
from .enums import (
    CheckKind,
    DecisionChannel,
    JobOrigin,
    JobPriority,
    JobStatus,
    PartOrderState,
    PauseReason,
    PayType,
    UnissuedPartsReason,
    VehicleSystem,
    WarrantyStatus,
)
from .order import RepairOrder


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    seq: Mapped[int]
    labor_op_id: Mapped[int | None] = mapped_column(ForeignKey("labor_operation.id"))
    # The service package (model/package.py) this job was added with, if any: the car's next due one reads it.
    package_id: Mapped[int | None] = mapped_column(ForeignKey("service_package.id"))
    code: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str]
    hours: Mapped[Decimal] = mapped_column(Hours)
    rate: Mapped[Decimal]
    amount: Mapped[Decimal]
    pay_type: Mapped[PayType] = mapped_column(enum_column(PayType))
    origin: Mapped[JobOrigin] = mapped_column(enum_column(JobOrigin))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), index=True)
    safety: Mapped[bool] = mapped_column(default=False)
    # Copied from the labour operation when the job is added: 三包 (services/sanbao.py) counts repairs per system.
    system: Mapped[VehicleSystem | None] = mapped_column(enum_column(VehicleSystem))
    warranty_status: Mapped[WarrantyStatus] = mapped_column(
        enum_column(WarrantyStatus), default=WarrantyStatus.UNDETERMINED
    )
    # Workshop
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technician.id"), index=True)
    priority: Mapped[JobPriority] = mapped_column(
        enum_column(JobPriority), default=JobPriority.NORMAL, server_default=JobPriority.NORMAL.value
    )
    pause_reason: Mapped[PauseReason | None] = mapped_column(enum_column(PauseReason))
    # When the pause reason was set: paused at, or when the customer's answer it waited for came.
    pause_reason_at: Mapped[dt.datetime | None]
    # Finished with parts not issued: why (supplied by the customer, not needed); None when all were issued.
    unissued_parts_reason: Mapped[UnissuedPartsReason | None] = mapped_column(enum_column(UnissuedPartsReason))
    clocked_seconds: Mapped[int] = mapped_column(default=0)
    running_since: Mapped[dt.datetime | None]
    rework_count: Mapped[int] = mapped_column(default=0)
    # Additional work and the customer's decision on it
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[dt.datetime | None]
    proposal_note: Mapped[str] = mapped_column(Text, default="")
    decision_by: Mapped[str | None] = mapped_column(String(80))
    decision_channel: Mapped[DecisionChannel | None] = mapped_column(enum_column(DecisionChannel))
    decision_at: Mapped[dt.datetime | None]
    decision_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision_note: Mapped[str] = mapped_column(default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    order: Mapped[RepairOrder] = relationship(back_populates="jobs")
    part_lines: Mapped[list[PartLine]] = relationship(back_populates="job")
    clock_events: Mapped[list[ClockEvent]] = relationship(
        back_populates="job", order_by="ClockEvent.id", cascade="all, delete-orphan"
    )
    checks: Mapped[list[JobCheck]] = relationship(
        back_populates="job", order_by="JobCheck.id", cascade="all, delete-orphan"
    )
    # Loaded with the jobs (one query for all of them): the board's stage reads them.
    part_orders: Mapped[list[PartOrder]] = relationship(
        back_populates="job", order_by="PartOrder.id", lazy="selectin"
    )


class PartLine(Base):
    __tablename__ = "part_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str]
    qty: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal]
    amount: Mapped[Decimal]
    pay_type: Mapped[PayType] = mapped_column(enum_column(PayType))
    reserved_qty: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    issued_qty: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))

    order: Mapped[RepairOrder] = relationship(back_populates="part_lines")
    job: Mapped[Job | None] = relationship(back_populates="part_lines")


class ClockEvent(Base):
    __tablename__ = "clock_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technician.id"))
    kind: Mapped[str] = mapped_column(String(12))  # start | pause | resume | finish
    reason: Mapped[PauseReason | None] = mapped_column(enum_column(PauseReason))
    at: Mapped[dt.datetime]

    job: Mapped[Job] = relationship(back_populates="clock_events")


class JobCheck(Base):
    """Self-check, team-leader check or final QC of one job; a failed QC is kept for rework counts."""

    __tablename__ = "job_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    kind: Mapped[CheckKind] = mapped_column(enum_column(CheckKind))
    passed: Mapped[bool]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime]

    job: Mapped[Job] = relationship(back_populates="checks")
    # What the checker recommended to the customer (model/recommendation.py), loaded with the check.
    found: Mapped[list["Recommendation"]] = relationship(  # noqa: F821
        back_populates="check", order_by="Recommendation.id", lazy="selectin"
    )

    @property
    def recommendations(self) -> str:
        """The recommendations recorded at this check, as the checker wrote them."""
        return "\n".join(r.description for r in self.found)


class PartOrder(Base):
    """A part short in stock for a part line: requested -> ordered (expected date) -> arrived.

    The job it belongs to shows "waiting parts" until the part arrives; arrival is a stock
    receipt (a movement) and the quantity is reserved for the line, ready to be issued.
    """

    __tablename__ = "part_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)
    part_line_id: Mapped[int] = mapped_column(ForeignKey("part_line.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity)
    state: Mapped[PartOrderState] = mapped_column(enum_column(PartOrderState), index=True)
    requested_at: Mapped[dt.datetime]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    expected_on: Mapped[dt.date | None] = mapped_column(Date)
    supplier_ref: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(default="")
    ordered_at: Mapped[dt.datetime | None]
    ordered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    arrived_at: Mapped[dt.datetime | None]
    arrived_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    job: Mapped[Job | None] = relationship(back_populates="part_orders")
    part_line: Mapped[PartLine] = relationship()

    @property
    def open(self) -> bool:
        return self.state != PartOrderState.ARRIVED
