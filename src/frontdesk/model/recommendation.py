"""A recommendation (建议维修项目): work someone found that the customer has not had done yet.

One record, whoever found it and wherever: the advisor at the estimate, the technician
under the car, the team leader at his check (维修建议/注意事项), the QC inspector, the
advisor again at delivery. It keeps what and why, whether it is safety-related, who found
it at which step and the price if one was quoted. The customer's answer lives here too:
taken up now (``job_id`` names the job it became), booked for another day
(``appointment_id``), or declined, which for a safety item the customer acknowledges on
this record (``acknowledged_by``), not on the order. What was not taken up comes back on
the vehicle's next estimate and on the reminder call, found by ``vehicle_id``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column
from .job import Job, JobCheck
from .order import RepairOrder


class RecommendationStep(StrEnum):
    """Where in the visit it was found; the screen it was recorded on decides."""

    ESTIMATE = "estimate"
    WORKSHOP = "workshop"
    LEADER_CHECK = "leader_check"
    QC = "qc"
    DELIVERY = "delivery"


class RecommendationStatus(StrEnum):
    OPEN = "open"  # not put to the customer yet
    ACCEPTED = "accepted"  # a job on this order (or on a later one's estimate)
    BOOKED = "booked"  # an appointment for another day
    DECLINED = "declined"  # not this time: offered again on the next visit


#: What the next visit and the reminder call offer again.
NOT_TAKEN_UP = frozenset({RecommendationStatus.OPEN, RecommendationStatus.DECLINED})


class Recommendation(Base):
    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    safety: Mapped[bool] = mapped_column(default=False)
    price: Mapped[Decimal | None]
    step: Mapped[RecommendationStep] = mapped_column(enum_column(RecommendationStep))
    found_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    found_at: Mapped[dt.datetime]
    #: The job quoted for it (a line declined at the estimate) or the job it became when taken up.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)
    #: The team leader's or QC's check that recorded it.
    check_id: Mapped[int | None] = mapped_column(ForeignKey("job_check.id"), index=True)
    status: Mapped[RecommendationStatus] = mapped_column(enum_column(RecommendationStatus), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(80))  # the customer, by name
    decided_at: Mapped[dt.datetime | None]
    decision_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))  # a declined safety item: the customer
    acknowledged_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    order: Mapped[RepairOrder] = relationship(back_populates="recommendations")
    job: Mapped[Job | None] = relationship()
    check: Mapped[JobCheck | None] = relationship(back_populates="found")

    @property
    def needs_acknowledgement(self) -> bool:
        """A safety item the customer leaves undone must be acknowledged before settlement."""
        return self.safety and self.status in NOT_TAKEN_UP and not self.acknowledged_by
