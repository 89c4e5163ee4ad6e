"""Delivery (交车): the internal check, then the walkthrough with the customer.

The two tables below are every item a store may tick; each car's checklist is the part of
them that applies to it (``checklist``), so what was agreed at check-in comes back at
delivery: the old parts are bagged and shown only when the customer takes them, the wash
items only when the customer wanted the free wash, and what the walkaround recorded in the
car (valuables such as a dash camera, spare tyre, tool kit, warning triangle) is verified
as still there, named as it was recorded.

Ticking a list (the callers' "tick all of it") ticks the items of it this car's checklist
has; a single item the car's checklist does not have is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.i18n import gettext as _
from frontdesk.model import DeliveryCheck, RepairOrder
from frontdesk.model.enums import DeliveryStage, JobStatus, OldParts, OrderStatus

from . import campaigns, sanbao
from .common import load_order, text, touch
from .context import Tx, service
from .errors import ValidationError
from .estimate import release
from .refs import OrderRef
from .lifecycle import require_order_status, transition_order

# The items a real 4S store ticks, in the order they are done.  Labels are msgids.
INTERNAL_ITEMS: dict[str, str] = {
    "work_done": "Every authorised item done and QC-signed",
    "fault_gone": "Fault gone (road test where needed)",
    "old_parts_ready": "Old parts bagged for the customer",
    "clean_inside": "Clean inside",
    "clean_outside": "Clean outside (washed)",
    "nothing_left": "No tools, rags or bolts left in the car",
}
WALKTHROUGH_ITEMS: dict[str, str] = {
    "work_explained": "Work explained",
    "old_parts_shown": "Old parts shown and handed over",
    "recommendations_explained": "Recommendations and care notes explained",
    "next_service_told": "Next service date and mileage told",
    "valuables": "Valuables still in the car",
    "spare_and_tools": "Equipment still in the car",
    "cleaning_shown": "Cleaning shown",
    "follow_up_agreed": "Follow-up call time agreed",
    "covers_removed": "Covers removed in front of the customer",
}
ITEMS = {DeliveryStage.INTERNAL: INTERNAL_ITEMS, DeliveryStage.WALKTHROUGH: WALKTHROUGH_ITEMS}
ACTION = {DeliveryStage.INTERNAL: "delivery.internal_check", DeliveryStage.WALKTHROUGH: "delivery.walkthrough"}
#: Items that are there only because the customer chose something at check-in or the estimate.
OLD_PARTS_ITEMS = frozenset({"old_parts_ready", "old_parts_shown"})
WASH_ITEMS = frozenset({"clean_outside", "cleaning_shown"})
#: The walkaround's equipment, in the order the checklist names it (labels are msgids).
EQUIPMENT: dict[str, str] = {"spare_tyre": "Spare tyre", "tool_kit": "Tool kit", "warning_triangle": "Warning triangle"}


def item_detail(order: RepairOrder, item: str) -> str | None:
    """What the item verifies on this car, as recorded at check-in ("" when nothing to name); ``None``: not this car's.

    The customer's own words for the valuables; the equipment by name, translated now.
    """
    walk = order.walkaround
    if item in OLD_PARTS_ITEMS:
        return "" if order.old_parts == OldParts.TAKE else None
    if item in WASH_ITEMS:
        return "" if order.wash else None
    if item == "valuables":
        return walk.valuables.strip() if walk is not None and walk.valuables.strip() else None
    if item == "spare_and_tools":
        present = [_(label) for name, label in EQUIPMENT.items() if walk is not None and getattr(walk, name)]
        return "/".join(present) if present else None
    return ""


def checklist(order: RepairOrder, stage: DeliveryStage) -> dict[str, str]:
    """This car's items of ``stage``: code -> what it verifies here ("" for the plain items), in checklist order."""
    out: dict[str, str] = {}
    for item in ITEMS[stage]:
        detail = item_detail(order, item)
        if detail is not None:
            out[item] = detail
    return out


def missing_items(order: RepairOrder, stage: DeliveryStage) -> list[str]:
    done = {c.item for c in order.delivery_checks if c.stage == stage}
    return [item for item in checklist(order, stage) if item not in done]


