"""A labour operation's vehicle system (issue 21, 三包 counts repeat repairs per system): shown in the
catalog's list and detail, chosen in the labour form and saved through catalog.save."""

from __future__ import annotations

from rich.text import Text
from sqlalchemy import select
from textual.widgets import Select, Static

from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role, VehicleSystem

from .admin_helpers import fill
from .test_catalogs_screen import open_catalogs, shop  # noqa: F401  (the shared fixture)
from .test_estimate import screen_name, settle


def cells(screen, code: str) -> list[str]:  # type: ignore[no-untyped-def]
    row = next(r for r in screen._rows if r.code == code)
    return [c.plain if isinstance(c, Text) else str(c) for c in screen.table.get_row(f"l{row.id}")]


async def test_the_system_is_shown_and_chosen_in_the_labour_form(app_for, ui_services, shop):  # noqa: F811
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_catalogs(pilot)
        assert "—" in cells(screen, "MT0101")  # an oil change: routine work, no system
        await pilot.press("down")  # the first row: BR0201
        await pilot.press("down", "down")  # MT0101
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        assert pilot.app.screen.query_one("#system", Select).value == ""
        await fill(pilot, system=VehicleSystem.ENGINE.value)
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen
                     and next(r for r in screen._rows if r.code == "MT0101").system == VehicleSystem.ENGINE)
        assert "Engine" in cells(screen, "MT0101")
        await settle(pilot, lambda: screen.selected is not None and screen.selected.code == "MT0101")
        assert "System: Engine" in str(screen.query_one("#cat-detail", Static).render())
    with ui_services.db.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "labor_operation")
                          .order_by(AuditEvent.id.desc())).first()
        assert event is not None and (event.before["system"], event.after["system"]) == (None, "engine")
