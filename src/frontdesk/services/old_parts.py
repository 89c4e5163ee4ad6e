"""The old-parts ledger (旧件台账): each replaced warranty part tagged, stored, then shipped back or scrapped.

The maker pays a warranty claim only against the part it replaced, and may ask for that part
back (a shipment with its consignment number and date) or tell the store to scrap it. So
every warranty part line of an order is tagged once (:func:`tag_part`: a running tag number
in the store, printed on the tag tied to the part, and the shelf it went on); a second tag of
the same line is refused, so no part is claimed or shipped twice. Only a part still on the
shelf can be shipped or scrapped, and a shipment or scrap is all the named parts or none.

Two clerks tagging or shipping at once are taken one after the other: every service call
locks the store's row first (services/context.py ``lock_chain``), and the unique constraints
on the part line and the tag stop anything the lock would not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import (
    OldPart,
    OldPartShipment,
    PartLine,
    RepairOrder,
    Vehicle,
    WarrantyClaim,
)
from frontdesk.model.enums import OrderStatus, PayType
from frontdesk.model.old_part import OldPartState

from .common import load_order, text
from .context import Actor, Services, Tx, require, service, unflushed
from .errors import ConflictError, IllegalTransition, NotFound, ValidationError
from .refs import Ref

TAG_PREFIX = "J"  # 旧 (jiù): the tag numbers read J000001, J000002, …


@dataclass(frozen=True, slots=True)
class OldPartRef(Ref):
    id: int
    tag: str
    version: int
    state: OldPartState


@dataclass(frozen=True, slots=True)
class OldPartRow:
    """One line of the ledger, as the old-parts screen lists it."""

    id: int
    version: int
    tag: str
    part_no: str
    name: str
    qty: Decimal
    state: str  # OldPartState value
    location: str
    stored_at: dt.datetime
    order_id: int
    order_number: str
    plate: str
    claim_id: int | None
    claim_number: str  # the order's warranty claim, "" while it has none
    shipment_number: str
    shipped_on: dt.date | None
    scrap_reason: str


@dataclass(frozen=True, slots=True)
class PartToTag:
    """A warranty part line of an order, with its tag once it has one."""

    part_line_id: int
    part_no: str
    name: str
    qty: Decimal
    old_part_id: int | None
    tag: str
    state: str  # "" until tagged


# Reads ------------------------------------------------------------------------------------------


def ledger(services: Services, actor: Actor, *, state: OldPartState | str | None = None,
           order_id: int | None = None, limit: int = 2000) -> list[OldPartRow]:
    """The store's old parts, those on the shelf first, the latest stored first within each state."""
    require(actor, "old_part.record")
    with services.db.reader() as session:
        return ledger_in(session, actor.store_id, state=state, order_id=order_id, limit=limit)


_STATE_ORDER = {OldPartState.STORED: 0, OldPartState.SHIPPED: 1, OldPartState.SCRAPPED: 2}


def ledger_in(session: Session, store_id: int, *, state: OldPartState | str | None = None,
              order_id: int | None = None, limit: int = 2000) -> list[OldPartRow]:
    query = (select(OldPart, RepairOrder.number, Vehicle.plate, WarrantyClaim.id, WarrantyClaim.number,
                    OldPartShipment.number, OldPartShipment.shipped_on)
             .join(RepairOrder, RepairOrder.id == OldPart.order_id)
             .join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
             .outerjoin(WarrantyClaim, WarrantyClaim.order_id == OldPart.order_id)
             .outerjoin(OldPartShipment, OldPartShipment.id == OldPart.shipment_id)
             .where(OldPart.store_id == store_id))
    if state is not None:
        query = query.where(OldPart.state == OldPartState(state))
    if order_id is not None:
        query = query.where(OldPart.order_id == order_id)
    rows = session.execute(query.order_by(OldPart.stored_at.desc(), OldPart.id.desc()).limit(limit)).all()
    out = [OldPartRow(p.id, p.version, p.tag, p.part_no, p.name, p.qty, OldPartState(p.state).value, p.location,
                      p.stored_at, p.order_id, number, plate or "", claim_id, claim_number or "", shipment or "",
                      shipped_on, p.scrap_reason)
           for p, number, plate, claim_id, claim_number, shipment, shipped_on in rows]
    out.sort(key=lambda r: _STATE_ORDER[OldPartState(r.state)])  # stable: the latest first within a state
    return out


def parts_to_tag(services: Services, actor: Actor, order_id: int) -> list[PartToTag]:
    """The order's warranty part lines, each with its tag when it has one: what the claim's O lists."""
    require(actor, "old_part.record")
    with services.db.reader() as session:
        order = session.get(RepairOrder, order_id)
        if order is None or order.store_id != actor.store_id:
            raise NotFound("order", _("No such repair order in this store."))
        tagged = {p.part_line_id: p for p in session.scalars(select(OldPart).where(OldPart.order_id == order_id))}
        lines = session.scalars(select(PartLine).where(PartLine.order_id == order_id,
                                                       PartLine.pay_type == PayType.WARRANTY)
                                .order_by(PartLine.id))
        out = []
        for line in lines:
            part = tagged.get(line.id)
            out.append(PartToTag(line.id, line.number, line.name, line.issued_qty or line.qty,
                                 part.id if part else None, part.tag if part else "",
                                 OldPartState(part.state).value if part else ""))
        return out


# Changes ----------------------------------------------------------------------------------------


