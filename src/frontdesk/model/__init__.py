"""The model layer: one module per aggregate, all re-exported here for the services."""

from .aftercare import Complaint, FollowUp, ReminderCall
from .audit import AuditEvent
from .base import Base
from .catalog import LaborOperation, Part, StockLevel, StockMovement
from .customer import Customer, OdometerReading, Vehicle
from .job import ClockEvent, Job, JobCheck, PartLine, PartOrder
from .order import Appointment, DeliveryCheck, OrderCounter, PanelMark, RepairOrder, Walkaround
from .payment import Payment, Receivable
from .store import AppMeta, Store, Team, Technician, User

__all__ = [
    "AppMeta", "Appointment", "AuditEvent", "Base", "ClockEvent", "Complaint", "Customer",
    "DeliveryCheck", "FollowUp", "Job", "JobCheck", "LaborOperation", "OdometerReading",
    "OrderCounter", "PanelMark", "Part", "PartLine", "PartOrder", "Payment", "Receivable", "ReminderCall",
    "RepairOrder", "StockLevel", "StockMovement", "Store", "Team", "Technician", "User",
    "Vehicle", "Walkaround",
]
