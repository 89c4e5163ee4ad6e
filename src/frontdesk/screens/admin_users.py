"""Users and roles (administrator): who may sign in, as what, and what each role may give away.

The users of this store are listed with their role, own discount authority (when one is
set), whether they are active, and their last login; under them the eight roles with
the discount authority the administrator set (or the shipped default). Keys:

- F2 a new user; F4 edits the selected user (name, role, own authority), or, in the
  roles list, the role's discount authority; D deactivates or reactivates the selected
  user (users are never deleted: the audit trail names them); P sets a new password.
- Tab moves between the two lists; F5 reads them again.

A role change, a deactivation or a user's own authority applies from that user's next
login (or when their idle terminal is unlocked); a role's authority applies to the next
settlement at once. Actions the signed-in role may not do are not offered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, NEW, REFRESH, back, binding
from frontdesk.labels import ROLE, label
from frontdesk.services import admin_views, auth
from frontdesk.services.admin_views import RoleRow, UserRow, UsersView
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns

from .admin_modals import authority_form, password_form, percent_text, user_form
from .base import DeskScreen
from .confirm import ConfirmScreen

LISTS = ("users", "roles")
NEEDS = {"new": "user.add", "edit": "user.update", "toggle": "user.update", "password": "user.set_password"}


def when(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return "—"
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


class AdminUsersScreen(DeskScreen):
    """``AdminUsersScreen()``: users (add, edit, deactivate, password) and role discount authority."""

    CSS_PATH = "../assets/styles/admin_users.tcss"
    AUTO_FOCUS = "#users"

    BINDINGS = [
        binding(NEW, "new", "New user", tooltip="Add a user: user name, name, role, first password"),
        binding(EDIT, "edit", "Edit", tooltip="Edit the selected user, or the selected role's discount authority"),
        binding("d", "toggle", "Deactivate", tooltip="Deactivate or reactivate the selected user (never deleted)"),
        binding("p", "password", "Password", tooltip="Set a new password for the selected user"),
        binding(REFRESH, "refresh", "Refresh", tooltip="Read the lists again"),
        binding("tab", "next_list(1)", "Next list", show=False),
        binding("shift+tab", "next_list(-1)", "Previous list", show=False),
        back(),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._view: UsersView | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading…"), id="au-head")
        yield ListTable(id="users", classes="au-list")
        yield ListTable(id="roles", classes="au-list")
        yield Footer()

    def on_mount(self) -> None:
        fixed_columns(self._table("users"), (_("User name"), 11), (_("Name"), 10), (_("Role"), 14),
                      (_("Status"), 8), (_("Last login"), 11), (_("Own %"), 5))
        fixed_columns(self._table("roles"), (_("Role"), 18), (_("Discount up to"), 8), (_("Default"), 7),
                      (_("Active users"), 6))
        self._table("users").border_title = _("Users")
        self._table("roles").border_title = _("Discount authority by role")
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return allowed(self.actor.role, "user.update") or allowed(self.actor.role, "role.discount_authority")
        if action in NEEDS:
            return allowed(self.actor.role, NEEDS[action])
        return True

    # Reading ----------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(admin_views.users_view, self.services, self.actor, then=self._show, group="users-read")

    def _show(self, view: UsersView) -> None:
        self._view = view
        today = view.taken_at.date()
        self._table("users").refill((f"u{u.id}", self._user_cells(u, today)) for u in view.users)
        self._table("roles").refill((r.role.value, self._role_cells(r)) for r in view.roles)
        active = sum(1 for u in view.users if u.active)
        head = Text(_("{n} users, {active} active").format(n=len(view.users), active=active), style="bold")
        head.append("   " + _("Changes of role apply at the user's next login."), style="dim")
        self.query_one("#au-head", Static).update(head)

    def _user_cells(self, u: UserRow, today: dt.date) -> tuple[Any, ...]:
        if not u.active:
            status = Text(_("Inactive"), style="dim")
        elif u.locked:
            status = Text(_("Locked"), style="bold red")
        else:
            status = Text(_("Active"), style="green")
        own = percent_text(u.own_authority)
        style = "dim" if not u.active else ""
        return (Text(clip(u.username, 11), style=style or "bold"), Text(clip(u.display_name, 10), style=style),
                Text(clip(label(ROLE, u.role), 14), style=style), status, when(u.last_login_at, today),
                Text(own or "—", justify="right"))

    def _role_cells(self, r: RoleRow) -> tuple[Any, ...]:
        share = Text(f"{percent_text(r.discount_authority)} %", justify="right",
                     style="bold" if r.set_here else "")
        return (clip(label(ROLE, r.role), 18), share, Text(f"{percent_text(r.default)} %", justify="right", style="dim"),
                Text(str(r.users), justify="right"))

    # Selection ---------------------------------------------------------------------------------

    def _table(self, name: str) -> ListTable:
        return self.query_one(f"#{name}", ListTable)

    def action_next_list(self, step: int) -> None:
        self.focus_next_list(LISTS, step)

    @property
    def selected_user(self) -> UserRow | None:
        key = self._table("users").cursor_key
        return next((u for u in self._view.users if f"u{u.id}" == key), None) if self._view else None

    @property
    def selected_role(self) -> RoleRow | None:
        key = self._table("roles").cursor_key
        return next((r for r in self._view.roles if r.role.value == key), None) if self._view else None

    def _need_user(self) -> UserRow | None:
        row = self.selected_user
        if row is None:
            self.notify(_("Pick a user in the list first."), severity="warning")
        return row

    # Acting --------------------------------------------------------------------------------------

    def action_new(self) -> None:
        def save(v: dict[str, str]) -> auth.UserInfo:
            own = v["discount_authority"].strip()
            info = auth.add_user(self.services, self.actor, v["username"], v["display_name"], v["role"], v["password"])
            if own:
                info = auth.update_user(self.services, self.actor, info.username,
                                        discount_authority=auth.parse_percent(own, "discount_authority") / 100)
            return info

        self.app.push_screen(user_form(None, save), self._saved)

    def action_edit(self) -> None:
        if self.focused is self._table("roles"):
            self._edit_role()
            return
        row = self._need_user()
        if row is None:
            return

        def save(v: dict[str, str]) -> auth.UserInfo:
            own = v["discount_authority"].strip()
            share: Decimal | None = auth.parse_percent(own, "discount_authority") / 100 if own else None
            return auth.update_user(self.services, self.actor, row.username, display_name=v["display_name"],
                                    role=v["role"], discount_authority=share, expected_version=row.version)

        self.app.push_screen(user_form(row, save), self._saved)

    def _edit_role(self) -> None:
        if not allowed(self.actor.role, "role.discount_authority"):
            self.notify(_("Only the administrator sets a role's discount authority."), severity="warning")
            return
        role = self.selected_role
        if role is None:
            return

        def save(v: dict[str, str]) -> Decimal:
            return auth.set_role_discount_authority(self.services, self.actor, role.role, v["percent"])

        self.app.push_screen(authority_form(role.role, role.discount_authority, save), self._saved)

    def action_toggle(self) -> None:
        row = self._need_user()
        if row is None:
            return
        if row.active:
            title = _("Deactivate {name} ({user})?").format(name=row.display_name, user=row.username)
            message = _("They can no longer sign in (from their next login or unlock). "
                        "Nothing is deleted: their name stays on every record.")
        else:
            title = _("Reactivate {name} ({user})?").format(name=row.display_name, user=row.username)
            message = _("They can sign in again with their password.")

        def answered(yes: bool | None) -> None:
            if yes:
                # No version check: the question named the state it changes, and the change is idempotent.
                self.call_service(auth.set_active, self.services, self.actor, row.username, not row.active,
                                  then=self._saved, failed=self._refused)

        self.app.push_screen(ConfirmScreen(title, message), answered)

    def action_password(self) -> None:
        row = self._need_user()
        if row is None:
            return

        def save(v: dict[str, str]) -> bool:
            if v["password"] != v["repeat"]:
                raise ValidationError("repeat", _("The two passwords differ."))
            auth.set_password(self.services, self.actor, row.username, v["password"])
            return True

        self.app.push_screen(password_form(row, save), self._saved)

    def _saved(self, outcome: Any) -> None:
        if outcome is None:
            return
        if isinstance(outcome, FrontdeskError):
            self._refused(outcome)
            return
        self.notify(_("Saved."), timeout=4)
        self.action_refresh()

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, ConflictError):
            self.notify(str(error), title=_("Not saved"), severity="error", timeout=8)
        else:
            self.show_error(error)
        self.action_refresh()
