"""Reception: each car that comes through the door, registered by the receptionist (客户车辆登记).

An arrival is the customer waiting at the desk, before any repair order exists: which car
(the plate as typed, the vehicle when it is on file), why it came, the roof number (车顶号)
and key tag handed out, the appointment it matched and how early or late it was, the
advisor it is meant for, and who took it and when. The queue is the arrivals still
waiting, in arrival order; the figures (wait, show rate) are read from these rows, so they
are kept after the car is taken or has left.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column
from .enums import ArrivalPurpose, ArrivalStatus, Timeliness


class Arrival(Base):
    __tablename__ = "arrival"
    __table_args__ = (
        Index("ix_arrival_store_arrived_at", "store_id", "arrived_at"),
        Index("ix_arrival_store_status", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    plate: Mapped[str] = mapped_column(String(12))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    arrived_at: Mapped[dt.datetime]
    purpose: Mapped[ArrivalPurpose] = mapped_column(enum_column(ArrivalPurpose))
    roof_number: Mapped[str] = mapped_column(String(12), default="")
    key_tag: Mapped[str] = mapped_column(String(20), default="")
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    timeliness: Mapped[Timeliness | None] = mapped_column(enum_column(Timeliness))
    #: Minutes after the appointment time (negative: early); None without an appointment.
    timeliness_minutes: Mapped[int | None]
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    #: The advisor the rotation gave this car to (None: the appointment's advisor): where the rotation goes on from.
    rotation_advisor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[ArrivalStatus] = mapped_column(enum_column(ArrivalStatus), default=ArrivalStatus.WAITING)
    taken_at: Mapped[dt.datetime | None]
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    left_at: Mapped[dt.datetime | None]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
