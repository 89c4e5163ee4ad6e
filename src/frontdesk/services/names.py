"""The names read views show in place of ids: who a user is, what a car is.

The approval, cashier and workshop views each list orders and the people who touched
them; looking a name up (one query for all the ids at once) and describing a car one way
here keeps those screens saying the same thing about the same order.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.model import RepairOrder, User


def car_model(order: RepairOrder) -> str:
    """"Make Model", as the desk says it (the order's vehicle must be loaded)."""
    return f"{order.vehicle.make} {order.vehicle.model}"


def user_names(s: Session, ids: set[int | None]) -> dict[int, str]:
    """Display names by user id, in one query; ``None`` (nobody) is left out."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())
