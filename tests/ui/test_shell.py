"""The app shell: login, the role's home, help, lock, sign out."""

from __future__ import annotations

import pytest

from frontdesk.i18n import set_language
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
        assert type(app.screen).__name__ == "TechnicianScreen"
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
        assert type(app.screen).__name__ == "TechnicianScreen"


async def test_idle_terminal_locks(app_for):
    app = app_for(Role.TECHNICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.idle_limit = 0
        app._check_idle()
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"


async def test_an_unexpected_failure_in_a_service_call_is_shown_not_swallowed(app_for):
    from frontdesk.screens.base import DeskScreen

    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DeskScreen)

        def broken() -> None:
            raise RuntimeError("disk on fire")

        failures: list[str] = []
        screen.call_service(broken, then=lambda _r: failures.append("then ran"), failed=lambda e: failures.append(str(e)))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert failures == ["Unexpected error; nothing was saved: disk on fire"]
        screen.call_service(broken)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("disk on fire" in n.message for n in app._notifications)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_login_snapshot(snap_compare, app_for, lang, size):
    set_language(lang)

    async def typed_name(pilot):
        await pilot.pause()
        await pilot.press(*"advisor", "tab")
        await pilot.pause()

    assert snap_compare(app_for(None), terminal_size=size, run_before=typed_name)


async def test_help_lists_textuals_own_keys_in_chinese(app_for, desk_data):
    """F1 on the desk home lists the list's cursor keys too, in the language of the console."""
    from textual.widgets import DataTable

    set_language("zh_CN")
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        app.screen.query_one("#appointments-table").focus()
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("e")  # Textual's keys are folded at the end of F1 (issue 17); E shows them
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        actions = [str(table.get_row_at(n)[1]) for n in range(table.row_count)]
        assert "光标上移" in actions and "刷新" in actions
        assert not any(a in ("Cursor up", "Cursor down", "Select") for a in actions)
