"""A car delivered with parts still reserved for it gives them back to the shelf."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from frontdesk.model import AuditEvent, PartLine, StockLevel
from frontdesk.model.enums import Role
from frontdesk.services import delivery

from .factories import customer_and_vehicle, order_through, seed_shop


def _reserved(services, order_id: int) -> tuple[dict[int, Decimal], dict[int, Decimal]]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        lines = s.scalars(select(PartLine).where(PartLine.order_id == order_id)).all()
        levels = {lvl.part_id: lvl.reserved for lvl in s.scalars(select(StockLevel))}
        return {line.id: line.reserved_qty for line in lines}, levels


def test_delivery_releases_what_was_never_issued(services, admin, actors) -> None:  # type: ignore[no-untyped-def]
    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="ready")
    lines, levels = _reserved(services, order.id)
    held = sum(lines.values())
    assert held > 0  # the technicians never issued the parts in this story
    delivery.tick_internal(services, actors[Role.QC], order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, actors[Role.ADVISOR], order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, actors[Role.ADVISOR], order.id)
    after_lines, after_levels = _reserved(services, order.id)
    assert set(after_lines.values()) == {Decimal(0)}
    assert sum(levels.values()) - sum(after_levels.values()) == held
    with services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "order.deliver")).one()
    assert {int(k): Decimal(v) for k, v in event.after["released"].items()} == {k: v for k, v in lines.items() if v}


def test_nothing_released_says_nothing(services, admin, actors) -> None:  # type: ignore[no-untyped-def]
    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    order = order_through(services, actors, shop, vehicle, stop="ready")
    with services.db.session() as s, s.begin():  # as if every part had been issued
        for line in s.scalars(select(PartLine).where(PartLine.order_id == order.id)):
            level = s.scalars(select(StockLevel).where(StockLevel.part_id == line.part_id)).one()
            level.reserved -= line.reserved_qty
            line.issued_qty, line.reserved_qty = line.qty, Decimal(0)
    delivery.tick_internal(services, actors[Role.QC], order.id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, actors[Role.ADVISOR], order.id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, actors[Role.ADVISOR], order.id)
    with services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "order.deliver")).one()
    assert "released" not in event.after
