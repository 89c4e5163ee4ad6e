"""The pickup time (约定交车时间): when the customer said they will collect the car.

The promised time is the workshop's estimate; once the car is ready, or nearly, the advisor
calls the customer and they agree a time to collect it. That time is what the desk's ready
list and the wall board show for the car, so whoever brings it round to the front knows
when it is wanted. It is asked for while the car is in the workshop or ready (after
delivery the car is gone); a time already past is refused, and none clears it.
"""

from __future__ import annotations

import datetime as dt

from frontdesk.i18n import gettext as _
from frontdesk.model.enums import OrderStatus

from .common import load_order
from .context import Tx, service
from .errors import ValidationError
from .lifecycle import require_order_status
from .refs import OrderRef

AGREED_WHILE = (OrderStatus.IN_WORKSHOP, OrderStatus.READY)


@service("order.agree_pickup")
def agree_pickup(tx: Tx, order_id: int, pickup_at: dt.datetime | None,
                 expected_version: int | None = None) -> OrderRef:
    """Record (or, with None, clear) the time agreed with the customer to collect the car."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, AGREED_WHILE, _("agreeing the pickup time"))
    when = None if pickup_at is None else pickup_at.replace(second=0, microsecond=0)
    if when is not None and when < tx.now.replace(second=0, microsecond=0):
        raise ValidationError("pickup_at", _("The pickup time cannot be in the past."))
    before = {"pickup_at": order.pickup_at}
    order.pickup_at = when
    tx.audit("repair_order", order.id, order_id=order.id, before=before, after={"pickup_at": when})
    return OrderRef.of(tx, order)
