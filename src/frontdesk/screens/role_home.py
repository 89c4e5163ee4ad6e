"""Where a user whose screens have not been built yet lands (workshop, cashier, admin roles)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.labels import ROLE, label
from frontdesk.widgets.key_footer import KeyFooter

from .base import DeskScreen


class RoleHomeScreen(DeskScreen):
    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.app.show_clock)  # type: ignore[attr-defined]
        yield Static(
            _("Signed in as {name} ({role}). The screens for this role are not part of this version yet; "
              "use the command line (frontdesk --help) meanwhile.").format(
                name=self.actor.display_name, role=label(ROLE, self.actor.role)),
            id="role-home",
        )
        yield KeyFooter()
