"""The console starts on a real database, asks who is there, and quits with a key."""

from __future__ import annotations

from frontdesk.app import make_app


async def test_console_starts_at_login_and_quits_with_a_key(services):
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.title == services.settings.dealership.name
        assert type(app.screen).__name__ == "LoginScreen"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
