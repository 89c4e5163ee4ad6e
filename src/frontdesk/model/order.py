"""The repair order (任务委托书) and what is recorded on it at the desk and at delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, enum_column
from .customer import Customer, Vehicle
from .enums import (
    AppointmentStatus,
    Damage,
    DeliveryStage,
    OldParts,
    OrderStatus,
    Panel,
    PaymentMethod,
    SanbaoState,
    WarrantyStatus,
)
from .store import User


class ReminderOutcome(StrEnum):
    """The reminder call the day before an appointment (services/capacity.py)."""

    CONFIRMED = "confirmed"
    MOVED = "moved"
    CANCELLED = "cancelled"
    NO_ANSWER = "no_answer"  # stays in the queue, tried again


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_store_scheduled", "store_id", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    scheduled_at: Mapped[dt.datetime]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    requested_work: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AppointmentStatus] = mapped_column(
        enum_column(AppointmentStatus), default=AppointmentStatus.BOOKED
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"))
    created_at: Mapped[dt.datetime]
    # Capacity (services/capacity.py): the workshop hours the visit will take and the trade doing them
    # (typed, or estimated from the requested work; NULL on bookings made before capacity was kept),
    # and who let it in over a full band.
    work_hours: Mapped[Decimal | None] = mapped_column(Hours)
    trade: Mapped[str | None] = mapped_column(String(20))
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The reminder call the day before: the last outcome, when, by whom, and how many tries.
    reminder_outcome: Mapped[ReminderOutcome | None] = mapped_column(enum_column(ReminderOutcome))
    reminder_at: Mapped[dt.datetime | None]
    reminder_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reminder_tries: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    vehicle: Mapped[Vehicle] = relationship()


class OrderCounter(Base):
    """Last order number used per store and day; numbers are RO<store><yyyymmdd><nnnn>."""

    __tablename__ = "order_counter"

    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class RepairOrder(Base):
    __tablename__ = "repair_order"
    __table_args__ = (
        Index("ix_repair_order_store_status", "store_id", "status"),
        Index("ix_repair_order_store_checked_in", "store_id", "checked_in_at"),
        Index("ix_repair_order_vehicle_checked_in", "vehicle_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), index=True)
    status_changed_at: Mapped[dt.datetime]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    advisor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", use_alter=True))

    # Check-in
    brought_by_name: Mapped[str] = mapped_column(String(80), default="")
    brought_by_phone: Mapped[str] = mapped_column(String(20), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    odometer_km: Mapped[int]
    fuel_eighths: Mapped[int]  # 0 = empty .. 8 = full; for EVs the charge level
    concerns: Mapped[str] = mapped_column(Text, default="")  # the customer's own words
    warranty_status: Mapped[WarrantyStatus] = mapped_column(
        enum_column(WarrantyStatus), default=WarrantyStatus.UNDETERMINED
    )
    checked_in_at: Mapped[dt.datetime]
    # 三包 (services/sanbao.py): set at check-in, brought up to date when the car is ready and delivered.
    sanbao_status: Mapped[SanbaoState] = mapped_column(
        enum_column(SanbaoState), default=SanbaoState.NONE, server_default=SanbaoState.NONE.value
    )

    # Estimate and work order
    promised_at: Mapped[dt.datetime | None]
    payment_method: Mapped[PaymentMethod | None] = mapped_column(enum_column(PaymentMethod))
    old_parts: Mapped[OldParts] = mapped_column(enum_column(OldParts), default=OldParts.LEAVE)
    wash: Mapped[bool] = mapped_column(default=True)
    signed_by: Mapped[str | None] = mapped_column(String(80))
    signed_at: Mapped[dt.datetime | None]

    # Workshop milestones
    dispatched_at: Mapped[dt.datetime | None]
    washed_at: Mapped[dt.datetime | None]
    ready_at: Mapped[dt.datetime | None]
    pickup_at: Mapped[dt.datetime | None]  # 约定交车时间: agreed with the customer once the car is ready

    # Delivery and settlement
    delivered_at: Mapped[dt.datetime | None]
    discount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    discount_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    #: 抹零: small change the cashier let go of the customer's share, within the store's setting
    #: (a discount on the cashier's own authority; who did it is the payment.round_off audit event).
    rounding: Mapped[Decimal] = mapped_column(default=Decimal("0.00"), server_default="0")
    total_amount: Mapped[Decimal | None]  # snapshot at settlement, for reports
    customer_amount: Mapped[Decimal | None]
    next_service_date: Mapped[dt.date | None]
    next_service_km: Mapped[int | None]
    follow_up_at: Mapped[dt.datetime | None]
    settled_at: Mapped[dt.datetime | None]
    credit_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    credit_approved_at: Mapped[dt.datetime | None]
    # Charged to a key account at settlement (model/account.py): the customer share it took over.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", use_alter=True))
    account_charged: Mapped[Decimal] = mapped_column(default=Decimal("0.00"), server_default="0")
    gate_pass_no: Mapped[str | None] = mapped_column(String(30))
    gate_pass_at: Mapped[dt.datetime | None]
    gate_pass_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancel_reason: Mapped[str] = mapped_column(default="")

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    vehicle: Mapped[Vehicle] = relationship()
    advisor: Mapped[User] = relationship(foreign_keys=[advisor_id])
    jobs: Mapped[list["Job"]] = relationship(  # noqa: F821
        back_populates="order", order_by="Job.seq", cascade="all, delete-orphan"
    )
    part_lines: Mapped[list["PartLine"]] = relationship(  # noqa: F821
        back_populates="order", order_by="PartLine.id", cascade="all, delete-orphan"
    )
    walkaround: Mapped[Walkaround | None] = relationship(back_populates="order", cascade="all, delete-orphan")
    delivery_checks: Mapped[list[DeliveryCheck]] = relationship(cascade="all, delete-orphan")
    payments: Mapped[list["Payment"]] = relationship(  # noqa: F821
        back_populates="order", order_by="Payment.id"
    )
    # What was found on this visit and not (yet) done: model/recommendation.py.
    recommendations: Mapped[list["Recommendation"]] = relationship(  # noqa: F821
        back_populates="order", order_by="Recommendation.id", cascade="all, delete-orphan"
    )


class Walkaround(Base):
    """The 环车检查 done with the customer at check-in; printed as the check-in sheet."""

    __tablename__ = "walkaround"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), unique=True)
    covers_fitted: Mapped[bool] = mapped_column(default=False)
    warning_lights: Mapped[list[Any]] = mapped_column(default=list)
    valuables: Mapped[str] = mapped_column(default="")
    spare_tyre: Mapped[bool] = mapped_column(default=False)
    tool_kit: Mapped[bool] = mapped_column(default=False)
    warning_triangle: Mapped[bool] = mapped_column(default=False)
    tyres_note: Mapped[str] = mapped_column(default="")
    photos_ref: Mapped[str] = mapped_column(default="")
    signed_by: Mapped[str | None] = mapped_column(String(80))
    signed_at: Mapped[dt.datetime | None]
    recorded_at: Mapped[dt.datetime]

    order: Mapped[RepairOrder] = relationship(back_populates="walkaround")
    marks: Mapped[list[PanelMark]] = relationship(
        back_populates="walkaround", cascade="all, delete-orphan", order_by="PanelMark.id"
    )


class PanelMark(Base):
    __tablename__ = "panel_mark"
    __table_args__ = (UniqueConstraint("walkaround_id", "panel", "damage", name="uq_panel_mark_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    walkaround_id: Mapped[int] = mapped_column(ForeignKey("walkaround.id"))
    panel: Mapped[Panel] = mapped_column(enum_column(Panel))
    damage: Mapped[Damage] = mapped_column(enum_column(Damage))
    note: Mapped[str] = mapped_column(default="")

    walkaround: Mapped[Walkaround] = relationship(back_populates="marks")


class DeliveryCheck(Base):
    """One ticked item of the internal delivery check or of the customer walkthrough."""

    __tablename__ = "delivery_check"
    __table_args__ = (UniqueConstraint("order_id", "stage", "item", name="uq_delivery_check_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"))
    stage: Mapped[DeliveryStage] = mapped_column(enum_column(DeliveryStage))
    item: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime]
