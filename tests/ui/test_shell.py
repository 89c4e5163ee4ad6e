"""The app shell: login, the role's home, help, lock, sign out."""

from __future__ import annotations

from frontdesk.model.enums import Role

from ..conftest import PASSWORD


async def test_login_by_keys_then_help_lock_and_sign_out(app_for, ui_actors):
    app = app_for(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        await pilot.press(*"technician", "enter", *"wrong-pass", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Wrong user name or password" in str(app.screen.query_one("#login-error").render())
        await pilot.press(*PASSWORD, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.actor is not None and app.actor.role == Role.TECHNICIAN
        assert type(app.screen).__name__ == "RoleHomeScreen"
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("f12")
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"
        await pilot.press(*PASSWORD, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "RoleHomeScreen"


async def test_idle_terminal_locks(app_for):
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.idle_limit = 0
        app._check_idle()
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"