def _tick(
    tx: Tx, order_id: int, stage: DeliveryStage, items: str | Sequence[str], note: str, expected_version: int | None
) -> RepairOrder:
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.READY,), _("the delivery check"))
    ticked = [items] if isinstance(items, str) else list(items)
    for item in ticked:
        if item not in ITEMS[stage]:
            raise ValidationError("item", _("Unknown checklist item {item}.").format(item=item))
    if not isinstance(items, str):  # "tick these": the ones this car's checklist has
        mine = checklist(order, stage)  # (once, not once an item)
        ticked = [item for item in ticked if item in mine]
    if not ticked:
        raise ValidationError("item", _("Pick an item to tick."))
    # What the checks below look at does not change while the items are ticked: read it once.
    done = {c.item for c in order.delivery_checks if c.stage == stage}
    internal_missing = stage == DeliveryStage.WALKTHROUGH and bool(missing_items(order, DeliveryStage.INTERNAL))
    for item in ticked:
        _tick_one(tx, order, stage, item, note, done, internal_missing)
    touch(order)
    tx.audit("delivery_check", order.id, order_id=order.id, after={"stage": stage, "items": ticked})
    return order


def _tick_one(
    tx: Tx, order: RepairOrder, stage: DeliveryStage, item: str, note: str, done: set[str], internal_missing: bool
) -> None:
    if item not in ITEMS[stage]:
        raise ValidationError("item", _("Unknown checklist item {item}.").format(item=item))
    if item_detail(order, item) is None:
        raise ValidationError("item", _("{item}: not on this car's checklist.").format(item=_(ITEMS[stage][item])))
    if internal_missing:
        raise ValidationError("item", _("Finish the internal delivery check before the walkthrough."))
    if item == "work_done":
        open_jobs = [j for j in order.jobs if j.status not in (JobStatus.QC_PASSED, JobStatus.DECLINED)]
        if open_jobs:
            raise ValidationError("item", _("{n} job(s) have not passed QC.").format(n=len(open_jobs)))
    if item in done:
        raise ValidationError("item", _("This item is already ticked."))
    order.delivery_checks.append(DeliveryCheck(
        order_id=order.id, stage=stage, item=item, note=text(note, "note", max_len=400),
        user_id=tx.actor.user_id, at=tx.now,
    ))
    done.add(item)


@service("delivery.internal_check")
def tick_internal(tx: Tx, order_id: int, item: str | Sequence[str], note: str = "", expected_version: int | None = None) -> OrderRef:
    return OrderRef.of(tx, _tick(tx, order_id, DeliveryStage.INTERNAL, item, note, expected_version))


@service("delivery.walkthrough")
def tick_walkthrough(tx: Tx, order_id: int, item: str | Sequence[str], note: str = "", expected_version: int | None = None) -> OrderRef:
    return OrderRef.of(tx, _tick(tx, order_id, DeliveryStage.WALKTHROUGH, item, note, expected_version))


@service("order.deliver")
def deliver(tx: Tx, order_id: int, expected_version: int | None = None) -> OrderRef:
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.READY,), _("delivery"))
    missing = missing_items(order, DeliveryStage.INTERNAL) + missing_items(order, DeliveryStage.WALKTHROUGH)
    if missing:
        labels = [_(INTERNAL_ITEMS.get(i) or WALKTHROUGH_ITEMS[i]) for i in missing]
        raise ValidationError("checklist", _("Still to do: {items}.").format(items="; ".join(labels)))
    before = transition_order(order, OrderStatus.DELIVERED, tx.now)
    order.delivered_at = tx.now
    sanbao.refresh_order(tx, order)  # 三包 (services/sanbao.py): the visit as it ended
    # The car has left: stock still held for a line that was never issued goes back on the shelf.
    released = {}
    for line in order.part_lines:
        if line.reserved_qty:
            released[str(line.id)] = str(line.reserved_qty)
            release(tx.session, order.store_id, line)
    after: dict[str, object] = {"status": order.status}
    if released:
        after["released"] = released
    if campaigns_done := campaigns.record_delivered(tx, order):  # the recalls it carried are done here
        after["campaigns_done"] = campaigns_done
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": before}, after=after)
    return OrderRef.of(tx, order)
