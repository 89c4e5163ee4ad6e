"""The teams screen by keys: a new team with a leader and skills, a technician moved to it, an edit."""

from __future__ import annotations

import pytest

from frontdesk.i18n import set_language
from frontdesk.model.enums import Role
from frontdesk.screens.admin_teams import AdminTeamsScreen
from frontdesk.services import admin_views

from ..factories import seed_shop
from .admin_helpers import fill, open_screen
from .test_estimate import screen_name, settle


@pytest.fixture
def shop(ui_services, ui_actors):  # type: ignore[no-untyped-def]
    from frontdesk.services.setup import ensure_store, system_actor

    return seed_shop(ui_services, system_actor(ensure_store(ui_services)), ui_actors)


async def open_teams(pilot) -> AdminTeamsScreen:  # type: ignore[no-untyped-def]
    screen = AdminTeamsScreen()
    return await open_screen(pilot, screen, lambda: screen._view is not None)


async def test_new_team_and_assignment_by_keys(app_for, ui_services, ui_actors, shop):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_teams(pilot)
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, name="钣喷组", skills="body, paint", leader="supervisor")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and len(screen._view.teams) == 2)
        body = next(t for t in screen._view.teams if t.name == "钣喷组")
        assert (body.skills, body.leader_username) == (("body", "paint"), "supervisor")

        await pilot.press("tab")
        assert pilot.app.focused.id == "technicians"
        names = [t.name for t in screen._view.technicians]
        screen.query_one("#technicians").move_cursor(row=names.index("Technician B"))
        await pilot.press("t")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, team=str(body.id))
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and any(
            t.name == "Technician B" and t.team_id == body.id for t in screen._view.technicians))

        await pilot.press("f4")  # the technician still under the cursor
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, skills="paint")
        await pilot.press("enter")
        await settle(pilot, lambda: pilot.app.screen is screen and any(
            t.name == "Technician B" and t.skills == ("paint",) for t in screen._view.technicians))
    view = admin_views.teams_view(ui_services, ui_actors[Role.ADMIN])
    assert next(t for t in view.teams if t.name == "钣喷组").technicians == ("Technician B",)


async def test_a_technician_is_not_offered_team_keys(app_for, ui_services, ui_actors, shop):
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_teams(pilot)
        keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled and b.binding.show}
        assert not keys & {"new", "edit", "assign"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_admin_teams_snapshot(snap_compare, app_for, shop, lang, size):
    set_language(lang)
    app = app_for(Role.ADMIN)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_teams(pilot)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)
