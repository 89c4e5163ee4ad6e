"""What the advisor records from the approvals queue besides the customer's yes or no.

The customer's decision on additional work is ``workshop.record_decision``. A schedule
slip is reported to the customer the same way (who was told, how, and what they were
told); ``workshop.reschedule`` keeps only who was told, so the approvals screen uses
:func:`report_slip`, which keeps all of it in the order's audit trail (the approvals
queue reads the day's slips back from there).

Approved additional work takes time: :func:`promise_after_added_work` is the new promised
time the approvals screen offers with the approval; accepted, it is recorded as a slip the
customer was told of (the board shows it at once).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from frontdesk.i18n import gettext as _
from frontdesk.model.enums import DecisionChannel, OrderStatus

from .common import load_order, text
from .context import Tx, service
from .errors import ValidationError
from .estimate import add_working_minutes
from .lifecycle import require_order_status
from .refs import OrderRef


@service("order.reschedule")
def report_slip(
    tx: Tx, order_id: int, *, promised_at: dt.datetime, told: str,
    channel: DecisionChannel | str = DecisionChannel.PHONE, note: str = "", expected_version: int | None = None,
) -> OrderRef:
    """A schedule slip: the new promised time, and who was told, how and what (e.g. "parts arrive tomorrow")."""
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.AUTHORISED, OrderStatus.IN_WORKSHOP), _("changing the promised time"))
    who = text(told, "told", max_len=80, required=True)
    try:
        how = DecisionChannel(channel)
    except ValueError:
        raise ValidationError("channel", _("Say how the customer was told.")) from None
    what = text(note, "note", max_len=400)
    if promised_at <= tx.now:
        raise ValidationError("promised_at", _("The promised time must be in the future."))
    if order.promised_at is not None and promised_at == order.promised_at:
        raise ValidationError("promised_at", _("That is the promised time already."))
    before = {"promised_at": order.promised_at}
    order.promised_at = promised_at
    tx.audit("repair_order", order.id, order_id=order.id, before=before,
             after={"promised_at": promised_at, "told": who, "channel": how, "note": what})
    return OrderRef.of(tx, order)


def promise_after_added_work(promised_at: dt.datetime | None, now: dt.datetime, hours: Decimal) -> dt.datetime:
    """The promised time moved on by ``hours`` of working time (from now when the promise has passed),
    on the half-hour grid promises are made in."""
    start = promised_at if promised_at is not None and promised_at > now else now
    return add_working_minutes(start, int((Decimal(hours) * 60).to_integral_value()))
