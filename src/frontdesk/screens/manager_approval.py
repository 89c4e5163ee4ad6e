"""A service manager approves an override on the spot: user name and password, typed at this desk.

Opened over the settlement (a discount above the user's authority) and the payment screen
(voiding a payment, credit). The manager types their own user name and password (masked);
the action is then run again with that approval, from the dialog, through the pipeline
(screens/pipeline.py: an unexpected error is logged, without the password, and said). A refused
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
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import SAVE, back, binding, translate_bindings
from frontdesk.services.auth import ManagerApproval
from frontdesk.services.errors import FrontdeskError, PermissionDenied, ValidationError

from . import pipeline

FIELDS = ("reason", "manager", "password")


class ManagerApprovalScreen(ModalScreen[Any]):
    """``ManagerApprovalScreen(title=..., summary=..., save=...)``, dismissed with ``save``'s result.

    ``save(approval, reason)`` runs the action with the manager's approval; ``None`` comes back
    on Esc, a ``FrontdeskError`` when the action was refused for another reason than the approval.
    """

    CSS_PATH = "../assets/styles/manager_approval.tcss"
    AUTO_FOCUS = "#manager"

    BINDINGS = [
        binding(SAVE, "approve", "Approve", tooltip="The manager approves with their password"),
        back("Cancel"),
    ]

    def __init__(self, *, title: str, summary: str, save: Callable[[ManagerApproval, str], Any],
                 ask_reason: bool = False) -> None:
        super().__init__()
        translate_bindings(self)
        self._title = title
        self._summary = summary
        self._save = save
        self._ask_reason = ask_reason
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="mgr-box"):
            yield Static(self._title, id="mgr-title")
            yield Static(self._summary, id="mgr-summary")
            if self._ask_reason:
                with Horizontal(classes="mgr-row"):
                    yield Label(_("Reason"), classes="mgr-label")
                    yield Input(id="reason", max_length=200, compact=True, placeholder=_("Why (required)"))
                yield Static("", id="reason-error", classes="field-error")
            with Horizontal(classes="mgr-row"):
                yield Label(_("Manager's user name"), classes="mgr-label")
                yield Input(id="manager", max_length=40, compact=True)
            yield Static("", id="manager-error", classes="field-error")
            with Horizontal(classes="mgr-row"):
                yield Label(_("Password"), classes="mgr-label")
                yield Input(id="password", password=True, max_length=200, compact=True)
            yield Static("", id="password-error", classes="field-error")
            yield Static(_("F6 or Enter: approve · Esc: cancel"), classes="mgr-hint")
        yield Footer()

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
        self._saving = True
        approval = ManagerApproval(username, password)
        pipeline.call(self, self._save, approval, reason, then=self.dismiss, failed=self._refused,
                      group="manager-approval", saves=True)

    def _refused(self, error: FrontdeskError) -> None:
        self._saving = False
        if isinstance(error, PermissionDenied):
            self._error("password", str(error))
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            return
        if isinstance(error, ValidationError) and error.field == "reason" and self._ask_reason:
            self._error("reason", error.message)
            return
        self.dismiss(error)

    def _error(self, name: str, message: str) -> None:
        try:
            self.query_one(f"#{name}-error", Static).update(message)
        except NoMatches:
            pass

    def action_back(self) -> None:
        if not self._saving:
            self.dismiss(None)
