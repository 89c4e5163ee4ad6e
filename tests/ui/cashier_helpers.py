"""What the delivery, settlement, payment and cashier-home tests share: a car ready to hand over.

The order (tests/factories.order_through, stopped at "ready"): 粤A12345 for 张伟, an oil service
paid by the customer (¥630.00: 1.0 h × ¥180, an oil filter ¥58, 4 L of oil ¥392), front pads
under warranty (¥905.00: 1.5 h × ¥150, the pads ¥680) and a declined, safety-related diagnosis
(¥90.00). Every job has passed QC; nothing on the delivery checklist is ticked yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from frontdesk.model import Payment, RepairOrder
from frontdesk.model.enums import Role
from frontdesk.services import delivery
from frontdesk.services.setup import ensure_store, system_actor

from ..factories import Shop, customer_and_vehicle, order_through, seed_shop
from .test_estimate import settle

__all__ = ["Ready", "deliver_all", "open_screen", "order_row", "payments_of", "ready_fixture", "settle"]


@dataclass
class Ready:
    shop: Shop
    order_id: int
    vehicle_id: int


@pytest.fixture(name="ready")
def ready_fixture(ui_services, ui_actors) -> Ready:
    svc = ui_services
    shop = seed_shop(svc, system_actor(ensure_store(svc)), ui_actors)
    _, vehicle_id = customer_and_vehicle(svc, ui_actors[Role.ADVISOR])
    order = order_through(svc, ui_actors, shop, vehicle_id, stop="ready")
    return Ready(shop, order.id, vehicle_id)


def deliver_all(services, actors, order_id: int) -> None:  # type: ignore[no-untyped-def]
    delivery.tick_internal(services, actors[Role.QC], order_id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, actors[Role.ADVISOR], order_id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, actors[Role.ADVISOR], order_id)


def order_row(services, order_id: int) -> RepairOrder:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(RepairOrder, order_id)


def payments_of(services, order_id: int) -> list[Payment]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)))


async def open_screen(pilot, screen, loaded) -> None:  # type: ignore[no-untyped-def]
    """Push ``screen`` over the home and wait until ``loaded()`` holds (its first read is in)."""
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and loaded())
