"""Key accounts (大客户 / 机构 / 政府 / 车队): the manager's and the cashier's list of them.

Each account on one row: code, name, kind, what it owes, its credit limit, how much of it is
past its due date, and a red mark when it is suspended. Typing filters it (code or name);
Down goes into the list, Up on its first row back to the box. Enter opens the account
(screens/account_detail.py: its open orders by age, transfers, write-offs, the monthly
statement). F2 sets up a new account and F4 edits the highlighted one (screens/account_form.py:
its terms, cars and drivers, suspending it) — the manager's.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Label, Static

from frontdesk.i18n import N_, gettext as _
from frontdesk.keys import EDIT, NEW, binding
from frontdesk.services import accounts
from frontdesk.services.accounts import AccountRow
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns
from frontdesk.widgets.type_ahead import TypeAhead

from .account_detail import AccountDetailScreen
from .account_dialogs import kind_label
from .account_form import AccountForm
from .search_list import SearchLayout, SearchListScreen, search_keys

#: Screen action -> the permission it needs.
ACTION_PERMISSION = {"new": "account.save", "edit": "account.save"}


class AccountsScreen(SearchListScreen):
    """``AccountsScreen()``: every account of the store; Enter opens one, F2 new, F4 edit."""

    CSS_PATH = "../assets/styles/accounts.tcss"
    SEARCH = SearchLayout(box="acct-search", list="acct-list", status="acct-status")
    FIND_HINT = N_("Type part of an account's code or name.")
    PICK_FIRST = N_("Pick an account in the list first.")

    BINDINGS = [
        binding("enter", "open", "Open", key_display="Enter",
                tooltip="Open the highlighted account: its open orders, transfers, statement"),
        binding(NEW, "new", "New", tooltip="Set up a new account: terms, cars, drivers"),
        binding(EDIT, "edit", "Edit", tooltip="Edit the highlighted account: terms, cars, drivers, suspend"),
        *search_keys("Read the accounts again", show_refresh=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[AccountRow] = []
        self._type_ahead = TypeAhead(self, self._search, arrived=self._arrived, status=self._status,
                                     group="accounts-browse")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        with Horizontal(id="acct-search-row"):
            yield Label(_("Find"), id="acct-search-label")
            yield Input(id="acct-search", compact=True, placeholder=_("code or name"))
            yield Static("", id="acct-status")
        yield ListTable(id="acct-list", leave_up=True)
        yield Static("", id="acct-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.table
        table.border_title = _("Accounts")
        declare_columns(table, Col(_("Code"), whole=True, keep=9), Col(_("Account name"), 20, keep=8, shrink=True),
                        Col(_("Kind"), whole=True, keep=3), Col(_("Owes"), whole=True, keep=7),
                        Col(_("Limit"), whole=True, keep=5), Col(_("Overdue"), whole=True, keep=6),
                        Col(_("State"), max(4, cell_len(_("suspended"))), keep=8))
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()  # back from an account: what it owes has changed

    # Searching --------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[AccountRow]:
        return list(self._rows)

    def _search(self, text: str) -> list[AccountRow]:
        return accounts.list_accounts(self.services, self.actor, text)

    def fill(self, rows: list[AccountRow]) -> None:
        self.table.refill((f"a{r.id}", self._cells(r)) for r in rows)
        if not rows and not self.box.value.strip():
            self._status(_("No accounts yet") + (": " + _("F2 sets one up.") if self._may_edit() else ""))

    def _cells(self, r: AccountRow) -> tuple[Any, ...]:
        over = r.open_balance > r.credit_limit
        return (Text(r.code, style="bold"), clip(r.name, 24), kind_label(r.kind),
                Text(format_money(r.open_balance), style="bold red" if over else "", justify="right"),
                Text(format_money(r.credit_limit), justify="right", style="dim"),
                Text(format_money(r.overdue), style="yellow" if r.overdue else "dim", justify="right"),
                Text(_("suspended"), style="bold white on red") if r.suspended else "")

    @property
    def selected(self) -> AccountRow | None:
        key = self.table.cursor_key
        return next((r for r in self._rows if f"a{r.id}" == key), None)

    def _show_detail(self) -> None:
        row = self.selected
        text = Text()
        if row is not None:
            text.append(f"{row.code} {row.name}", style="bold")
            text.append("  " + kind_label(row.kind))
            if row.suspended:
                text.append("  " + _("suspended"), style="bold red")
            text.append("\n")
            text.append(_("Owes {open} of a {limit} limit").format(open=format_money(row.open_balance),
                                                                  limit=format_money(row.credit_limit)))
            if row.overdue:
                text.append("  " + _("overdue {amount}").format(amount=format_money(row.overdue)), style="yellow")
            text.append("  " + _("Enter opens it."), style="dim")
        self.query_one("#acct-detail", Static).update(text)

    # Keys --------------------------------------------------------------------------------------------

    def _may_edit(self) -> bool:
        return allowed(self.actor.role, "account.save")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION_PERMISSION:
            return self._may_edit()
        if action == "open":
            return True
        return super().check_action(action, parameters)

    @on(Input.Submitted)
    def _enter_on_nothing(self, event: Input.Submitted) -> None:
        """Enter in the box with nothing found says so (the base class would go into an empty list)."""
        if event.input is self.box and not self._type_ahead.pending and not self._rows:
            event.stop()
            event.prevent_default()
            self.notify(_("No account matches: type less of the code or name."), severity="warning")

    @on(DataTable.RowSelected)
    def _enter_on_row(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.table:
            return
        event.stop()
        event.prevent_default()  # the base class's Enter-edits is not what Enter does here
        self.action_open()

    def action_open(self) -> None:
        """Enter: the box's Enter goes into the list (the base class); on a row, the account opens."""
        row = self.selected
        if row is None:
            self.notify(_(self.PICK_FIRST), severity="warning")
            return
        self.app.push_screen(AccountDetailScreen(row.id))

    def _edit(self, row: AccountRow | None) -> None:
        if row is None:
            self.app.push_screen(AccountForm(None), self._saved)
            return

        def opened(detail: accounts.AccountDetail) -> None:
            self.app.push_screen(AccountForm(detail), self._saved)

        self.call_service(accounts.account_detail, self.services, self.actor, row.id, then=opened, saves=False)

    def _saved(self, outcome: Any) -> None:
        if outcome is True:  # cars or drivers changed, the terms not saved again
            self.action_refresh()
            return
        super()._saved(outcome)
