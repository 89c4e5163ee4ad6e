"""Delivery (交车): the internal check, then the walkthrough with the customer."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.i18n import gettext as _
from frontdesk.model import DeliveryCheck, RepairOrder
from frontdesk.model.enums import DeliveryStage, JobStatus, OrderStatus

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
    "old_parts_ready": "Old parts ready as agreed",
    "clean_inside": "Clean inside",
    "clean_outside": "Clean outside",
    "nothing_left": "No tools, rags or bolts left in the car",
}
WALKTHROUGH_ITEMS: dict[str, str] = {
    "work_explained": "Work explained",
    "old_parts_shown": "Old parts shown",
    "recommendations_explained": "Recommendations and care notes explained",
    "next_service_told": "Next service date and mileage told",
    "spare_and_tools": "Spare tyre and tools checked",
    "cleaning_shown": "Cleaning shown",
    "follow_up_agreed": "Follow-up call time agreed",
    "covers_removed": "Covers removed in front of the customer",
}
ITEMS = {DeliveryStage.INTERNAL: INTERNAL_ITEMS, DeliveryStage.WALKTHROUGH: WALKTHROUGH_ITEMS}
ACTION = {DeliveryStage.INTERNAL: "delivery.internal_check", DeliveryStage.WALKTHROUGH: "delivery.walkthrough"}


def missing_items(order: RepairOrder, stage: DeliveryStage) -> list[str]:
    done = {c.item for c in order.delivery_checks if c.stage == stage}
    return [item for item in ITEMS[stage] if item not in done]


def _tick(
    tx: Tx, order_id: int, stage: DeliveryStage, items: str | Sequence[str], note: str, expected_version: int | None
) -> RepairOrder:
    order = load_order(tx, order_id, expected_version)
    require_order_status(order, (OrderStatus.READY,), _("the delivery check"))
    ticked = [items] if isinstance(items, str) else list(items)
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
    # The car has left: stock still held for a line that was never issued goes back on the shelf.
    released = {}
    for line in order.part_lines:
        if line.reserved_qty:
            released[str(line.id)] = str(line.reserved_qty)
            release(tx.session, order.store_id, line)
    after: dict[str, object] = {"status": order.status}
    if released:
        after["released"] = released
    tx.audit("repair_order", order.id, order_id=order.id, before={"status": before}, after=after)
    return OrderRef.of(tx, order)
