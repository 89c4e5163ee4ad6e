"""Every role against every screen: the UI offers only what the role's permissions allow.

For each role: the command palette lists exactly the destinations ``navigation.allowed``
gives it; ``open_destination`` refuses every other one (per-order screens included); and on
every screen it may open, no key is active whose permission (the screen's own table of
action -> permission, read from the screen modules where they keep one) the role lacks.
Where a key depends on nothing but the permission it is also checked the other way: a role
that holds the permission is offered the key. The board and the login screen, seen by
nobody in particular, show no customer's name or phone.
"""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from frontdesk import navigation
from frontdesk.board_app import BoardApp
from frontdesk.commands import NavigationCommands
from frontdesk.i18n import gettext as _
from frontdesk.model.enums import Role
from frontdesk.screens import checks, old_parts, technician, warranty_claim, warranty_claims
from frontdesk.screens.admin_users import NEEDS
from frontdesk.screens.complaints import MANAGE
from frontdesk.screens.order_history import OrderHistoryScreen
from frontdesk.screens.packages import ACTION_PERMISSION as PACKAGES
from frontdesk.screens.payment import PaymentScreen
from frontdesk.services import audit_views
from frontdesk.services.permissions import PERMISSIONS, allowed

from .reception import settle
from .test_board import _cells, _screen_text, workshop_order  # noqa: F401  (a fixture, used by name)

#: destination key -> {screen action: the permission it needs}. From the screens' own tables where they have one.
PERMISSION_OF: dict[str, dict[str, str]] = {
    "checks": dict(checks.ACTION_PERMISSION),
    "payment": dict(PaymentScreen.ACTION_PERMISSION),
    "technician": dict(technician.ACTION),
    "users": dict(NEEDS),
    "complaints": {**{a: "complaint.update" for a in MANAGE}, "new": "complaint.open"},
    "follow_ups": {"record": "followup.record", "close": "followup.close"},
    "reminders": {"record": "reminder.record"},
    "catalogs": {"new": "catalog.save", "edit": "catalog.save", "stock": "stock.adjust"},
    "packages": dict(PACKAGES),
    "teams": {"new": "team.save", "edit": "team.save", "assign": "team.save"},
    "settlement": {"payment": "payment.take", "save": "settlement.prepare"},
    "reports": {"export": "report.export"},
    "order_history": {"export": "audit.export"},
    "warranty_claims": dict(warranty_claims.ACTION_PERMISSION),
    "warranty_claim": dict(warranty_claim.ACTION_PERMISSION),
    "old_parts": dict(old_parts.ACTION_PERMISSION),
}
#: Keys also hidden for a reason other than the role (the catalog shown, the list in focus): checked one way only.
STATE_DEPENDENT = {("catalogs", "stock"), ("packages", "toggle_active"), ("packages", "import_file")}
PER_ORDER = {d.key for d in navigation.DESTINATIONS if d.per_order}
SECRETS = ("张伟", "李娜", "欧阳建国", "13800138000", "138 0013 8000", "13912345678", "18688889999")


def test_the_tables_name_real_permissions():
    for key, table in PERMISSION_OF.items():
        assert table, key
        for action, permission in table.items():
            assert permission in PERMISSIONS, (key, action, permission)
    assert {"delivery", "settlement", "payment"} <= PER_ORDER <= {"walkaround", "estimate", "delivery", "settlement",
                                                                 "payment", "order_history", "warranty_claim",
                                                                 "accident"}


def _name(action: str) -> str:
    return action.split("(", 1)[0]


def offered(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Action name -> key of every binding active on the current screen (dimmed ones count as offered)."""
    return {_name(a.binding.action): key for key, a in app.screen.active_bindings.items()}


async def _palette_titles(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await settle(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.pause(0.3)
    await settle(pilot)
    palette = pilot.app.screen
    options = palette.query_one("CommandList").options
    titles = [str(o.prompt).split("\n", 1)[0] for o in options]
    await pilot.press("escape")
    await settle(pilot, lambda: not isinstance(pilot.app.screen, CommandPalette))
    return titles


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_role_sees_and_opens_only_its_screens(app_for, desk_data, role):
    app = app_for(role)
    may_open = navigation.allowed(role)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        home = app.screen
        # The palette: its provider's destinations are navigation.allowed, and the palette shows them.
        provider = NavigationCommands(app.screen)
        listed = [title for title, _help, _run in provider._entries()]
        titles = [_(d.title) for d in may_open]
        assert listed[:len(titles)] == titles
        assert not {_(d.title) for d in navigation.DESTINATIONS if d not in may_open} & set(listed)
        shown = await _palette_titles(pilot)
        assert set(titles) <= set(shown)
        assert not {_(d.title) for d in navigation.DESTINATIONS if d not in may_open} & set(shown)

        checked = 0
        for dest in navigation.DESTINATIONS:
            kwargs = {"order_id": desk_data.closed_order_id} if dest.per_order else {}
            depth = len(app.screen_stack)
            app.open_destination(dest.key, **kwargs)
            await settle(pilot)
            if role not in dest.roles:
                assert len(app.screen_stack) == depth and app.screen is home, (role, dest.key)
                assert any("cannot open" in str(n.message) for n in app._notifications)
                continue
            assert len(app.screen_stack) == depth + 1, (role, dest.key)
            assert dest.target.endswith(":" + type(app.screen).__name__)
            checked += _check_keys(app, role, dest.key)
            await app.pop_screen()
            await settle(pilot)
            assert app.screen is home
        if "order_history" not in {d.key for d in navigation.DESTINATIONS} and role in audit_views.VIEW_ROLES:
            # Until navigation lists the history (integration note), open it as its screens will.
            await app.push_screen(OrderHistoryScreen(order_id=desk_data.closed_order_id))
            await settle(pilot, lambda: app.screen.history is not None)
            checked += _check_keys(app, role, "order_history")
        if role in (Role.MANAGER, Role.ADMIN, Role.CASHIER, Role.ADVISOR, Role.QC):
            assert checked > 0  # some screen of this role has a permission-bound key


def _check_keys(app, role: Role, key: str) -> int:  # type: ignore[no-untyped-def]
    table = PERMISSION_OF.get(key)
    if not table:
        return 0
    active = offered(app)
    for action, permission in table.items():
        if not allowed(role, permission):
            assert action not in active, f"{role.value} is offered {active.get(action)!r} ({action}) on {key}"
        elif (key, action) not in STATE_DEPENDENT:
            assert action in active, f"{role.value} may {permission} but is not offered {action} on {key}"
    return len(table)


# Views without a signed-in user -------------------------------------------------------------------------


async def test_board_and_login_show_no_customer_data(app_for, ui_services, workshop_order):  # noqa: F811
    board = BoardApp(ui_services)
    async with board.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        text = _cells(board) + _screen_text(board)
        assert "粤A12345" in text  # the board does show the cars
        for secret in SECRETS:
            assert secret not in text, secret
    login = app_for(None)
    async with login.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert type(login.screen).__name__ == "LoginScreen"
        text = _screen_text(login)
        for secret in SECRETS:
            assert secret not in text, secret
        await pilot.press("ctrl+p")  # the palette of a terminal nobody signed in at offers no screens
        await settle(pilot)
        if isinstance(login.screen, CommandPalette):
            titles = {str(o.prompt) for o in login.screen.query_one("CommandList").options}
            assert not {_(d.title) for d in navigation.DESTINATIONS} & titles