def _claim_of(tx: Tx, order_id: int) -> int | None:
    """The order's warranty claim (model/warranty.py), when it has one."""
    return tx.session.scalar(select(WarrantyClaim.id).where(WarrantyClaim.order_id == order_id))


def _next_tag(tx: Tx) -> str:
    """The store's next running tag number; the store's row is locked, so no other call takes it meanwhile."""
    count = tx.session.scalar(select(func.count()).select_from(OldPart).where(OldPart.store_id == tx.actor.store_id))
    count = (count or 0) + len(unflushed(tx.session, OldPart, store_id=tx.actor.store_id))
    return f"{TAG_PREFIX}{count + 1:06d}"


@service("old_part.record")
def tag_part(tx: Tx, order_id: int, part_line_id: int, location: str = "") -> OldPartRef:
    """A replaced warranty part tagged and put on the shelf; the same line twice is refused."""
    order = load_order(tx, order_id)
    line = tx.session.get(PartLine, part_line_id)
    if line is None or line.order_id != order.id:
        raise NotFound("part_line", _("No such part line on order {number}.").format(number=order.number))
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(_("Order {number} was cancelled: it replaced no part.").format(number=order.number))
    if line.pay_type != PayType.WARRANTY:
        raise ValidationError("part_line", _("{part} is not a warranty part: the maker does not ask it back.").format(
            part=line.name))
    where = text(location, "location", max_len=40)
    existing = tx.session.scalar(select(OldPart).where(OldPart.part_line_id == line.id))
    if existing is not None or unflushed(tx.session, OldPart, part_line_id=line.id):
        tag = existing.tag if existing is not None else ""
        raise ConflictError(_("{part} of order {number} is tagged already ({tag}).").format(
            part=line.name, number=order.number, tag=tag))
    part = OldPart(store_id=tx.actor.store_id, order_id=order.id, claim_id=_claim_of(tx, order.id),
                   part_line_id=line.id, part_no=line.number, name=line.name, qty=line.issued_qty or line.qty,
                   tag=_next_tag(tx), location=where, stored_at=tx.now, stored_by_id=tx.actor.user_id,
                   state=OldPartState.STORED, scrap_reason="")
    tx.session.add(part)
    tx.audit("old_part", part, order_id=order.id, after={
        "tag": part.tag, "part_no": part.part_no, "qty": part.qty, "location": where, "state": part.state,
        "claim_id": part.claim_id})
    return OldPartRef.of(tx, part)


def _on_shelf(tx: Tx, old_part_ids: Sequence[int]) -> list[OldPart]:
    ids = list(dict.fromkeys(old_part_ids))
    if not ids:
        raise ValidationError("old_parts", _("Select at least one old part."))
    parts = list(tx.session.scalars(select(OldPart).where(OldPart.id.in_(ids)).order_by(OldPart.id)))
    if len(parts) != len(ids) or any(p.store_id != tx.actor.store_id for p in parts):
        raise NotFound("old_parts", _("No such old part in this store."))
    gone = [p.tag for p in parts if p.state != OldPartState.STORED]
    if gone:
        raise IllegalTransition(_("Not on the shelf any more (shipped or scrapped): {tags}.").format(
            tags=", ".join(gone)))
    return parts


@service("old_part.ship")
def ship(tx: Tx, old_part_ids: Sequence[int], number: str, shipped_on: dt.date) -> int:
    """Stored parts returned to the maker in one shipment; returns the shipment's id."""
    consignment = text(number, "number", max_len=60, required=True)
    if not isinstance(shipped_on, dt.date):
        raise ValidationError("shipped_on", _("Enter a date, e.g. {example}.").format(example="2026-11-24"))
    if shipped_on > tx.now.date():
        raise ValidationError("shipped_on", _("The date cannot be in the future."))
    parts = _on_shelf(tx, old_part_ids)
    clash = tx.session.scalar(select(OldPartShipment.id).where(OldPartShipment.store_id == tx.actor.store_id,
                                                               OldPartShipment.number == consignment))
    if clash is not None:
        raise ValidationError("number", _("Shipment {number} is recorded already.").format(number=consignment))
    shipment = OldPartShipment(store_id=tx.actor.store_id, number=consignment, shipped_on=shipped_on,
                               by_id=tx.actor.user_id, at=tx.now)
    tx.session.add(shipment)
    tx.session.flush()
    for part in parts:
        part.state = OldPartState.SHIPPED
        part.shipment_id = shipment.id
    tx.audit("old_part_shipment", shipment, after={
        "number": consignment, "shipped_on": shipped_on, "tags": [p.tag for p in parts],
        "old_parts": [p.id for p in parts]})
    return shipment.id


@service("old_part.ship")
def scrap(tx: Tx, old_part_ids: Sequence[int], reason: str) -> int:
    """Stored parts scrapped as the maker said (the reason: its instruction); returns how many."""
    why = text(reason, "reason", max_len=200, required=True)
    parts = _on_shelf(tx, old_part_ids)
    for part in parts:
        part.state = OldPartState.SCRAPPED
        part.scrapped_at = tx.now
        part.scrap_reason = why
    tx.audit("old_part", parts[0], after={
        "state": OldPartState.SCRAPPED, "reason": why, "tags": [p.tag for p in parts], "old_parts": [p.id for p in parts]})
    return len(parts)


__all__ = ["OldPartRef", "OldPartRow", "PartToTag", "ledger", "ledger_in", "parts_to_tag", "scrap", "ship", "tag_part"]
