"""Customers and vehicles: shared by every store of the group."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    is_company: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(default="")
    created_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    vehicles: Mapped[list[Vehicle]] = relationship(back_populates="customer")


class Vehicle(Base):
    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    # Both may be missing on a car booked by phone (an appointment before the first visit):
    # the VIN is read off the car at check-in, which completes the record.
    plate: Mapped[str | None] = mapped_column(String(12), unique=True)
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    vin_check_confirmed: Mapped[bool] = mapped_column(default=False)
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(80))
    model_year: Mapped[int | None]  # decoded from the VIN (services/vin_decode.py) or typed; None: not known
    colour: Mapped[str] = mapped_column(String(40), default="")
    new_energy: Mapped[bool] = mapped_column(default=False)
    sale_date: Mapped[dt.date | None]
    warranty_months: Mapped[int]
    warranty_km: Mapped[int]
    last_odometer_km: Mapped[int] = mapped_column(default=0)
    next_service_date: Mapped[dt.date | None] = mapped_column(index=True)
    next_service_km: Mapped[int | None]
    created_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship(back_populates="vehicles")
    readings: Mapped[list[OdometerReading]] = relationship(
        back_populates="vehicle", order_by="OdometerReading.read_at"
    )


class OdometerReading(Base):
    __tablename__ = "odometer_reading"
    __table_args__ = (Index("ix_odometer_reading_vehicle_read_at", "vehicle_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"))
    km: Mapped[int]
    read_at: Mapped[dt.datetime]

    vehicle: Mapped[Vehicle] = relationship(back_populates="readings")
