"""A service manager approves an override on the spot: user name and password, typed at this desk.

Opened over the settlement (a discount above the user's authority) and the payment screen
(voiding a payment, credit). The manager types their own user name and password (masked);
the action is then run again with that approval, from the dialog, through the pipeline
(screens/saving_dialog.py, screens/pipeline.py: an unexpected error is logged, without the
password, and said). A refused
approval (or a discount beyond even the manager's authority) is said in the dialog, the
password is cleared and the dialog stays open; any other refusal closes it and the screen
underneath reports it. A void also asks why.

The dialog shows the service's answer as it is, and the service gives one answer whatever
was wrong — the name, the password, an account locked, deactivated or not a manager's —
so a locked manager's password cannot be confirmed here. Every attempt counts towards the
manager's sign-in lockout and is audited (``services.auth.verify_manager``): this is no
place to try passwords.

Enter moves on from the user name and approves from the password; F6 approves; Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import SAVE, back, binding
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.errors import FrontdeskError, PermissionDenied, ValidationError
from frontdesk.widgets.field import dialog_row
from frontdesk.widgets.key_footer import KeyFooter

from .saving_dialog import SavingDialog

FIELDS = ("reason", "manager", "password")


class ManagerApprovalScreen(SavingDialog):
    """``ManagerApprovalScreen(title=..., summary=..., save=...)``, dismissed with ``save``'s result.

    ``save(approval, reason)`` runs the action with the manager's approval; ``None`` comes back
    on Esc, a ``FrontdeskError`` when the action was refused for another reason than the approval.
    """

    CSS_PATH = "../assets/styles/manager_approval.tcss"
    AUTO_FOCUS = "#manager"
    GROUP = "manager-approval"

    BINDINGS = [
        binding(SAVE, "approve", "Approve", tooltip="The manager approves with their password"),
        back("Cancel"),
    ]

    def __init__(self, *, title: str, summary: str, save: Callable[[ManagerApproval, str], Any],
                 ask_reason: bool = False) -> None:
        super().__init__(save)
        self._title = title
        self._summary = summary
        self._ask_reason = ask_reason

    def compose(self) -> ComposeResult:
        with Vertical(id="mgr-box"):
            yield Static(self._title, id="mgr-title")
            yield Static(self._summary, id="mgr-summary")
            if self._ask_reason:
                yield from dialog_row(_("Reason"), Input(id="reason", max_length=200, compact=True,
                                                         placeholder=_("Why (required)")), css="mgr")
            yield from dialog_row(_("Manager's user name"), Input(id="manager", max_length=40, compact=True), css="mgr")
            yield from dialog_row(_("Password"), Input(id="password", password=True, max_length=200, compact=True),
                                  css="mgr")
            yield Static(_("F6 or Enter: approve · Esc: cancel"), classes="mgr-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._ask_reason:
            self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _reason_done(self) -> None:
        if not self.query_one("#reason", Input).value.strip():
            self._error("reason", _("Say why."))
            return
        self._error("reason", "")
        self.query_one("#manager", Input).focus()

    @on(Input.Submitted, "#manager")
    def _manager_done(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def action_approve(self) -> None:
        if self._saving:
            return
        for name in FIELDS:
            self._error(name, "")
        reason = self.query_one("#reason", Input).value.strip() if self._ask_reason else ""
        username = self.query_one("#manager", Input).value.strip()
        password = self.query_one("#password", Input).value
        if self._ask_reason and not reason:
            self._error("reason", _("Say why."))
            self.query_one("#reason", Input).focus()
            return
        if not username:
            self._error("manager", _("Type the manager's user name."))
            self.query_one("#manager", Input).focus()
            return
        if not password:
            self._error("password", _("Type the manager's password."))
            self.query_one("#password", Input).focus()
            return
        self._record(ManagerApproval(username, password), reason)

    def _refused(self, error: FrontdeskError) -> None:
        if isinstance(error, PermissionDenied):
            self._saving = False
            self._error("password", str(error))
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            return
        if isinstance(error, ValidationError) and error.field == "reason" and self._ask_reason:
            self._saving = False
            self._error("reason", error.message)
            return
        super()._refused(error)
