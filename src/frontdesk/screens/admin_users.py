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

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, NEW, binding
from frontdesk.labels import ROLE, label
from frontdesk.services import admin_views, auth
from frontdesk.services.admin_views import RoleRow, UserRow, UsersView
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import ValidationError
from frontdesk.services.permissions import allowed
from frontdesk.widgets.list_table import clip, fixed_columns, when

from .admin_modals import authority_form, password_form, percent_text, user_form
from .confirm import ConfirmScreen
from .list_detail import ListDetailScreen, ListLayout, list_keys

NEEDS = {"new": "user.add", "edit": "user.update", "toggle": "user.update", "password": "user.set_password"}


class AdminUsersScreen(ListDetailScreen):
    """``AdminUsersScreen()``: users (add, edit, deactivate, password) and role discount authority."""

    CSS_PATH = "../assets/styles/admin_users.tcss"
    LAYOUT = ListLayout(("users", "roles"), head="au-head", list_class="au-list")

    BINDINGS = [
        binding(NEW, "new", "New user", tooltip="Add a user: user name, name, role, first password"),
        binding(EDIT, "edit", "Edit", tooltip="Edit the selected user, or the selected role's discount authority"),
        binding("d", "toggle", "Deactivate", tooltip="Deactivate or reactivate the selected user (never deleted)"),
        binding("p", "password", "Password", tooltip="Set a new password for the selected user"),
        *list_keys("Read the lists again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._view: UsersView | None = None

    def on_mount(self) -> None:
        fixed_columns(self.table("users"), (_("User name"), 11), (_("Name"), 10), (_("Role"), 14),
                      (_("Status"), 8), (_("Last login"), 11), (_("Own %"), 5))
        fixed_columns(self.table("roles"), (_("Role"), 18), (_("Discount up to"), 8), (_("Default"), 7),
                      (_("Active users"), 6))
        self.table("users").border_title = _("Users")
        self.table("roles").border_title = _("Discount authority by role")
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return allowed(self.actor.role, "user.update") or allowed(self.actor.role, "role.discount_authority")
        if action in NEEDS:
            return allowed(self.actor.role, NEEDS[action])
        return True

    # Reading ----------------------------------------------------------------------------------

    def load(self, services: Services, actor: Actor) -> UsersView:
        return admin_views.users_view(services, actor)

    def show(self, view: UsersView) -> None:
        self._view = view
        today = view.taken_at.date()
        self.fill("users", ((f"u{u.id}", u, self._user_cells(u, today)) for u in view.users))
        self.fill("roles", ((r.role.value, r, self._role_cells(r)) for r in view.roles))
        active = sum(1 for u in view.users if u.active)
        head = Text(_("{n} users, {active} active").format(n=len(view.users), active=active), style="bold")
        head.append("   " + _("Changes of role apply at the user's next login."), style="dim")
        self.show_head(head)

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

    @property
    def selected_user(self) -> UserRow | None:
        return self.selected_in("users")

    @property
    def selected_role(self) -> RoleRow | None:
        return self.selected_in("roles")

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

        self.app.push_screen(user_form(None, save), self.saved)

    def action_edit(self) -> None:
        if self.focused is self.table("roles"):
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

        self.app.push_screen(user_form(row, save), self.saved)

    def _edit_role(self) -> None:
        if not allowed(self.actor.role, "role.discount_authority"):
            self.notify(_("Only the administrator sets a role's discount authority."), severity="warning")
            return
        role = self.selected_role
        if role is None:
            return

        def save(v: dict[str, str]) -> Decimal:
            return auth.set_role_discount_authority(self.services, self.actor, role.role, v["percent"])

        self.app.push_screen(authority_form(role.role, role.discount_authority, save), self.saved)

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
                                  then=self.saved, failed=self.refused)

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

        self.app.push_screen(password_form(row, save), self.saved)
