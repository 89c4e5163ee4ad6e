"""Service packages (保养套餐, canned jobs): labour and parts a desk adds as one choice.

A package is a catalog item like a labour operation: group-wide, for one make (``make``
empty: every make) and some of its models (``models``, a comma list; empty: all of them),
due every ``interval_km`` kilometres and/or ``interval_months`` months. Its lines name a
labour operation (``qty``: the hours, None or 0 for the operation's standard hours) or a
part (``qty``: how many, e.g. 4 L of 0W-20 for this engine). Adding a package to an order
copies its lines into ordinary jobs and part lines (services/packages.py), each still
editable; ``Job.package_id`` remembers where a job came from, so the car's next due package
can be read from its history.

``first_service`` marks the maker's first service (首保): proposed once, while the car has no
service on record — an interval would bring it back every few thousand kilometres.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Quantity


class ServicePackage(Base):
    __tablename__ = "service_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    name_en: Mapped[str] = mapped_column(default="")
    # Pinyin initials of the name, as for labour operations ("保养" -> "by").
    initials: Mapped[str] = mapped_column(String(60), index=True, default="")
    make: Mapped[str] = mapped_column(String(40), default="")  # "" = every make
    models: Mapped[str] = mapped_column(default="")  # comma list; "" = every model of the make
    interval_km: Mapped[int | None]
    interval_months: Mapped[int | None]
    first_service: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    lines: Mapped[list[PackageLine]] = relationship(
        back_populates="package", order_by="PackageLine.seq", cascade="all, delete-orphan"
    )


class PackageLine(Base):
    __tablename__ = "package_line"
    __table_args__ = (CheckConstraint("(labor_op_id IS NULL) <> (part_id IS NULL)", name="one_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("service_package.id"), index=True)
    seq: Mapped[int]
    labor_op_id: Mapped[int | None] = mapped_column(ForeignKey("labor_operation.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id"))
    # Hours for a labour line (None or 0: the operation's standard hours); quantity for a part.
    qty: Mapped[Decimal | None] = mapped_column(Quantity)

    package: Mapped[ServicePackage] = relationship(back_populates="lines")
