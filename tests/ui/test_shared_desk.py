"""A shared desk (issue 17): at the lock, another user signs in and the last user's screens close.

The cashier steps up to the advisor's locked terminal at 80x24, presses F2 on the lock and
signs in with their own name and password, through the same sign-in service as the login
screen (audited, its lockout counting). The advisor's screens are gone, the header names the
cashier, and nothing the advisor queued while locked shows. An advisor's typed, unsaved
check-in is not dropped silently: the lock asks first (N keeps it and the lock stays).
"""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Input, Static

from frontdesk.model import AuditEvent, User
from frontdesk.model.enums import Role

from ..conftest import PASSWORD
from .desk_helpers import notes, screen_name, settle
from .test_lock import lock, visible

SIZE = (80, 24)


async def sign_in_other(pilot, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """F2 on the lock, then the user name, Enter, the password and Enter, in one burst."""
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press(*username, "enter", *password, "enter")
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def lock_text(app, widget: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(widget, Static).render())


async def test_another_user_signs_in_and_the_last_users_screens_close(app_for, ui_services, desk_data, ui_actors):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("follow_ups")
        await settle(pilot)
        assert screen_name(app) == "FollowUpsScreen"
        advisor_screens = list(app.screen_stack[1:])
        await lock(pilot)
        assert "another user" in visible(app)  # the lock says how
        app.open_destination("appointments")  # the advisor's worker answering while locked: dropped
        app.notify("Saved for 张伟 13800138000")
        await sign_in_other(pilot, "cashier")
        assert screen_name(app) == "CashierHomeScreen"
        assert app.actor is not None and app.actor.username == "cashier" and app.actor.role is Role.CASHIER
        assert app.sub_title.startswith(ui_actors[Role.CASHIER].display_name)
        assert ui_actors[Role.CASHIER].display_name in visible(app)  # the header shows the new user
        assert not any(s in app.screen_stack for s in advisor_screens)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["CashierHomeScreen"]
        assert not notes(app) and "13800138000" not in visible(app)
    with ui_services.db.reader() as s:  # through the sign-in service: audited as the cashier's login
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (last.action, last.user_id) == ("user.login", ui_actors[Role.CASHIER].user_id)


async def test_a_wrong_password_is_refused_and_counted(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        stack = list(app.screen_stack)
        await lock(pilot)
        await sign_in_other(pilot, "cashier", "wrong-password")
        assert screen_name(app) == "LockScreen"
        assert "Wrong user name or password." in lock_text(app, "#lock-error")
        assert app.actor is not None and app.actor.username == "advisor"
        assert app.screen.query_one("#other-password", Input).value == ""
        await pilot.press("escape")  # back to the advisor's own password
        await pilot.pause()
        await pilot.press(*PASSWORD, "enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.screen_stack == stack and app.actor.username == "advisor"
    with ui_services.db.reader() as s:  # the lockout rules count it
        cashier = s.scalars(select(User).where(User.username == "cashier")).one()
        assert cashier.failed_logins == 1


async def test_the_locked_users_unsaved_check_in_is_asked_about_first(app_for, ui_services, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("checkin")
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen"
        await pilot.press(*"王芳")  # typed (into the first field, the plate), not saved
        await lock(pilot)
        await sign_in_other(pilot, "cashier")
        assert screen_name(app) == "LockScreen"  # not yet: the lock asks
        question = lock_text(app, "#lock-question-text")
        assert "Advisor Test" in question and "check-in" in question
        assert "王芳" not in visible(app)  # the work itself is not shown to the newcomer
        await pilot.press("n")  # keep it: the advisor unlocks and saves
        await settle(pilot)
        assert screen_name(app) == "LockScreen" and app.actor.username == "advisor"
        await pilot.press(*PASSWORD, "enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert screen_name(app) == "CheckInScreen" and app.screen.query_one("#plate", Input).value == "王芳"
        await lock(pilot)
        await sign_in_other(pilot, "cashier")
        await pilot.press("y")  # asked, and answered: the typed check-in goes
        await settle(pilot)
        assert screen_name(app) == "CashierHomeScreen" and app.actor.username == "cashier"
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["CashierHomeScreen"]


async def test_the_same_user_by_the_other_door_just_unlocks(app_for, desk_data):
    app = app_for(Role.ADVISOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_destination("checkin")
        await settle(pilot)
        await pilot.press(*"王芳")
        await lock(pilot)
        await sign_in_other(pilot, "advisor")
        assert screen_name(app) == "CheckInScreen" and app.screen.query_one("#plate", Input).value == "王芳"
