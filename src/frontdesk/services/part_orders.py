"""Parts short in stock (缺件): an order request per part line — requested, ordered, arrived.

The workshop asks (explicitly, or by issuing a line the store room cannot cover); the
supervisor orders it from the supplier with an expected date; arrival is a stock receipt
(a movement, so stock stays the sum of its movements) reserved for the line at once, ready
to be issued. Until then the job shows "waiting parts": a running job is paused for that
reason when its part is requested, and a job that has not started yet is shown waiting
parts on the board while a request for it is open (``lifecycle.board_stage``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import object_session

from frontdesk.i18n import gettext as _
from frontdesk.model import Job, PartLine, PartOrder, StockMovement
from frontdesk.model.enums import JobStatus, OrderStatus, PartOrderState, PauseReason, StockMovementKind

from .common import get, load_order, text, touch
from .context import Tx, check_version, flush_for_id, service
from .errors import IllegalTransition, NotFound, ValidationError
from .estimate import reserve, stock_level
from .lifecycle import require_order_status, transition_job
from .money import parse_quantity
from .refs import PartOrderRef

S = PartOrderState


def open_qty(line: PartLine) -> Decimal:
    """What is already on order for this line and has not arrived."""
    return sum((o.qty for o in _orders_of(line) if o.state != S.ARRIVED), Decimal(0))


def _orders_of(line: PartLine) -> list[PartOrder]:
    if line.job is not None:
        return [o for o in line.job.part_orders if o.part_line_id == line.id]
    session = object_session(line)
    if session is None or line.id is None:
        return []
    return list(session.scalars(select(PartOrder).where(PartOrder.part_line_id == line.id)))


def shortfall(tx: Tx, line: PartLine) -> Decimal:
    """What the store room cannot cover for this line, less what is already on order."""
    level = stock_level(tx.session, line.order.store_id, line.part_id)
    to_issue = line.qty - line.issued_qty
    # The line's own reservation is in on_hand; other lines' reservations are not ours to take.
    coverable = max(Decimal(0), level.on_hand - (level.reserved - line.reserved_qty))
    return max(Decimal(0), to_issue - coverable - open_qty(line))


def new_request(tx: Tx, line: PartLine, qty: Decimal, *, expected_on: dt.date | None = None, note: str = "") -> PartOrder:
    """Open a request (no audit of its own: the calling service writes one)."""
    request = PartOrder(
        store_id=line.order.store_id, order_id=line.order_id, job=line.job, part_line_id=line.id,
        part_id=line.part_id, qty=qty, state=S.REQUESTED, requested_at=tx.now, requested_by_id=tx.actor.user_id,
        expected_on=expected_on, supplier_ref="", note=text(note, "note", max_len=200),
    )
    tx.session.add(request)
    job = line.job
    if job is not None:
        if request not in job.part_orders:
            job.part_orders.append(request)
        if job.status == JobStatus.IN_PROGRESS:  # the technician cannot go on without it: the clock stops
            from .workshop import clock_job

            transition_job(job, JobStatus.PAUSED)
            job.pause_reason, job.pause_reason_at = PauseReason.WAITING_PARTS, tx.now
            clock_job(tx, job, "pause", PauseReason.WAITING_PARTS)
        elif job.status == JobStatus.PAUSED and job.pause_reason != PauseReason.WAITING_APPROVAL:
            job.pause_reason, job.pause_reason_at = PauseReason.WAITING_PARTS, tx.now
    flush_for_id(tx.session, request)
    return request


def _fields(request: PartOrder) -> dict:
    return {"part_line_id": request.part_line_id, "qty": request.qty, "state": request.state,
            "expected_on": request.expected_on, "supplier_ref": request.supplier_ref}


def _load(tx: Tx, part_order_id: int, expected_version: int | None) -> PartOrder:
    request = tx.session.get(PartOrder, part_order_id)
    if request is None or request.store_id != tx.actor.store_id:
        raise NotFound("part_order", _("No such part order in this store."))
    check_version(request, expected_version)
    return request


@service("parts.request")
def request_part(
    tx: Tx, part_line_id: int, qty: Decimal | str | None = None, *, expected_on: dt.date | None = None, note: str = "",
) -> PartOrderRef:
    """Ask for a part the store room cannot cover (by default: the line's shortfall)."""
    line = get(tx.session, PartLine, part_line_id, "part_line")
    order = load_order(tx, line.order_id)
    require_order_status(order, (OrderStatus.IN_WORKSHOP,), _("ordering parts"))
    if line.job is not None and line.job.status in (JobStatus.PROPOSED, JobStatus.DECLINED):
        raise IllegalTransition(_("Parts for work the customer has not approved cannot be ordered."))
    remaining = line.qty - line.issued_qty - open_qty(line)
    amount = shortfall(tx, line) if qty is None else parse_quantity(qty)
    if qty is None and amount <= 0:
        raise ValidationError("qty", _("The store room has enough of this part (or it is on order already)."))
    if amount <= 0 or amount > remaining:
        raise ValidationError("qty", _("Order between 0 and {n}.").format(n=remaining))
    request = new_request(tx, line, amount, expected_on=expected_on, note=note)
    touch(order)
    tx.audit("part_order", request, order_id=order.id, after=_fields(request))
    return PartOrderRef.of(tx, request)


@service("parts.order")
def mark_ordered(
    tx: Tx, part_order_id: int, expected_on: dt.date, *, supplier_ref: str = "", expected_version: int | None = None,
) -> PartOrderRef:
    """The part is on order from the supplier; the expected date is what the advisor tells the customer."""
    request = _load(tx, part_order_id, expected_version)
    if request.state != S.REQUESTED:
        raise IllegalTransition(_("Only a requested part can be marked ordered."))
    if not isinstance(expected_on, dt.date) or isinstance(expected_on, dt.datetime):
        raise ValidationError("expected_on", _("Give the expected date."))
    if expected_on < tx.now.date():
        raise ValidationError("expected_on", _("The expected date cannot be in the past."))
    before = _fields(request)
    request.state = S.ORDERED
    request.expected_on = expected_on
    request.supplier_ref = text(supplier_ref, "supplier_ref", max_len=60)
    request.ordered_at, request.ordered_by_id = tx.now, tx.actor.user_id
    tx.audit("part_order", request.id, order_id=request.order_id, before=before, after=_fields(request))
    return PartOrderRef.of(tx, request)


@service("parts.receive")
def mark_arrived(tx: Tx, part_order_id: int, expected_version: int | None = None) -> PartOrderRef:
    """The part is here: stock goes up (a receipt), it is reserved for the line, the job may go on."""
    request = _load(tx, part_order_id, expected_version)
    if request.state != S.ORDERED:
        raise IllegalTransition(_("Only an ordered part can arrive."))
    before = _fields(request)
    request.state = S.ARRIVED
    request.arrived_at, request.arrived_by_id = tx.now, tx.actor.user_id
    line = request.part_line
    level = stock_level(tx.session, request.store_id, request.part_id)
    level.on_hand += request.qty
    tx.session.add(StockMovement(
        store_id=request.store_id, part_id=request.part_id, kind=StockMovementKind.RECEIPT, qty=request.qty,
        order_id=request.order_id, part_line_id=line.id, user_id=tx.actor.user_id, at=tx.now,
        reason=line.order.number,
    ))
    reserve(tx.session, request.store_id, line)
    job = request.job
    if job is not None and job.status == JobStatus.PAUSED and job.pause_reason == PauseReason.WAITING_PARTS \
            and not any(o.open for o in job.part_orders):
        job.pause_reason, job.pause_reason_at = PauseReason.OTHER, tx.now  # ready to resume: not waiting now
    touch(line.order)
    tx.audit("part_order", request.id, order_id=request.order_id, before=before,
             after={**_fields(request), "on_hand": level.on_hand})
    return PartOrderRef.of(tx, request)


def waiting_for_parts(job: Job) -> bool:
    """The job cannot go on until a part arrives (shown as "waiting parts")."""
    return any(o.open for o in job.part_orders)


__all__ = ["mark_arrived", "mark_ordered", "new_request", "open_qty", "request_part", "shortfall", "waiting_for_parts"]
