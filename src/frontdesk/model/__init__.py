"""The model layer: one module per aggregate, all re-exported here for the services.

The re-exports load on first use (PEP 562): ``frontdesk.model.enums`` is read by the
login screen and the navigation, and must not pull SQLAlchemy and every mapper into a
console that has not painted yet. The first ``from frontdesk.model import X`` loads
every aggregate at once, so the mappers always configure together.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "accident": ("AccidentClaim", "AccidentSupplement"),
    "account": ("Account", "AccountDriver", "AccountVehicle"),
    "aftercare": ("Complaint", "FollowUp", "ReminderCall"),
    "arrival": ("Arrival",),
    "audit": ("AuditEvent",),
    "base": ("Base",),
    "campaign": ("Campaign", "CampaignJob", "CampaignVehicle"),
    "catalog": ("LaborOperation", "Part", "StockLevel", "StockMovement"),
    "customer": ("Customer", "OdometerReading", "Vehicle"),
    "job": ("ClockEvent", "Job", "JobCheck", "PartLine", "PartOrder"),
    "old_part": ("OldPart", "OldPartShipment"),
    "order": ("Appointment", "DeliveryCheck", "OrderCounter", "PanelMark", "RepairOrder", "Walkaround"),
    "package": ("PackageLine", "ServicePackage"),
    "payment": ("Allocation", "Payment", "Receivable", "Remittance"),
    "recommendation": ("Recommendation",),
    "store": ("AppMeta", "RoleAuthority", "Store", "Team", "Technician", "User"),
    "warranty": ("Goodwill", "WarrantyClaim", "WarrantyClaimRevision"),
}
__all__ = sorted(name for names in _EXPORTS.values() for name in names)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for module, names in _EXPORTS.items():
        loaded = import_module(f"{__name__}.{module}")
        globals().update({n: getattr(loaded, n) for n in names})
    return globals()[name]


if TYPE_CHECKING:
    from .accident import AccidentClaim, AccidentSupplement
    from .account import Account, AccountDriver, AccountVehicle
    from .aftercare import Complaint, FollowUp, ReminderCall
    from .arrival import Arrival
    from .audit import AuditEvent
    from .base import Base
    from .campaign import Campaign, CampaignJob, CampaignVehicle
    from .catalog import LaborOperation, Part, StockLevel, StockMovement
    from .customer import Customer, OdometerReading, Vehicle
    from .job import ClockEvent, Job, JobCheck, PartLine, PartOrder
    from .old_part import OldPart, OldPartShipment
    from .order import Appointment, DeliveryCheck, OrderCounter, PanelMark, RepairOrder, Walkaround
    from .package import PackageLine, ServicePackage
    from .payment import Allocation, Payment, Receivable, Remittance
    from .recommendation import Recommendation
    from .store import AppMeta, RoleAuthority, Store, Team, Technician, User
    from .warranty import Goodwill, WarrantyClaim, WarrantyClaimRevision
