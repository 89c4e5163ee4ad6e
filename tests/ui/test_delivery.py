"""The delivery checklist by keys: digits tick, Tab changes list, F9 delivers (refused while incomplete).

The order is tests/ui/cashier_helpers.py's car ready to hand over (nothing ticked yet).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdesk.model import AuditEvent, DeliveryCheck
from frontdesk.model.enums import DeliveryStage, OrderStatus, Role
from frontdesk.screens.delivery import DeliveryScreen
from frontdesk.services import delivery

from .cashier_helpers import open_screen, order_row, ready_fixture, settle  # noqa: F401  (a fixture)
from .desk_helpers import notes, rows, screen_name


def ticks(services, order_id: int) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return [(c.stage.value, c.item, c.user_id) for c in s.scalars(
            select(DeliveryCheck).where(DeliveryCheck.order_id == order_id).order_by(DeliveryCheck.id))]


async def test_checklist_by_keys_then_deliver(app_for, ui_services, ui_actors, ready):
    adv = ui_actors[Role.ADVISOR]
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = DeliveryScreen(ready.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        # this car's lists: the customer declined the wash, so no "clean outside" / "cleaning shown"
        assert len(rows(app, "internal")) == 5 and len(rows(app, "walkthrough")) == 8
        missing = str(screen.query_one("#dl-missing").render())
        assert "Still to do (13)" in missing and "Every authorised item done and QC-signed" in missing

        # a walkthrough item before the internal check is finished is refused by the service
        await pilot.press("tab", "1")
        await settle(pilot, lambda: any("Finish the internal delivery check" in n for n in notes(app)))
        assert ticks(ui_services, ready.order_id) == []

        # the internal check: 1..5 on the internal list; the focus moves on to the walkthrough by itself
        await pilot.press("tab")
        assert app.focused.id == "internal"
        for key in "12345":
            await pilot.press(key)
        await settle(pilot, lambda: screen.view is not None and not screen.view.missing_internal)
        assert app.focused.id == "walkthrough"
        car_internal = [i for i in delivery.INTERNAL_ITEMS if i not in delivery.WASH_ITEMS]
        assert [t[1] for t in ticks(ui_services, ready.order_id)] == car_internal
        assert {t[2] for t in ticks(ui_services, ready.order_id)} == {adv.user_id}

        # a tick twice is said, not sent
        await pilot.press("shift+tab", "3")
        await settle(pilot)
        assert any("Already ticked" in n for n in notes(app))

        # the walkthrough, all but the last; F9 is refused and says what is missing
        await pilot.press("tab")
        for key in "1234567":
            await pilot.press(key)
        await settle(pilot, lambda: screen.view is not None and len(screen.view.missing_walkthrough) == 1)
        app.clear_notifications()
        await pilot.press("f9")
        await settle(pilot, lambda: bool(notes(app)))
        assert any("Still to do: Covers removed in front of the customer." in n for n in notes(app))
        assert "Covers removed" in str(screen.query_one("#checklist-error").render())
        assert order_row(ui_services, ready.order_id).status == OrderStatus.READY
        assert "Still to do (1): Covers removed in front of the customer" in str(screen.query_one("#dl-missing").render())

        # the last item by Enter on the highlighted row, then F9: delivered, and the settlement opens
        await pilot.press("down", "down", "down", "down", "down", "down", "down", "enter")
        await settle(pilot, lambda: screen.view is not None and screen.view.complete)
        assert "F9 delivers" in str(screen.query_one("#dl-missing").render())
        ticked = ticks(ui_services, ready.order_id)
        assert [t[1] for t in ticked if t[0] == DeliveryStage.WALKTHROUGH.value] == [
            i for i in delivery.WALKTHROUGH_ITEMS if i not in delivery.WASH_ITEMS]
        await pilot.press("f9")
        await settle(pilot, lambda: screen_name(app) == "SettlementScreen" and app.screen.view is not None)
        order = order_row(ui_services, ready.order_id)
        assert order.status == OrderStatus.DELIVERED and order.delivered_at == ui_services.clock()
        with ui_services.db.reader() as s:
            actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.order_id == ready.order_id))]
        assert actions.count("delivery.internal_check") == 5 and actions.count("delivery.walkthrough") == 8
        assert actions[-1] == "order.deliver"
        # Esc from the settlement goes back past the (replaced) checklist
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert screen_name(app) == "DeskHomeScreen"


async def test_a_cashier_sees_the_checklist_but_cannot_tick(app_for, ui_services, ready):
    app = app_for(Role.CASHIER)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = DeliveryScreen(ready.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)
        await pilot.press("1")
        await settle(pilot, lambda: any("may not do this" in n for n in notes(app)))
        assert ticks(ui_services, ready.order_id) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_delivery_snapshot(snap_compare, app_for, ui_services, ui_actors, ready, size):
    delivery.tick_internal(ui_services, ui_actors[Role.QC], ready.order_id, ["work_done", "fault_gone", "old_parts_ready"])
    app = app_for(Role.ADVISOR)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        screen = DeliveryScreen(ready.order_id)
        await open_screen(pilot, screen, lambda: screen.view is not None)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)
