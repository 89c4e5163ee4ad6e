"""The old-parts ledger (issue 21, item 3): a replaced warranty part tagged once, then shipped or scrapped."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, OldPart, PartLine
from frontdesk.model.enums import PayType, Role
from frontdesk.model.old_part import OldPartState
from frontdesk.services import old_parts
from frontdesk.services.errors import (
    ConflictError,
    FrontdeskError,
    IllegalTransition,
    PermissionDenied,
    ValidationError,
)

from .factories import customer_and_vehicle, order_through, seed_shop, stored


def _lines(services, order_id: int) -> dict[PayType, int]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return {pay: line_id for line_id, pay in s.execute(
            select(PartLine.id, PartLine.pay_type).where(PartLine.order_id == order_id).order_by(PartLine.id.desc()))}


@pytest.fixture
def warranty_order(services, admin, actors):  # type: ignore[no-untyped-def]
    """A delivered order with front brake pads replaced under warranty (and an oil service the customer pays)."""
    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="delivered")
    return order.id, _lines(services, order.id)


def test_a_warranty_part_is_tagged_once_then_shipped_or_scrapped(services, actors, clock, warranty_order):
    order_id, lines = warranty_order
    clerk = actors[Role.CLAIMS_CLERK]
    with pytest.raises(ValidationError, match="not a warranty part"):
        old_parts.tag_part(services, clerk, order_id, lines[PayType.CUSTOMER])
    with pytest.raises(PermissionDenied):
        old_parts.tag_part(services, actors[Role.CASHIER], order_id, lines[PayType.WARRANTY])

    ref = old_parts.tag_part(services, clerk, order_id, lines[PayType.WARRANTY], location="旧件架 A-3")
    assert (ref.tag, ref.state) == ("J000001", OldPartState.STORED)
    with pytest.raises(ConflictError, match="tagged already"):
        old_parts.tag_part(services, clerk, order_id, lines[PayType.WARRANTY])
    (row,) = old_parts.ledger(services, clerk)
    assert (row.part_no, row.state, row.location, row.qty) == ("5Q0698151", "stored", "旧件架 A-3", 1)
    assert [p.tag for p in old_parts.parts_to_tag(services, clerk, order_id)] == ["J000001"]

    today = clock().date()
    for ids, number, day, error in (([ref.id], "", today, "required"),
                                    ([ref.id], "SF1234", today + dt.timedelta(days=1), "future"),
                                    ([], "SF1234", today, "at least one")):
        with pytest.raises(ValidationError, match=error):
            old_parts.ship(services, clerk, ids, number, day)
    assert stored(services, OldPart, ref.id).state == OldPartState.STORED  # nothing half-saved
    with pytest.raises(PermissionDenied):  # tagging and shipping are the claims clerk's, not the workshop's
        old_parts.ship(services, actors[Role.SUPERVISOR], [ref.id], "SF1234", today)

    shipment = old_parts.ship(services, clerk, [ref.id], "SF1234", today)
    part = stored(services, OldPart, ref.id)
    assert (part.state, part.shipment_id) == (OldPartState.SHIPPED, shipment)
    with pytest.raises(IllegalTransition, match="J000001"):
        old_parts.scrap(services, clerk, [ref.id], "厂家要求报废")
    assert [r.shipment_number for r in old_parts.ledger(services, clerk, state="shipped")] == ["SF1234"]
    assert old_parts.ledger(services, clerk, state="stored") == []
    with services.db.reader() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity.like("old_part%"))).all()
    assert actions == ["old_part.record", "old_part.ship"]


def test_scrap_needs_the_reason_and_a_shipment_number_is_used_once(services, actors, clock, warranty_order):
    order_id, lines = warranty_order
    clerk = actors[Role.CLAIMS_CLERK]
    with pytest.raises(PermissionDenied):
        old_parts.tag_part(services, actors[Role.SUPERVISOR], order_id, lines[PayType.WARRANTY])
    ref = old_parts.tag_part(services, clerk, order_id, lines[PayType.WARRANTY])
    with pytest.raises(ValidationError, match="required"):
        old_parts.scrap(services, clerk, [ref.id], " ")
    old_parts.scrap(services, clerk, [ref.id], "厂家要求报废")
    (row,) = old_parts.ledger(services, clerk)
    assert (row.state, row.scrap_reason) == ("scrapped", "厂家要求报废")


def test_two_clerks_tagging_one_line_at_once_tag_it_once(services, actors, warranty_order):
    """The store's lock and the unique line: one tag, the other clerk told (SQLite and PostgreSQL)."""
    order_id, lines = warranty_order
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def tag(actor) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            outcomes.append(old_parts.tag_part(services, actor, order_id, lines[PayType.WARRANTY]))
        except FrontdeskError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=tag, args=(actors[role],)) for role in (Role.CLAIMS_CLERK, Role.MANAGER)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["ConflictError", "OldPartRef"]
    with services.db.reader() as s:
        assert s.scalars(select(OldPart.tag)).all() == ["J000001"]
