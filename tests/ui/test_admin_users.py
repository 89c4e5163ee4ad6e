"""The users screen by keys: add, edit the role, deactivate and reactivate, a new password, role authority."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.i18n import set_language
from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role
from frontdesk.screens.admin_users import AdminUsersScreen
from frontdesk.services import admin_views, auth
from frontdesk.services.errors import PermissionDenied

from ..conftest import PASSWORD
from .admin_helpers import fill, open_screen
from .test_estimate import screen_name, settle


async def open_users(pilot) -> AdminUsersScreen:  # type: ignore[no-untyped-def]
    screen = AdminUsersScreen()
    return await open_screen(pilot, screen, lambda: screen._view is not None)


async def to_user(pilot, screen: AdminUsersScreen, username: str) -> None:  # type: ignore[no-untyped-def]
    table = screen.query_one("#users")
    table.focus()
    index = [u.username for u in screen._view.users].index(username)
    table.move_cursor(row=index)
    await pilot.pause()


def actions(services) -> list[str]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity.in_(("user", "role_authority")))
                              .where(AuditEvent.action != "user.login").order_by(AuditEvent.id)))


async def test_add_edit_deactivate_and_reset_by_keys(app_for, ui_services, ui_actors):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_users(pilot)
        before = actions(ui_services)
        await pilot.press("f2")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, username="zhou", display_name="周敏", role="advisor", discount_authority="3",
                   password="first-pass")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and any(u.username == "zhou" for u in screen._view.users))
        zhou = next(u for u in screen._view.users if u.username == "zhou")
        assert (zhou.display_name, zhou.role, zhou.own_authority) == ("周敏", Role.ADVISOR, Decimal("0.03"))

        await to_user(pilot, screen, "zhou")
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, role="cashier", discount_authority="")
        await pilot.press("enter")
        await settle(pilot, lambda: pilot.app.screen is screen and any(
            u.username == "zhou" and u.role == Role.CASHIER for u in screen._view.users))
        assert auth.login(ui_services, "zhou", "first-pass").role == Role.CASHIER

        await to_user(pilot, screen, "zhou")
        await pilot.press("d")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot, lambda: any(u.username == "zhou" and not u.active for u in screen._view.users))
        with pytest.raises(PermissionDenied):
            auth.login(ui_services, "zhou", "first-pass")

        await to_user(pilot, screen, "zhou")
        await pilot.press("p")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, password="next-pass", repeat="other-pass")
        await pilot.press("f6")
        await settle(pilot)
        assert "differ" in str(pilot.app.screen.query_one("#repeat-error").render())
        await fill(pilot, repeat="next-pass")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen)

        await to_user(pilot, screen, "zhou")
        await pilot.press("d")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot, lambda: any(u.username == "zhou" and u.active for u in screen._view.users))
        assert auth.login(ui_services, "zhou", "next-pass").username == "zhou"
    assert actions(ui_services)[len(before):] == [
        "user.add", "user.update", "user.update", "user.update", "user.set_password", "user.update"]


async def test_role_authority_is_edited_in_the_roles_list(app_for, ui_services, ui_actors):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot)
        await pilot.press("tab")
        assert pilot.app.focused.id == "roles"  # the first role is the advisor
        await pilot.press("f4")
        await settle(pilot, lambda: screen_name(pilot) == "FormDialog")
        await fill(pilot, percent="101")
        await pilot.press("f6")
        await settle(pilot)
        assert "100" in str(pilot.app.screen.query_one("#percent-error").render())
        await fill(pilot, percent="8")
        await pilot.press("f6")
        await settle(pilot, lambda: pilot.app.screen is screen and screen._view.roles[0].discount_authority == Decimal("0.08"))
    view = admin_views.users_view(ui_services, ui_actors[Role.ADMIN])
    assert view.roles[0].role == Role.ADVISOR and view.roles[0].set_here


async def test_an_administrator_cannot_deactivate_themselves(app_for, ui_services, ui_actors):
    app = app_for(Role.ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot)
        await to_user(pilot, screen, "admin")
        await pilot.press("d")
        await settle(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot)
        assert any("your own account" in str(n.message) for n in pilot.app._notifications)
    assert auth.login(ui_services, "admin", PASSWORD).role == Role.ADMIN


async def test_other_roles_see_no_admin_keys(app_for, ui_services, ui_actors):
    app = app_for(Role.MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot)
        keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled and b.binding.show}
        assert not keys & {"new", "edit", "toggle", "password"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_admin_users_snapshot(snap_compare, app_for, ui_services, ui_actors, clock_login, lang, size):
    set_language(lang)
    app = app_for(Role.ADMIN)

    async def on_screen(pilot):  # type: ignore[no-untyped-def]
        await open_users(pilot)

    assert snap_compare(app, terminal_size=size, run_before=on_screen)


@pytest.fixture
def clock_login(ui_services, ui_actors):  # type: ignore[no-untyped-def]
    """A deactivated user and a role authority set, so the snapshot shows every kind of row."""
    admin = ui_actors[Role.ADMIN]
    auth.add_user(ui_services, admin, "old_hand", "老李", Role.ADVISOR, "some-pass")
    auth.set_active(ui_services, admin, "old_hand", False)
    auth.update_user(ui_services, admin, "manager", discount_authority=auth.parse_percent("25") / 100)
    auth.set_role_discount_authority(ui_services, admin, Role.ADVISOR, "8")
