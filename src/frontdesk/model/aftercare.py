"""After the car leaves: follow-up calls, complaints, next-service reminder calls."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column
from .enums import ComplaintStatus, FollowUpStatus


class FollowUp(Base):
    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), unique=True)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[FollowUpStatus] = mapped_column(enum_column(FollowUpStatus), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    reached: Mapped[bool | None]
    score_overall: Mapped[int | None]
    score_advisor: Mapped[int | None]
    score_quality: Mapped[int | None]
    score_timeliness: Mapped[int | None]
    score_price: Mapped[int | None]
    comments: Mapped[str] = mapped_column(Text, default="")
    last_attempt_at: Mapped[dt.datetime | None]
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Complaint(Base):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[ComplaintStatus] = mapped_column(enum_column(ComplaintStatus), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[dt.datetime]
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ReminderCall(Base):
    """A next-service reminder call and what came of it."""

    __tablename__ = "reminder_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    reached: Mapped[bool]
    result: Mapped[str] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    caller_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime]
