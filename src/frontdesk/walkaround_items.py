"""What the walkaround records besides the damage marks, declared once.

The desk's view of an order (``services.desk.WalkaroundView``, on the walkaround and
estimate screens) and the printed check-in sheet (``paperwork.CheckinSheetDoc``) show the
same items; the paperwork may not import the services, so the shape they share lives below
both, in the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, kw_only=True)
class WalkaroundItems:
    covers_fitted: bool
    #: Warning lights on at check-in, in the advisor's words; empty when none.
    warning_lights: tuple[str, ...]
    #: Valuables left in the car, as the customer declared them; empty when none.
    valuables: str
    spare_tyre: bool
    tool_kit: bool
    warning_triangle: bool
    #: Where the walkaround photos are (count, folder or album name).
    photos_ref: str


def items_of(record: Any) -> dict[str, Any]:
    """``WalkaroundItems``' fields read off a record that has them (the model's ``Walkaround``), as keywords."""
    values = {f.name: getattr(record, f.name) for f in fields(WalkaroundItems)}
    values["warning_lights"] = tuple(values["warning_lights"])
    return values
