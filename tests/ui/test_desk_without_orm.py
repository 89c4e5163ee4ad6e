"""An advisor who signs in, reads today's lists, searches and unlocks never loads SQLAlchemy.

Issue 8 (startup and memory on a cheap terminal): the desk home reads through the driver
(``frontdesk.dbapi``); the ORM is loaded by the first screen that changes something. This
runs the real console in a fresh process — sign-in form, desk home, search box, F5, F12
and unlock — and then looks at what that process imported. Opening an order's estimate
is the counter-check: it must bring SQLAlchemy in, or this test could not fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from ..conftest import PASSWORD

CHILD = textwrap.dedent("""
    import asyncio, json, sys

    from frontdesk.cli import open_services
    from frontdesk.config import Settings
    from frontdesk.app import make_app

    async def main(url, password, open_estimate):
        services = open_services(Settings(database_url=url))
        app = make_app(services, show_clock=False)
        seen = {}
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press(*"advisor", "tab", *password, "enter")
            home = None
            for _ in range(200):
                await pilot.pause(0.05)
                screen = app.screen
                if type(screen).__name__ == "DeskHomeScreen" and screen._home is not None:
                    home = screen
                    break
            seen["in_house"] = len(home._home.in_house) if home else -1
            await pilot.press(*"LFV2")
            await pilot.pause(0.3)
            for _ in range(40):
                await pilot.pause(0.05)
                if home._search.hits:
                    break
            seen["hits"] = len(home._search.hits)
            await pilot.press("escape", "f5")
            await pilot.pause(0.3)
            await pilot.press("f12")
            await pilot.pause(0.2)
            await pilot.press(*password, "enter")
            for _ in range(100):
                await pilot.pause(0.05)
                if app.screen is home:
                    break
            seen["unlocked"] = app.screen is home
            seen["before"] = sorted(m for m in sys.modules if m.startswith("sqlalchemy"))[:3]
            if open_estimate:
                home._open("estimate", order_id=home._home.in_house[0].id)
                await pilot.pause(0.5)
                seen["estimate"] = type(app.screen).__name__
            seen["after"] = sorted(m for m in sys.modules if m.startswith("sqlalchemy"))[:3]
        print("RESULT " + json.dumps(seen))

    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] == "1"))
""")


def _run(url: str, open_estimate: bool) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, url, PASSWORD, "1" if open_estimate else "0"],
                         capture_output=True, text=True, timeout=120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, out.stdout[-2000:] + out.stderr[-3000:]
    return json.loads(line.removeprefix("RESULT "))


def test_signing_in_reading_and_searching_need_no_orm(desk_data, ui_services) -> None:  # type: ignore[no-untyped-def]
    seen = _run(ui_services.db.url, open_estimate=False)
    assert seen["in_house"] > 0  # the lists really were read
    assert seen["hits"] > 0  # and the search really found the car
    assert seen["unlocked"] is True
    assert seen["before"] == [] and seen["after"] == []


def test_opening_an_estimate_loads_the_orm(desk_data, ui_services) -> None:  # type: ignore[no-untyped-def]
    seen = _run(ui_services.db.url, open_estimate=True)
    assert seen["before"] == []
    assert seen["estimate"] == "EstimateScreen"
    assert seen["after"] != []


PREPARE = textwrap.dedent("""
    import asyncio, json, sys

    from frontdesk.cli import open_services
    from frontdesk.config import Settings
    from frontdesk.app import make_app

    async def main(url, username):
        app = make_app(open_services(Settings(database_url=url)), show_clock=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press(*username, "tab")
            for _ in range(100):
                await pilot.pause(0.05)
                if "frontdesk.screens.cashier_home" in sys.modules:
                    break
            print("RESULT " + json.dumps({"home": "frontdesk.screens.cashier_home" in sys.modules,
                                          "orm": "sqlalchemy.orm" in sys.modules,
                                          "screen": type(app.screen).__name__}))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def test_a_cashier_s_home_is_loaded_while_the_password_is_typed(desk_data, ui_services) -> None:  # type: ignore[no-untyped-def]
    out = subprocess.run([sys.executable, "-c", PREPARE, ui_services.db.url, "cashier"],
                         capture_output=True, text=True, timeout=120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, out.stdout[-2000:] + out.stderr[-3000:]
    seen = json.loads(line.removeprefix("RESULT "))
    assert seen == {"home": True, "orm": True, "screen": "LoginScreen"}  # still at the password: nothing granted
