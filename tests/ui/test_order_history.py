"""The order-history screen: the events, the before/after comparison, the export keys."""

from __future__ import annotations

import csv

import pytest

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.order_history import OrderHistoryScreen
from frontdesk.services import audit_views

from .reception import settle


async def open_history(pilot, order_id: int) -> OrderHistoryScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.app.push_screen(OrderHistoryScreen(order_id=order_id))
    await settle(pilot, lambda: isinstance(pilot.app.screen, OrderHistoryScreen) and pilot.app.screen.history is not None)
    return pilot.app.screen  # type: ignore[return-value]


def keys(screen) -> set[str]:  # type: ignore[no-untyped-def]
    return {key for key, active in screen.active_bindings.items() if active.binding.show}


async def test_lists_every_event_and_compares_before_and_after(app_for, ui_services, ui_actors, desk_data):
    app = app_for(Role.ADVISOR)
    expected = audit_views.order_history(ui_services, ui_actors[Role.ADVISOR], desk_data.closed_order_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, desk_data.closed_order_id)
        table = screen.events_table
        assert table.row_count == len(expected.events) > 10
        assert screen.selected == expected.events[0]
        assert "order.check_in" == screen.selected.action
        # Down to an event with a value before and after: the comparison below follows the cursor.
        target = next(n for n, e in enumerate(expected.events) if any(c.before and c.after for c in e.changes))
        for _ in range(target):
            await pilot.press("down")
        await pilot.pause()
        event = expected.events[target]
        assert screen.selected == event
        diff = screen.diff_table
        assert diff.row_count == len(event.changes)
        assert [str(diff.get_row_at(n)[0]) for n in range(diff.row_count)] == [c.field for c in event.changes]
        changed = next(n for n, c in enumerate(event.changes) if c.before and c.after)
        row = diff.get_row_at(changed)
        assert (row[1], str(row[2])) == (event.changes[changed].before, event.changes[changed].after)
        # Enter: the comparison takes the screen; Esc comes back to the list, a second Esc leaves.
        await pilot.press("enter")
        await pilot.pause()
        assert screen.full_diff and not screen.events_table.display and diff.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.full_diff and screen.events_table.has_focus and app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_advisor_is_not_offered_the_export(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, desk_data.closed_order_id)
        assert {"enter", "f5", "escape"} <= keys(screen)
        assert not {"e", "x"} & set(screen.active_bindings)
        await pilot.press("e")
        await settle(pilot)
        assert screen.last_export is None


@pytest.mark.parametrize("key,fmt", [("e", "csv"), ("x", "xlsx")])
async def test_manager_exports_the_history(app_for, ui_services, ui_actors, desk_data, tmp_path, key, fmt):
    from dataclasses import replace

    ui_services.settings = replace(ui_services.settings, pdf_dir=str(tmp_path))
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, desk_data.closed_order_id)
        before = len(screen.history.events)
        assert {"e", "x"} <= keys(screen)
        await pilot.press(key)
        await settle(pilot, lambda: screen.last_export is not None and len(screen.history.events) == before + 1)
        done = screen.last_export
        assert done.path == tmp_path / f"history_{screen.history.number}.{fmt}" and done.path.exists()
        assert screen.history.events[-1].action == "audit.export"
        assert screen.events_table.row_count == before + 1
    if fmt == "csv":
        with open(done.path, encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.reader(fh))) == done.rows + 1


async def test_a_role_without_the_history_is_told_so(app_for, desk_data):
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(OrderHistoryScreen(order_id=desk_data.closed_order_id))
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.history is None and screen.events_table.row_count == 0
        assert any("history" in str(n.message) for n in pilot.app._notifications)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_history_snapshot(snap_compare, app_for, desk_data, size):
    set_language("en")
    app = app_for(Role.MANAGER)

    async def history_on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_history(pilot, desk_data.closed_order_id)
        for _ in range(3):
            await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=history_on_screen)
