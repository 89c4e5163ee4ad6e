"""The lock holds: while locked only the unlock form and quit are reachable (issue 15, item 1).

Every test runs at 80x24 and locks the console the way a user does (F12) or the idle timer
does; what the screens underneath ask for while locked (a pushed screen, a notice, a pop,
a switch) must neither show nor lift the lock, and happens, in order, after the password.
"""

from __future__ import annotations

import asyncio
import html
import re

from textual.app import ComposeResult
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from frontdesk.model.enums import Role

from ..conftest import PASSWORD
from .desk_helpers import notes, screen_name, settle

SIZE = (80, 24)


class Secret(Screen[None]):
    """What a worker opens when its slow service call comes back."""

    def compose(self) -> ComposeResult:
        yield Static("Secret screen 13800138000")


class Question(ModalScreen[bool]):
    """A modal that answers itself from a worker (a password check, a save)."""

    def compose(self) -> ComposeResult:
        yield Static("Approve the discount for 张伟?")


def visible(app) -> str:  # type: ignore[no-untyped-def]
    """Every character on the terminal, screens seen through translucent ones included."""
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S))).replace("\xa0", " ")


async def lock(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f12")
    await pilot.pause()
    assert screen_name(pilot.app) == "LockScreen"


async def unlock(pilot, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*password, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def in_thread(app, *calls) -> None:  # type: ignore[no-untyped-def]
    """Run ``calls`` as a screen's worker does when its service call returns: on the UI thread, from a thread."""

    def job() -> None:
        for call in calls:
            app.call_from_thread(call)

    await asyncio.get_running_loop().run_in_executor(None, job)


async def test_the_lock_covers_the_desk(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "粤C24680" in visible(app)  # today's appointment, on the desk
        await lock(pilot)
        assert "粤C24680" not in visible(app)


async def test_ctrl_p_on_a_locked_console_opens_nothing(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await lock(pilot)
        stack = list(app.screen_stack)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert not any(isinstance(s, CommandPalette) for s in app.screen_stack)
        await pilot.press(*"Settings", "enter", *"Follow", "enter")  # what would pick a destination
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen_stack == stack
        assert screen_name(app) == "LockScreen"


async def test_app_keys_do_nothing_while_locked(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await lock(pilot)
        stack = list(app.screen_stack)
        for action in ("command_palette", "help", "logout", "toggle_language", "lock"):
            assert not await app.run_action(f"app.{action}")
        await pilot.pause()
        assert app.screen_stack == stack and app.actor is not None


async def test_open_destination_while_locked_waits_for_the_password(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await lock(pilot)
        stack = list(app.screen_stack)
        app.open_destination("follow_ups")
        app.open_destination("settings")  # not the advisor's: its notice waits too
        await pilot.pause()
        assert app.screen_stack == stack and not notes(app)
        await unlock(pilot)
        await settle(pilot)
        assert screen_name(app) == "FollowUpsScreen"
        assert notes(app) == ["Your role cannot open this screen."]


async def test_a_worker_finishing_while_locked_shows_nothing_until_the_password(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await lock(pilot)
        stack = list(app.screen_stack)
        results: list[object] = []
        await in_thread(app, lambda: app.push_screen(Secret(), results.append),
                  lambda: app.notify("Saved for 张伟 13800138000"))
        # notify is thread-safe: screens call it straight from their workers
        await asyncio.get_running_loop().run_in_executor(None, lambda: app.notify("from a thread too"))
        await pilot.pause()
        assert app.screen_stack == stack and not notes(app)
        assert "13800138000" not in visible(app)
        await unlock(pilot, "wrong-password")
        assert app.screen_stack == stack and not notes(app)
        await unlock(pilot)
        assert type(app.screen) is Secret
        assert notes(app) == ["Saved for 张伟 13800138000", "from a thread too"]
        app.screen.dismiss(None)
        await pilot.pause()
        assert results == [None] and screen_name(app) == "DeskHomeScreen"


async def test_a_screen_underneath_cannot_lift_the_lock(app_for, desk_data):
    """Textual's ``dismiss`` pops whatever is on top: a modal answering from its worker would pop the lock."""
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        answers: list[bool | None] = []
        question = Question()
        app.push_screen(question, answers.append)
        await pilot.pause()
        app.idle_limit = 0  # a modal takes F12 from the app: the idle lock comes anyway
        app._check_idle()
        await pilot.pause()
        assert screen_name(app) == "LockScreen"
        await in_thread(app, lambda: question.dismiss(True))
        await pilot.pause()
        assert screen_name(app) == "LockScreen" and question in app.screen_stack
        await in_thread(app, lambda: app.switch_screen(Secret()))  # a check-in saved: on to the walkaround
        await pilot.pause()
        assert screen_name(app) == "LockScreen"
        await unlock(pilot)
        assert answers == [True]
        assert question not in app.screen_stack
        assert type(app.screen) is Secret  # the switch replaced the desk, not the lock
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["Secret"]


async def test_f1_while_locked_lists_only_the_locks_keys(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await lock(pilot)
        await pilot.press("f1")
        await pilot.pause()
        shown = visible(app)
        assert "Quit" in shown and "Unlock" in shown
        for secret in ("粤C24680", "欧阳建国", "Commands", "New check-in", "Search", "Lock"):
            assert secret not in shown.replace("Locked", ""), secret


async def test_the_idle_lock_closes_an_open_palette_and_hides_notices(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notify("Saved for 张伟")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        app.idle_limit = 0
        app._check_idle()
        await pilot.pause()
        assert screen_name(app) == "LockScreen"
        assert not any(isinstance(s, CommandPalette) for s in app.screen_stack)
        shown = visible(app)
        assert "张伟" not in shown and "Desk home" not in shown and "粤C24680" not in shown


async def test_after_unlock_everything_works_again(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await lock(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await unlock(pilot)
        assert screen_name(app) == "DeskHomeScreen"
        assert app.screen.active_bindings["ctrl+p"].enabled  # the footer offers it again
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press("escape")
        await pilot.pause()
        app.open_destination("follow_ups")
        await settle(pilot)
        assert screen_name(app) == "FollowUpsScreen"
        await pilot.press("f1")
        await pilot.pause()
        assert screen_name(app) == "HelpScreen"
