"""An order's history as the order-history screen and its export show it: who did what, when.

Read from the audit trail, which holds every change of state with the values before and
after. An order's events are those that name it (``order_id``): the order itself, its
jobs, part lines, checks, payments, delivery and follow-up. Users are shown by name (the
trail keeps the id; users are deactivated, never deleted, so the name is always there).

Values in the trail are plain JSON (dates as ISO text, money as decimal text); they are
shown as stored, so the history says exactly what was recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from frontdesk.i18n import gettext as _
from frontdesk.model import AuditEvent, RepairOrder, User
from frontdesk.model.enums import Role

from .context import Actor, Services
from .errors import NotFound, PermissionDenied
from .permissions import PERMISSIONS

#: Who may read an order's history: the people who deal with the order's customer and money.
VIEW_ROLES = PERMISSIONS["audit.view"]


@dataclass(frozen=True)
class Change:
    """One field of an event: its value before and after ("" when absent on that side)."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEvent:
    id: int
    at: dt.datetime
    user: str  # the display name, or "System" for the command line and the store's setup
    action: str  # the service action code, e.g. "payment.take" (the screen labels it)
    entity: str  # what changed: "repair_order", "job", "part_line", "payment"...
    entity_id: int | None
    changes: tuple[Change, ...]

    @property
    def summary(self) -> str:
        """The changed fields in one line: ``status: estimate → authorised; total: 120.00``."""
        parts = []
        for c in self.changes:
            if c.before and c.before != c.after:
                parts.append(f"{c.field}: {c.before} → {c.after}")
            else:
                parts.append(f"{c.field}: {c.after}")
        return "; ".join(parts)


@dataclass(frozen=True)
class OrderHistory:
    order_id: int
    number: str
    plate: str
    events: tuple[HistoryEvent, ...]


def shown(value: Any) -> str:
    """A stored JSON value as text: lists joined, mappings as JSON, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Change, ...]:
    """Every field named on either side, in the order recorded (after's fields first)."""
    old, new = before or {}, after or {}
    fields = list(new) + [k for k in old if k not in new]
    return tuple(Change(f, shown(old.get(f)), shown(new.get(f))) for f in fields)


def require_viewer(actor: Actor) -> None:
    if actor.role not in VIEW_ROLES:
        raise PermissionDenied(_("Your role may not read an order's history."))


def load_history(session: Session, store_id: int, order_id: int) -> OrderHistory:
    """The order's events, oldest first (for the view and the export, inside their own session)."""
    order = session.get(RepairOrder, order_id)
    if order is None or order.store_id != store_id:
        raise NotFound("order", _("No such repair order in this store."))
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.store_id == store_id,
               or_(AuditEvent.order_id == order_id,
                   (AuditEvent.entity == "repair_order") & (AuditEvent.entity_id == order_id)))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    wanted = {r.user_id for r in rows if r.user_id is not None}
    names: dict[int, str] = {
        user_id: name for user_id, name in session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    } if wanted else {}
    system = _("System")
    events = tuple(
        HistoryEvent(r.id, r.at, names.get(r.user_id, system) if r.user_id is not None else system, r.action,
                     r.entity, r.entity_id, changes(r.before, r.after))
        for r in rows
    )
    return OrderHistory(order.id, order.number, order.vehicle.plate, events)


def order_history(services: Services, actor: Actor, order_id: int) -> OrderHistory:
    """``order_history(services, actor, order_id)``: everything recorded about one order."""
    require_viewer(actor)
    with services.db.reader() as session:
        return load_history(session, actor.store_id, order_id)
